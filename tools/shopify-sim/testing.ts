// Helpers for tests that talk to the simulator (used by this folder's tests; usable by the app's).
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { API_VERSION } from "./model.ts";
import { signSessionToken } from "./session-token.ts";

export interface SessionTokenOptions {
  apiKey: string;
  apiSecret: string;
  /** Overrides of the payload (e.g. a wrong `aud`). */
  payload?: Record<string, unknown>;
  userId?: number;
}

/** A session token (id token) as Shopify admin signs it for an embedded app: HS256 with the API secret. */
export async function sessionToken(shop: string, opts: SessionTokenOptions): Promise<string> {
  return signSessionToken(shop, opts);
}

export interface TokenResponse {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  associated_user?: Record<string, unknown>;
  associated_user_scope?: string;
}

/** Performs the token exchange the way @shopify/shopify-api does (JSON body, shop header added by the dev rewrite). */
export async function exchangeToken(
  simUrl: string,
  shop: string,
  opts: SessionTokenOptions & { online?: boolean; expiring?: boolean; clientSecret?: string },
): Promise<{ status: number; body: TokenResponse & { error?: string; error_description?: string } }> {
  const token = await sessionToken(shop, opts);
  const res = await fetch(`${simUrl}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Shop-Domain": shop },
    body: JSON.stringify({
      client_id: opts.apiKey,
      client_secret: opts.clientSecret ?? opts.apiSecret,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: opts.online
        ? "urn:shopify:params:oauth:token-type:online-access-token"
        : "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: opts.expiring ? "1" : "0",
    }),
  });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

export interface GraphqlResponse {
  data?: Record<string, unknown> | null;
  errors?: unknown;
  extensions?: {
    cost: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    };
    search?: unknown;
  };
}

/** POSTs an Admin GraphQL request to the simulator. */
export async function adminGraphql(
  simUrl: string,
  shop: string,
  accessToken: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: GraphqlResponse; headers: Headers }> {
  const res = await fetch(`${simUrl}/admin/api/${API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken, "X-Shopify-Shop-Domain": shop },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphqlResponse, headers: res.headers };
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** True when X-Shopify-Hmac-Sha256 matches the body for the given secret. */
  validHmac: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status codes to answer with, in order (then 200). */
  respondWith: number[];
  /** Resolves once `count` webhooks (optionally of a topic) have arrived. */
  waitFor(count: number, topic?: string, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A tiny HTTP server standing in for the app's /webhooks/* routes. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const respondWith: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const expected = createHmac("sha256", secret).update(body, "utf8").digest("base64");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const status = respondWith.shift() ?? 200;
      if (status >= 200 && status < 300) {
        received.push({ path: req.url ?? "", headers: req.headers, body, json, validHmac: req.headers["x-shopify-hmac-sha256"] === expected });
      }
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    respondWith,
    async waitFor(count, topic, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter((r) => !topic || r.headers["x-shopify-topic"] === topic);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhook(s)${topic ? ` of ${topic}` : ""}, got ${matching.length}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
