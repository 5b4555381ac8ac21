/** Argument checks shared by the core's entry points: each failure is an InputError that names the argument. */
import { InputError } from './errors.ts';

export function integerInRange(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function positiveInteger(value: unknown, name: string, max: number): number {
  return integerInRange(value, name, 1, max);
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InputError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value as T;
}

export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new InputError(`${what} must be a string, got ${kind}`);
  }
  return value;
}

/** Caps on one call's input, so a pasted corpus fails fast and clearly instead of exhausting the tab. */
export interface Limits {
  /** Documents (or pairs) in one call. Default 1,000, like Cohere's rerank API. */
  maxDocuments: number;
  /** Characters across the query and all documents of one call. Default 5,000,000. */
  maxTotalCharacters: number;
}

export const DEFAULT_LIMITS: Limits = { maxDocuments: 1000, maxTotalCharacters: 5_000_000 };

export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits !== undefined && (typeof limits !== 'object' || limits === null)) throw new InputError('limits must be an object');
  return {
    maxDocuments: positiveInteger(limits?.maxDocuments ?? DEFAULT_LIMITS.maxDocuments, 'limits.maxDocuments', 10_000_000),
    maxTotalCharacters: positiveInteger(limits?.maxTotalCharacters ?? DEFAULT_LIMITS.maxTotalCharacters,
      'limits.maxTotalCharacters', 2 ** 31),
  };
}

export function checkLimits(count: number, characters: number, limits: Limits, what: string): void {
  if (count > limits.maxDocuments) {
    throw new InputError(`${count} ${what} exceed the limit of ${limits.maxDocuments} per call (limits.maxDocuments); split the call`);
  }
  if (characters > limits.maxTotalCharacters) {
    throw new InputError(`${characters} characters exceed the limit of ${limits.maxTotalCharacters} per call ` +
      '(limits.maxTotalCharacters); split the call or shorten the documents');
  }
}
