// A minimal AdminGraphqlClient over fetch: POST https://{shop}/admin/api/{version}/graphql.json
// with the access token, returning Shopify's Response as it is (status and body untouched, so the
// graphql client sees 429/5xx/401 itself). With `origin` (development: the Shopify simulator) the
// request goes there instead, naming the shop in X-Shopify-Shop-Domain, as admin-origin.server.ts does.
import type { AdminGraphqlClient } from "./admin-client.server";

export interface FetchAdminClientOptions {
  shop: string;
  accessToken: string;
  apiVersion: string;
  origin?: string | null;
  fetch?: typeof fetch;
}

export function fetchAdminClient(options: FetchAdminClientOptions): AdminGraphqlClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const path = `/admin/api/${options.apiVersion}/graphql.json`;
  const url = options.origin ? new URL(path, options.origin).toString() : `https://${options.shop}${path}`;
  return {
    graphql(query, init) {
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-Shopify-Access-Token": options.accessToken,
      };
      if (options.origin) headers["X-Shopify-Shop-Domain"] = options.shop;
      return doFetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables: init?.variables }) });
    },
  };
}
