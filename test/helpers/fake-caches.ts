/**
 * A Map-backed CacheStorage for Node tests (Node has no Cache API): `match`, `put`, `keys` (with `ignoreSearch`) and
 * `delete`, as the core's cache code uses them. `failPut` makes every put reject as a full quota does.
 */
export function fakeCaches({ failPut = false }: { failPut?: boolean } = {}) {
  const stores = new Map<string, Map<string, Response>>();
  const urlOf = (key: RequestInfo | URL) => new URL(key instanceof Request ? key.url : String(key));
  const open = async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      match: async (key: RequestInfo | URL) => store.get(urlOf(key).href)?.clone(),
      put: async (key: RequestInfo | URL, response: Response) => {
        if (failPut) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
        // Like the Cache API, the body is read whole before the entry exists.
        store.set(urlOf(key).href, new Response(await response.arrayBuffer(), { headers: response.headers }));
      },
      keys: async (key?: RequestInfo | URL, options?: CacheQueryOptions) => {
        const wanted = key === undefined ? null : urlOf(key);
        const bare = (url: URL) => (options?.ignoreSearch ? `${url.origin}${url.pathname}` : url.href);
        return [...store.keys()].filter((url) => !wanted || bare(new URL(url)) === bare(wanted)).map((url) => new Request(url));
      },
      delete: async (key: RequestInfo | URL) => store.delete(urlOf(key).href),
    };
  };
  return {
    open,
    has: async (name: string) => stores.has(name),
    delete: async (name: string) => stores.delete(name),
  };
}
