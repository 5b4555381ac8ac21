/** Formatting for the UI: bytes, milliseconds, rates, errors, task states. DOM-free. */
import { TaskStatus } from '@lit/task';

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/**
 * Decimal units, like download managers and the hub's file listings.
 *
 * @example
 * formatBytes(570_700_000) // → '570.7 MB'
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * "loaded / total unit", both in the total's unit so the two numbers compare at a glance.
 *
 * @example
 * formatByteProgress(12_300_000, 570_700_000) // → '12.3 / 570.7 MB'
 */
export function formatByteProgress(loaded: number, total: number | null): string {
  if (total === null || total <= 0) return `${formatBytes(loaded)} / ?`;
  const [, unit] = formatBytes(total).split(' ');
  const scale = 1000 ** Math.max(0, UNITS.indexOf(unit as (typeof UNITS)[number]));
  const digits = scale === 1 ? 0 : 1;
  return `${(loaded / scale).toFixed(digits)} / ${(total / scale).toFixed(digits)} ${unit}`;
}

/** @example formatMs(12.345) // → '12.3' */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** @example formatRate(114.28) // → '114' */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** `name: message` for any thrown value, the way the UI shows errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Whether a thrown value is a cancellation (ours or the platform's). */
export const isAbort = (error: unknown): boolean => (error as { name?: unknown } | null)?.name === 'AbortError';

/** A task's state as the status lines show it (and as tests read it from `data-status`). */
export type TaskStateKey = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/**
 * @example
 * taskStateKey(TaskStatus.ERROR, new AbortError('stop')) // → 'cancelled'
 */
export function taskStateKey(status: TaskStatus, error: unknown): TaskStateKey {
  switch (status) {
    case TaskStatus.PENDING:
      return 'running';
    case TaskStatus.COMPLETE:
      return 'done';
    case TaskStatus.ERROR:
      return isAbort(error) ? 'cancelled' : 'error';
    default:
      return 'idle';
  }
}

/**
 * A count with its noun, singular for one.
 *
 * @example
 * plural(1, 'document') // → '1 document'
 * plural(3, 'batch')    // → '3 batches'
 */
export function plural(count: number, noun: string, many = /(s|sh|ch|x|z)$/.test(noun) ? `${noun}es` : `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}
