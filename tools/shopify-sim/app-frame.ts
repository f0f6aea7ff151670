// The app, as the admin shell frames it: a small reverse proxy on its own port in front of the
// app URL. Why: Shopify's app library answers every embedded document request with
// `Content-Security-Policy: frame-ancestors https://{shop} https://admin.shopify.com …`, so a
// browser refuses to show the app inside the simulator's admin page (http://127.0.0.1:<port>).
// The proxy forwards every request unchanged (method, path, query, headers, body, streamed; it adds
// X-Forwarded-Host/-Proto, and a headless Chromium's User-Agent "HeadlessChrome/" reads "Chrome/",
// see below) and changes only what the browser needs in the answer:
//   - `frame-ancestors` → `'self' {simulator origin}` (and any X-Frame-Options is dropped),
//   - `Link` preloads of cdn.shopify.com (unreachable here) are dropped,
//   - a `Location` pointing at the app URL points at the proxy instead.
// The app keeps its own origin (the proxy's, not the simulator's), as on Shopify, where the app is
// cross-origin to admin.shopify.com.
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export interface AppFrameProxyOptions {
  /** The app's origin (may change at runtime: `PUT /_sim/app-url`). */
  upstream: () => string | null;
  /** Origin allowed to frame the app (the simulator's). */
  frameAncestor: () => string;
  host: string;
  port: number;
  log: (line: string) => void;
}

/** Rewrites a Content-Security-Policy so that `ancestors` may frame the page (only if it restricts framing). */
export function relaxFrameAncestors(csp: string, ancestors: string): string {
  const directives = csp
    .split(";")
    .map((d) => d.trim())
    .filter(Boolean);
  if (!directives.some((d) => /^frame-ancestors(\s|$)/i.test(d))) return csp;
  return [...directives.filter((d) => !/^frame-ancestors(\s|$)/i.test(d)), `frame-ancestors 'self' ${ancestors}`].join("; ") + ";";
}

/** Drops the `Link` entries that preload from cdn.shopify.com; null when nothing is left. */
export function withoutShopifyCdnLinks(link: string): string | null {
  const kept = link
    .split(/,(?=\s*<)/)
    .map((l) => l.trim())
    .filter((l) => l && !/^<https?:\/\/cdn\.shopify\.com[/>]/i.test(l));
  return kept.length ? kept.join(", ") : null;
}

function responseHeaders(headers: IncomingHttpHeaders, upstreamOrigin: string, proxyOrigin: string, ancestor: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === "x-frame-options") continue;
    if (name === "content-security-policy") {
      // Several policies all apply: relax each (joined, they would be one policy with duplicate directives).
      const policies = Array.isArray(value) ? value : [value];
      out[name] = policies.map((v) => relaxFrameAncestors(v, ancestor)).join(", ");
    } else if (name === "link") {
      const link = withoutShopifyCdnLinks(Array.isArray(value) ? value.join(", ") : value);
      if (link) out[name] = link;
    } else if (name === "location" && typeof value === "string") {
      out[name] = value.startsWith(upstreamOrigin + "/") || value === upstreamOrigin ? proxyOrigin + value.slice(upstreamOrigin.length) : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

function errorPage(res: ServerResponse, status: number, title: string, message: string): void {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
      `<body style="font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#303030"><h1 style="font-size:1.2rem">${escape(title)}</h1>` +
      `<p>${escape(message)}</p></body></html>`,
  );
}

export class AppFrameProxy {
  private server: Server | null = null;
  private starting: Promise<string> | null = null;
  origin: string | null = null;

  constructor(private readonly options: AppFrameProxyOptions) {}

  /** Starts listening (once); resolves to the proxy's origin. */
  start(): Promise<string> {
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = null; // e.g. the port is taken: try again on the next page
      throw error;
    });
    return this.starting;
  }

  private async listen(): Promise<string> {
    const server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.options.host === "0.0.0.0" || this.options.host === "::" ? "127.0.0.1" : this.options.host;
    this.origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    this.options.log(`app frame proxy ${this.origin} → ${this.options.upstream() ?? "(no app URL yet)"}`);
    return this.origin;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = this.options.upstream();
    if (!upstream) {
      errorPage(res, 503, "No app URL", "The Shopify simulator has no app URL: start it with --app-url <url> or PUT /_sim/app-url {\"appUrl\": …}.");
      req.resume();
      return;
    }
    const base = new URL(upstream);
    const target = new URL(req.url ?? "/", base.origin);
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === "host") continue;
      headers[name] = value;
    }
    headers["host"] = base.host;
    // As any reverse proxy: the app learns the address the browser used. (Remix refuses an action
    // whose Origin matches neither X-Forwarded-Host nor Host, as a possible CSRF.)
    if (req.headers.host) headers["x-forwarded-host"] = req.headers.host;
    headers["x-forwarded-proto"] = "http";
    // Shopify's app library answers 410 Gone to bots (isbot), and headless Chromium counts as one:
    // browser tests of the admin would never reach the app. A person's browser sends "Chrome/".
    if (typeof headers["user-agent"] === "string") headers["user-agent"] = headers["user-agent"].replace(/HeadlessChrome\//g, "Chrome/");
    const send = base.protocol === "https:" ? httpsRequest : httpRequest;
    const upstreamReq = send(target, { method: req.method, headers }, (upstreamRes) => {
      res.writeHead(
        upstreamRes.statusCode ?? 502,
        upstreamRes.statusMessage,
        responseHeaders(upstreamRes.headers, base.origin, this.origin ?? "", this.options.frameAncestor()),
      );
      upstreamRes.pipe(res);
      upstreamRes.on("error", () => res.destroy());
    });
    upstreamReq.on("error", (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      errorPage(res, 502, "The app is not reachable", `${req.method} ${target.href} failed: ${error.message}. Is the app running at ${base.origin}?`);
    });
    req.on("aborted", () => upstreamReq.destroy());
    req.pipe(upstreamReq);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.starting = null;
    this.origin = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
