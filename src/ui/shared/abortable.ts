/** Cancellation helpers for controllers: give up on a promise at once when its signal aborts. DOM-free. */
import { AbortError } from '../../lib/errors.ts';

/**
 * Resolves or rejects with `promise`, or rejects with an AbortError as soon as `signal` aborts, whichever comes first.
 * What `promise` gives after the abort is dropped: the caller owns any clean-up (the reranker slot disposes a load
 * nobody will use).
 *
 * @example
 * await abortable(createAppReranker(options), signal)
 * // → the reranker, or an AbortError the moment the user presses Cancel
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {}); // its rejection is nobody's now
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) resolve(value);
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
