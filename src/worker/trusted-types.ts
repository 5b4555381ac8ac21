/**
 * Trusted Types: where a page or worker enforces `require-trusted-types-for 'script'`, every string or URL handed to
 * a script sink is refused unless a policy vouches for it. Lit renders through its own policy; what is left are
 * worker scripts: the page's `new Worker(new URL('./reranker.worker.ts', import.meta.url))` (kept literal so bundlers
 * find the worker) and, inside the worker, onnxruntime's wasm threads (`new Worker(new URL(import.meta.url))`).
 * The `default` policy installed here vouches for same-origin script URLs only; HTML and script strings still throw.
 */

/** The slice of the Trusted Types API used here (TypeScript's DOM library does not declare it yet). */
interface TrustedTypesFactory {
  readonly defaultPolicy: unknown;
  createPolicy(name: string, rules: { createScriptURL(input: string): string | null }): unknown;
}

/**
 * Installs the `default` policy in this page or worker, once: true if it did, false where there is no Trusted Types,
 * a default policy already exists, or the host's `trusted-types` directive does not allow the name `default`.
 *
 * @example
 * trustSameOriginScripts();                          // → true (Chromium), false (no Trusted Types)
 * new Worker(new URL('./w.js', import.meta.url));    // allowed; a worker from another origin is refused
 */
export function trustSameOriginScripts(scope: typeof globalThis = globalThis): boolean {
  const factory = (scope as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (!factory || factory.defaultPolicy) return false;
  const here = scope.location.href;
  try {
    factory.createPolicy('default', {
      // null refuses: the browser blocks the sink and reports the violation.
      createScriptURL: (input) => (new URL(input, here).origin === new URL(here).origin ? input : null),
    });
    return true;
  } catch {
    return false;
  }
}
