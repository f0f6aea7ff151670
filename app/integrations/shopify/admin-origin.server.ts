// Development only: send Admin API traffic for https://{shop}/… to another origin (the Shopify
// simulator), telling it the shop in X-Shopify-Shop-Domain. config.server.ts refuses this setting
// in production.

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

export function redirectAdminApi(origin: string, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  const target = new URL(origin);
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "https:" || !SHOP_HOST.test(url.hostname)) return baseFetch(input, init);
    const rewritten = new URL(url.pathname + url.search, target);
    const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
    headers.set("X-Shopify-Shop-Domain", url.hostname);
    if (input instanceof Request) {
      return baseFetch(new Request(rewritten, { method: input.method, headers, body: input.body, duplex: "half" } as RequestInit));
    }
    return baseFetch(rewritten, { ...init, headers });
  };
}
