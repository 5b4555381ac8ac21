/** Cancellation helpers for controllers: give up on a promise at once when its signal aborts. DOM-free. */
import { AbortError } from '../../lib/errors.ts';

/**
 * Resolves or rejects with `promise`, or rejects with an AbortError as soon as `signal` aborts, whichever comes first.
 * A value that arrives after the abort goes to `onLate` (e.g. to dispose a reranker nobody will use).
 *
 * @example
 * await abortable(createAppReranker(options), signal, (late) => late.dispose())
 * // → the reranker, or an AbortError the moment the user presses Cancel
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal, onLate?: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then((v) => onLate?.(v), () => {});
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) reject(error);
      },
    );
  });
}

export function abortError(message = 'cancelled'): Error {
  return new AbortError(message);
}
