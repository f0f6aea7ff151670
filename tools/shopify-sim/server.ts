// HTTP face of the simulator: Shopify's endpoints (OAuth token, Admin GraphQL), bulk files,
// product images, and the control API under /_sim/.
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { parseAdminShellPath, renderAdminShell } from "./admin-shell.ts";
import { AppFrameProxy } from "./app-frame.ts";
import { appBridgeScript } from "./app-bridge-script.ts";
import { API_VERSION } from "./model.ts";
import { ShopifySimulator, type FailureInjection, type HttpReply, type ShopifySimOptions, type StaffUserFields } from "./sim.ts";
import { SimInputError, type ProductInput, type ProductPatch } from "./store.ts";
import type { ReleaseOrder } from "./webhooks.ts";

const MAX_BODY = 20 * 1024 * 1024;

class BodyError extends SimInputError {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyError("Request body too large", 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJsonBody(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new BodyError("The request body is not a JSON object.");
}

function parseFormOrJson(text: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  return parseJsonBody(text);
}

function send(res: ServerResponse, reply: HttpReply): void {
  const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "X-Request-Id": randomUUID(),
    ...reply.headers,
  });
  res.end(body);
}

const FAILURE_BODIES: Record<number, string> = {
  429: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

async function injectedFailure(
  sim: ShopifySimulator,
  kind: "graphql" | "oauth",
  shop: string | null,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const failure = sim.consumeFailure(kind, shop);
  if (!failure) return false;
  await readBody(req).catch(() => "");
  if (failure.status === 0) {
    req.socket.destroy();
    return true;
  }
  const headers: Record<string, string> = {};
  if (failure.retryAfter !== null) headers["Retry-After"] = failure.retryAfter.toFixed(1);
  else if (failure.status === 429) headers["Retry-After"] = "2.0";
  send(res, { status: failure.status, headers, body: { errors: FAILURE_BODIES[failure.status] ?? `Error ${failure.status}` } });
  return true;
}

type Route = {
  method: string;
  pattern: RegExp;
  handler: (sim: ShopifySimulator, match: string[], body: () => Promise<Record<string, unknown>>, query: URLSearchParams) => Promise<HttpReply> | HttpReply;
};

const ok = (body: unknown, status = 200): HttpReply => ({ status, body });

function num(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new SimInputError(`${name} must be a number`);
  return n;
}

const CORS: Record<string, string> = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type" };

const SHOP = "([^/]+)";
const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/_sim\/health$/, handler: (sim) => ok({ ok: true, apiVersion: API_VERSION, url: sim.url }) },
  {
    method: "GET",
    pattern: /^\/_sim\/shops$/,
    handler: (sim) =>
      ok(
        [...sim.shops.values()].map((s) => ({
          domain: s.domain,
          name: s.name,
          installed: s.installed,
          installedAt: s.installedAt,
          uninstalledAt: s.uninstalledAt,
          products: s.products.size,
          variants: s.variants.size,
        })),
      ),
  },
  {
    method: "POST",
    pattern: /^\/_sim\/shops$/,
    handler: async (sim, _m, body) => {
      const b = await body();
      const domain = String(b["shop"] ?? "");
      const shop = b["install"] === false ? sim.ensureShop(domain) : sim.install(domain);
      return ok({ domain: shop.domain, installed: shop.installed, products: shop.products.size }, 201);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/access-token$`),
    handler: async (sim, m, body) => {
      const b = await body();
      return ok(sim.issueAccessToken(m[1]!, { expiring: b["expiring"] === true, online: b["online"] === true }));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/products$`),
    handler: (sim, m, _b, q) => ok(sim.listProducts(m[1]!, q.get("query") ?? undefined).map((p) => sim.productJson(p))),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/products$`),
    handler: async (sim, m, body) => ok(sim.productJson(sim.createProduct(m[1]!, (await body()) as unknown as ProductInput)), 201),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/products/([^/]+)$`),
    handler: (sim, m) => ok(sim.productJson(sim.getProduct(m[1]!, m[2]!))),
  },
  {
    method: "PATCH",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/products/([^/]+)$`),
    handler: async (sim, m, body) => {
      const { product, changed } = sim.editProduct(m[1]!, m[2]!, (await body()) as ProductPatch);
      return ok({ changed, product: sim.productJson(product) });
    },
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/products/([^/]+)$`),
    handler: (sim, m) => ok({ deleted: sim.deleteProduct(m[1]!, m[2]!).id }),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/uninstall$`),
    handler: (sim, m) => {
      const shop = sim.uninstall(m[1]!);
      return ok({ domain: shop.domain, installed: shop.installed });
    },
  },
  {
    method: "PUT",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/staff/(\\d+)$`),
    handler: async (sim, m, body) => ok(sim.setStaffMember(m[1]!, Number(m[2]), (await body()) as StaffUserFields)),
  },
  { method: "POST", pattern: new RegExp(`^/_sim/shops/${SHOP}/tokens/revoke$`), handler: (sim, m) => ok({ revoked: sim.revokeTokens(m[1]!) }) },
  { method: "POST", pattern: new RegExp(`^/_sim/shops/${SHOP}/tokens/expire$`), handler: (sim, m) => ok({ expired: sim.expireTokens(m[1]!) }) },
  {
    method: "GET",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/bulk-operations$`),
    handler: (sim, m) =>
      ok(
        sim.bulkOperations(m[1]!).map((op) => {
          const json: Record<string, unknown> = { ...op };
          delete json["filePath"];
          delete json["cancelRequested"];
          return json;
        }),
      ),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_sim/shops/${SHOP}/webhooks$`),
    handler: async (sim, m, body) => {
      const b = await body();
      return ok(sim.sendWebhook(m[1]!, String(b["topic"] ?? ""), b["payload"]), 201);
    },
  },
  {
    method: "GET",
    pattern: /^\/_sim\/throttle$/,
    handler: (sim, _m, _b, q) => ok({ ...sim.throttleSettings, ...(q.get("shop") ? { status: sim.throttleStatus(q.get("shop")!) } : {}) }),
  },
  {
    method: "PUT",
    pattern: /^\/_sim\/throttle$/,
    handler: async (sim, _m, body) => {
      const b = await body();
      return ok(
        sim.setThrottle({
          enabled: typeof b["enabled"] === "boolean" ? b["enabled"] : undefined,
          bucketSize: num(b["bucketSize"], "bucketSize"),
          restoreRate: num(b["restoreRate"], "restoreRate"),
          maxQueryCost: num(b["maxQueryCost"], "maxQueryCost"),
          available: num(b["available"], "available"),
          shop: typeof b["shop"] === "string" ? b["shop"] : undefined,
        }),
      );
    },
  },
  { method: "GET", pattern: /^\/_sim\/failures$/, handler: (sim) => ok(sim.pendingFailures) },
  {
    method: "POST",
    pattern: /^\/_sim\/failures$/,
    handler: async (sim, _m, body) => {
      sim.injectFailures((await body()) as unknown as FailureInjection);
      return ok(sim.pendingFailures, 201);
    },
  },
  {
    method: "DELETE",
    pattern: /^\/_sim\/failures$/,
    handler: (sim) => {
      sim.clearFailures();
      return ok([]);
    },
  },
  { method: "GET", pattern: /^\/_sim\/stats$/, handler: (sim, _m, _b, q) => ok(sim.stats(q.get("shop") ?? undefined)) },
  {
    method: "GET",
    pattern: /^\/_sim\/webhooks$/,
    handler: (sim, _m, _b, q) => ok(sim.webhookLog({ shop: q.get("shop") ?? undefined, topic: q.get("topic") ?? undefined })),
  },
  { method: "POST", pattern: /^\/_sim\/webhooks\/([^/]+)\/resend$/, handler: (sim, m) => ok(sim.resendWebhook(m[1]!), 201) },
  {
    method: "POST",
    pattern: /^\/_sim\/webhooks\/hold$/,
    handler: (sim) => {
      sim.holdWebhooks();
      return ok({ holding: true });
    },
  },
  {
    method: "POST",
    pattern: /^\/_sim\/webhooks\/release$/,
    handler: async (sim, _m, body) => {
      const b = await body();
      const released = await sim.releaseWebhooks((b["order"] as ReleaseOrder | undefined) ?? "fifo");
      return ok(released);
    },
  },
  {
    method: "PUT",
    pattern: /^\/_sim\/webhooks\/settings$/,
    handler: async (sim, _m, body) => {
      const b = await body();
      if ("topics" in b) {
        if (b["topics"] !== null && !(Array.isArray(b["topics"]) && b["topics"].every((t) => typeof t === "string"))) {
          throw new SimInputError("topics must be a list of topics or null");
        }
        sim.webhooks.topics = b["topics"] as string[] | null;
      }
      return ok(
        sim.setWebhookSettings({
          ...(num(b["delayMs"], "delayMs") !== undefined ? { delayMs: num(b["delayMs"], "delayMs")! } : {}),
          ...(num(b["retries"], "retries") !== undefined ? { retries: num(b["retries"], "retries")! } : {}),
          ...(num(b["retryBaseMs"], "retryBaseMs") !== undefined ? { retryBaseMs: num(b["retryBaseMs"], "retryBaseMs")! } : {}),
          ...(num(b["timeoutMs"], "timeoutMs") !== undefined ? { timeoutMs: num(b["timeoutMs"], "timeoutMs")! } : {}),
        }),
      );
    },
  },
  {
    method: "PUT",
    pattern: /^\/_sim\/app-url$/,
    handler: async (sim, _m, body) => {
      const b = await body();
      sim.setAppUrl(typeof b["appUrl"] === "string" && b["appUrl"] ? b["appUrl"] : null);
      return ok({ appUrl: sim.appUrl });
    },
  },
];

async function handle(sim: ShopifySim, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sim.countRequest();
  const url = new URL(req.url ?? "/", "http://localhost");
  const pathname = url.pathname;
  const method = req.method ?? "GET";
  const headerShop = typeof req.headers["x-shopify-shop-domain"] === "string" ? req.headers["x-shopify-shop-domain"].toLowerCase() : null;
  const contentType = String(req.headers["content-type"] ?? "");

  if (pathname === "/admin/oauth/access_token") {
    if (method !== "POST") return send(res, { status: 405, body: { errors: "Method Not Allowed" } });
    if (await injectedFailure(sim, "oauth", headerShop, req, res)) return;
    const body = parseFormOrJson(await readBody(req), contentType);
    return send(res, await sim.tokenRequest(body, headerShop));
  }
  const graphqlMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(pathname);
  if (graphqlMatch) {
    if (graphqlMatch[1] !== API_VERSION) return send(res, { status: 404, body: { errors: "Not Found" } });
    if (method !== "POST") return send(res, { status: 405, body: { errors: "Method Not Allowed" } });
    if (await injectedFailure(sim, "graphql", headerShop, req, res)) return;
    const text = await readBody(req);
    const input = contentType.includes("application/graphql") ? { query: text } : parseJsonBody(text);
    const token = typeof req.headers["x-shopify-access-token"] === "string" ? req.headers["x-shopify-access-token"] : null;
    const reply = sim.graphql(token, headerShop, input);
    return send(res, { ...reply, headers: { "X-Shopify-API-Version": API_VERSION } });
  }
  if (method === "GET" || method === "HEAD") {
    const shell = parseAdminShellPath(pathname, url.searchParams);
    if (shell) {
      const page = await renderAdminShell(sim, shell, await sim.appFrameOrigin());
      res.writeHead(page.status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(method === "HEAD" ? undefined : page.html);
      return;
    }
  }
  if (pathname.startsWith("/admin/")) return send(res, { status: 404, body: { errors: "Not Found" } });

  if (pathname === "/app-bridge.js") {
    if (method !== "GET" && method !== "HEAD") return send(res, { status: 405, headers: CORS, body: { errors: "Method Not Allowed" } });
    res.writeHead(200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
      "Cross-Origin-Resource-Policy": "cross-origin",
      ...CORS,
    });
    res.end(method === "HEAD" ? undefined : appBridgeScript(sim.url));
    return;
  }
  if (pathname === "/_sim/session-token") {
    // Called by the App Bridge stand-in from the app's origin: CORS on every answer.
    if (method === "OPTIONS") {
      res.writeHead(204, { ...CORS, "Access-Control-Allow-Methods": "GET, OPTIONS", "Access-Control-Max-Age": "600" });
      res.end();
      return;
    }
    if (method !== "GET") return send(res, { status: 405, headers: CORS, body: { error: "Method Not Allowed" } });
    try {
      const user = url.searchParams.get("user");
      const issued = await sim.issueSessionToken(url.searchParams.get("shop") ?? "", { userId: user === null ? undefined : Number(user) });
      return send(res, { status: 200, headers: { ...CORS, "Cache-Control": "no-store" }, body: issued });
    } catch (error) {
      if (error instanceof SimInputError) return send(res, { status: error.status, headers: CORS, body: { error: error.message } });
      throw error;
    }
  }

  const bulkMatch = /^\/_sim\/bulk\/([^/]+\.jsonl)$/.exec(pathname);
  if (bulkMatch && method === "GET") {
    const file = sim.bulkFile(bulkMatch[1]!);
    if (!file) return send(res, { status: 404, body: { errors: "Not Found" } });
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    const stream = createReadStream(file);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
    return;
  }
  if (pathname.startsWith("/_sim/")) {
    for (const route of ROUTES) {
      const m = route.pattern.exec(pathname);
      if (!m || route.method !== method) continue;
      const params = m.map((v, i) => (i === 0 ? v : decodeURIComponent(v)));
      const reply = await route.handler(sim, params, async () => parseJsonBody(await readBody(req)), url.searchParams);
      return send(res, reply);
    }
    return send(res, { status: 404, body: { error: `No control endpoint ${method} ${pathname}` } });
  }
  if (method === "GET" && pathname.endsWith(".svg")) {
    const svg = sim.imageSvg(pathname);
    if (svg) {
      res.writeHead(200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=3600" });
      res.end(svg);
      return;
    }
  }
  if (method === "GET" && pathname === "/") {
    return send(res, {
      status: 200,
      body: {
        name: "shopify-sim",
        apiVersion: API_VERSION,
        graphql: `${sim.url}/admin/api/${API_VERSION}/graphql.json`,
        shops: [...sim.shops.keys()],
        docs: "tools/shopify-sim/README.md",
      },
    });
  }
  return send(res, { status: 404, body: { errors: "Not Found" } });
}

/** The origin, and for 127.0.0.1 / localhost the other name of it (a browser may use either). */
function sameMachineOrigins(origin: string): string[] {
  const url = new URL(origin);
  const other = url.hostname === "127.0.0.1" ? "localhost" : url.hostname === "localhost" ? "127.0.0.1" : null;
  if (!other) return [url.origin];
  const alt = new URL(url.origin);
  alt.hostname = other;
  return [url.origin, alt.origin];
}

/** A running simulator: the simulator API plus its HTTP server. */
export class ShopifySim extends ShopifySimulator {
  port = 0;
  private server: Server | null = null;
  private appFrame: AppFrameProxy | null = null;

  constructor(options: ShopifySimOptions = {}) {
    super(options);
  }

  /**
   * Origin the admin shell loads the app from: the app frame proxy in front of the app URL (started
   * on first use), or the app URL itself with `appFrameProxy: false`; null without an app URL.
   */
  async appFrameOrigin(): Promise<string | null> {
    if (!this.appUrl) return null;
    if (this.options.appFrameProxy === false) return new URL(this.appUrl).origin;
    this.appFrame ??= new AppFrameProxy({
      upstream: () => this.appUrl,
      frameAncestor: () => sameMachineOrigins(this.url).join(" "),
      host: this.options.host ?? "127.0.0.1",
      port: this.options.appFramePort ?? 0,
      log: (line) => this.log(line),
    });
    return this.appFrame.start();
  }

  /** URL of the admin shell page for a shop. */
  adminUrl(shop: string, handle = "passport"): string {
    return `${this.url}/admin/apps/${encodeURIComponent(handle)}?shop=${encodeURIComponent(shop.toLowerCase())}`;
  }

  /** Loads the seed, starts listening and creates the configured shops. */
  async start(): Promise<this> {
    await this.loadSeed();
    const server = createServer((req, res) => {
      handle(this, req, res).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof SimInputError) send(res, { status: error.status, body: { error: error.message } });
        else {
          this.log(`error: ${(error as Error).stack ?? String(error)}`);
          send(res, { status: 500, body: { errors: "Internal Server Error", message: (error as Error).message } });
        }
      });
    });
    this.server = server;
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    const publicHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    this.setOrigin(this.options.publicUrl ?? `http://${publicHost.includes(":") ? `[${publicHost}]` : publicHost}:${this.port}`);
    for (const shop of this.options.shops ?? []) this.ensureShop(shop);
    return this;
  }

  /** Stops the server (open connections are closed) and removes bulk files. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    await this.appFrame?.close();
    this.appFrame = null;
    await this.shutdown();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
