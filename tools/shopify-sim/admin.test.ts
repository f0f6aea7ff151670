// The embedded admin without Shopify, over HTTP: session tokens, the App Bridge stand-in script,
// the admin shell page and the app frame proxy. (app-bridge.browser.test.ts drives them in Chromium.)
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { execFile } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Script } from "node:vm";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHostParam, relaxFrameAncestors, startShopifySim, type ShopifySim } from "./index.ts";

const apiKey = "admin-test-key";
const apiSecret = "admin-test-secret";
const secret = new TextEncoder().encode(apiSecret);

interface Upstream {
  url: string;
  seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

/** A stand-in for the app behind the app frame proxy: answers like shopify-app-remix's document responses. */
async function startUpstream(): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (req.url?.startsWith("/redirect")) {
        res.writeHead(302, { Location: `${url}/app/next?x=1` });
        res.end();
        return;
      }
      res.writeHead(200, {
        "Content-Type": "text/html",
        "Content-Security-Policy": "default-src 'self'; frame-ancestors https://shop.myshopify.com https://admin.shopify.com;",
        "X-Frame-Options": "DENY",
        Link: '<https://cdn.shopify.com/shopifycloud/app-bridge.js>; rel="preload"; as="script";',
        "X-App": "yes",
      });
      res.end(`<p>${req.method} ${req.url}</p>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let sim: ShopifySim;
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
  sim = await startShopifySim({ apiKey, apiSecret, appUrl: upstream.url, shops: ["known-shop.myshopify.com"] });
});
afterAll(async () => {
  await sim.close();
  await upstream.close();
});

describe("GET /_sim/session-token", () => {
  it("answers a fresh session token signed with the API secret, with Shopify's claims, and CORS", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await fetch(`${sim.url}/_sim/session-token?shop=known-shop.myshopify.com`, { headers: { Origin: "http://127.0.0.1:3000" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { token: string; expiresAt: number; expiresIn: number; shop: string; apiKey: string; user: unknown; scopes: string[] };
    expect(body).toMatchObject({
      shop: "known-shop.myshopify.com",
      apiKey,
      expiresIn: 60,
      user: { id: 1, name: "Merchant User 1", email: "user1@known-shop.example", accountAccess: "Account owner", locale: "en" },
      scopes: ["read_products", "write_products"],
    });
    const { payload, protectedHeader } = await jwtVerify(body.token, secret, { audience: apiKey, algorithms: ["HS256"] });
    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toMatchObject({ iss: "https://known-shop.myshopify.com/admin", dest: "https://known-shop.myshopify.com", aud: apiKey, sub: "1" });
    expect(payload.exp).toBe(body.expiresAt);
    expect(payload.exp! - before).toBeGreaterThanOrEqual(59);
    expect(payload.exp! - before).toBeLessThanOrEqual(61);
    expect(payload.nbf!).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.iat).toBe(payload.nbf);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload["sid"]).toMatch(/^[0-9a-f]{32}$/);
    await expect(jwtVerify(body.token, new TextEncoder().encode("another-secret"))).rejects.toThrow();

    // Each call is a new token (jti) of the same admin session (sid); ?user= picks the staff member.
    const again = (await (await fetch(`${sim.url}/_sim/session-token?shop=KNOWN-SHOP.myshopify.com`)).json()) as { token: string };
    const second = (await jwtVerify(again.token, secret)).payload;
    expect(second.jti).not.toBe(payload.jti);
    expect(second["sid"]).toBe(payload["sid"]);
    const staff = (await (await fetch(`${sim.url}/_sim/session-token?shop=known-shop.myshopify.com&user=7`)).json()) as { token: string; user: { id: number } };
    expect(staff.user.id).toBe(7);
    expect((await jwtVerify(staff.token, secret)).payload.sub).toBe("7");
  });

  it("is accepted by the token exchange, which installs the shop", async () => {
    sim.ensureShop("exchange-shop.myshopify.com");
    const { token } = (await (await fetch(`${sim.url}/_sim/session-token?shop=exchange-shop.myshopify.com`)).json()) as { token: string };
    const res = await fetch(`${sim.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": "exchange-shop.myshopify.com" },
      body: JSON.stringify({
        client_id: apiKey,
        client_secret: apiSecret,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: token,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      }),
    });
    expect(res.status).toBe(200);
    expect(sim.shops.get("exchange-shop.myshopify.com")?.installed).toBe(true);
  });

  it("refuses unknown shops, non-shop domains and bad users (with CORS, so the page can read why), and answers preflights", async () => {
    const unknown = await fetch(`${sim.url}/_sim/session-token?shop=never-seen.myshopify.com`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^Unknown shop never-seen\.myshopify\.com/);
    expect(sim.shops.has("never-seen.myshopify.com")).toBe(false);
    expect((await fetch(`${sim.url}/_sim/session-token?shop=example.com`)).status).toBe(400);
    expect((await fetch(`${sim.url}/_sim/session-token`)).status).toBe(400);
    expect((await fetch(`${sim.url}/_sim/session-token?shop=known-shop.myshopify.com&user=abc`)).status).toBe(400);
    const preflight = await fetch(`${sim.url}/_sim/session-token?shop=known-shop.myshopify.com`, {
      method: "OPTIONS",
      headers: { Origin: "http://127.0.0.1:3000", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect((await fetch(`${sim.url}/_sim/session-token?shop=known-shop.myshopify.com`, { method: "POST" })).status).toBe(405);
  });
});

describe("GET /app-bridge.js", () => {
  it("serves the stand-in as JavaScript that any origin may load, pointing back at this simulator", async () => {
    const res = await fetch(`${sim.url}/app-bridge.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const source = await res.text();
    expect(() => new Script(source, { filename: "app-bridge.js" })).not.toThrow();
    expect(source).toContain("window.shopify = shopify");
    expect(source).toContain(JSON.stringify(sim.url));
    expect(source).not.toContain("__SHOPIFY_SIM_ORIGIN__");
    // The only URLs it builds point at the simulator (its own origin) or the page's origin.
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    expect(code.match(/https?:\/\/[a-z0-9.:-]+/gi) ?? []).toEqual([sim.url]);
    expect((await fetch(`${sim.url}/app-bridge.js?shop=known-shop.myshopify.com`)).status).toBe(200);
  });
});

describe("admin shell page", () => {
  it("frames the app at {app}/app with embedded=1, shop, host, a fresh id_token and locale; the shop becomes known", async () => {
    const shop = "shell-http.myshopify.com";
    expect(sim.shops.has(shop)).toBe(false);
    const res = await fetch(`${sim.url}/admin/apps/passport?shop=${shop}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("Shell Http");
    expect(html).toContain(">Passport<");
    const src = new URL(/<iframe id="app-frame"[^>]* src="([^"]+)"/.exec(html)![1]!.replaceAll("&#38;", "&"));
    expect(src.origin).toBe(await sim.appFrameOrigin());
    expect(src.origin).not.toBe(upstream.url);
    expect(src.pathname).toBe("/app");
    expect([...src.searchParams.keys()]).toEqual(["embedded", "shop", "host", "id_token", "locale"]);
    expect(src.searchParams.get("embedded")).toBe("1");
    expect(src.searchParams.get("shop")).toBe(shop);
    expect(src.searchParams.get("locale")).toBe("en");
    expect(Buffer.from(src.searchParams.get("host")!, "base64").toString()).toBe("admin.shopify.com/store/shell-http");
    const { payload } = await jwtVerify(src.searchParams.get("id_token")!, secret, { audience: apiKey });
    expect(payload).toMatchObject({ dest: `https://${shop}`, iss: `https://${shop}/admin`, sub: "1" });
    expect(sim.shops.get(shop)).toMatchObject({ installed: false });
  });

  it("maps /store/<name>/apps/<handle>/<path> to {app}/<path>, passing the page's own query on", async () => {
    const html = await (await fetch(`${sim.url}/store/path-shop/apps/passport-dpp/app/products?tab=active&shop=evil.myshopify.com&id_token=x`)).text();
    const src = new URL(/ src="([^"]+)"/.exec(html)![1]!.replaceAll("&#38;", "&"));
    expect(src.pathname).toBe("/app/products");
    expect(src.searchParams.get("tab")).toBe("active");
    expect(src.searchParams.getAll("shop")).toEqual(["path-shop.myshopify.com"]);
    expect(src.searchParams.getAll("id_token")).toHaveLength(1);
    expect(src.searchParams.get("id_token")).not.toBe("x");
    expect(html).toContain('"base":"/store/path-shop/apps/passport-dpp"');
  });

  it("asks for a shop, refuses non-shop domains, and explains a missing app URL", async () => {
    const noShop = await fetch(`${sim.url}/admin/apps/passport`);
    expect(noShop.status).toBe(400);
    const list = await noShop.text();
    expect(list).toContain("Which shop?");
    expect(list).toContain('href="/admin/apps/passport?shop=known-shop.myshopify.com"');
    const bad = await fetch(`${sim.url}/admin/apps/passport?shop=${encodeURIComponent("<b>x</b>")}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("&#60;b&#62;x&#60;/b&#62;");

    const bare = await startShopifySim({ apiKey, apiSecret });
    try {
      const res = await fetch(`${bare.url}/admin/apps/passport?shop=bare-shop.myshopify.com`);
      expect(res.status).toBe(503);
      const html = await res.text();
      expect(html).toContain("No app URL configured");
      expect(html).toContain("--app-url");
      expect(html).toContain(`APP_BRIDGE_URL=${bare.url}/app-bridge.js`);
      expect(html).not.toContain("<iframe");
      // Configured later over the control API.
      await fetch(`${bare.url}/_sim/app-url`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ appUrl: upstream.url }) });
      expect((await fetch(`${bare.url}/admin/apps/passport?shop=bare-shop.myshopify.com`)).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it("frames the app URL directly with appFrameProxy: false", async () => {
    const direct = await startShopifySim({ apiKey, apiSecret, appUrl: `${upstream.url}/`, appFrameProxy: false });
    try {
      const html = await (await fetch(`${direct.url}/admin/apps/passport?shop=direct-shop.myshopify.com`)).text();
      expect(/ src="([^"]+)"/.exec(html)![1]!.startsWith(`${upstream.url}/app?embedded=1&#38;shop=direct-shop.myshopify.com`)).toBe(true);
    } finally {
      await direct.close();
    }
  });

  it("passes `host` in the form @shopify/shopify-api accepts (base64, no - or _)", () => {
    const shopify = shopifyApi({
      apiKey,
      apiSecretKey: apiSecret,
      apiVersion: ApiVersion.October26,
      hostName: "passport.example",
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    });
    for (const name of ["a", "passport-demo", "zz-top", "0-9", "shop-with-a-rather-long-name-0123456789", "qqq", "x-y-z-w", "yyyyy", "vvv-vv"]) {
      const host = adminHostParam(`${name}.myshopify.com`);
      expect(host).toMatch(/^[0-9a-zA-Z+/]+$/);
      expect(Buffer.from(host, "base64").toString()).toBe(`admin.shopify.com/store/${name}`);
      expect(shopify.utils.sanitizeHost(host)).toBe(host);
    }
  });
});

describe("app frame proxy", () => {
  it("forwards requests unchanged and lets the simulator's admin page frame the answer", async () => {
    const origin = (await sim.appFrameOrigin())!;
    upstream.seen.length = 0;
    const res = await fetch(`${origin}/app/form?a=1`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "Bearer abc", "User-Agent": "Mozilla/5.0 HeadlessChrome/140.0.0.0 Safari/537.36" },
      body: "title=Linen+shirt",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("<p>POST /app/form?a=1</p>");
    expect(res.headers.get("content-security-policy")).toBe(`default-src 'self'; frame-ancestors 'self' ${sim.url} ${sim.url.replace("127.0.0.1", "localhost")};`);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("link")).toBeNull();
    expect(res.headers.get("x-app")).toBe("yes");
    const [seen] = upstream.seen;
    expect(seen).toMatchObject({ method: "POST", url: "/app/form?a=1", body: "title=Linen+shirt" });
    expect(seen!.headers).toMatchObject({
      host: new URL(upstream.url).host,
      authorization: "Bearer abc",
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Mozilla/5.0 Chrome/140.0.0.0 Safari/537.36",
      "x-forwarded-host": new URL(origin).host,
      "x-forwarded-proto": "http",
    });

    const redirect = await fetch(`${origin}/redirect`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe(`${origin}/app/next?x=1`);
  });

  it("explains when the app is not running", async () => {
    const down = await startShopifySim({ apiKey, apiSecret, appUrl: "http://127.0.0.1:9" });
    try {
      const res = await fetch(`${(await down.appFrameOrigin())!}/app`);
      expect(res.status).toBe(502);
      expect(await res.text()).toContain("Is the app running at http://127.0.0.1:9?");
    } finally {
      await down.close();
    }
  });

  it("relaxes only frame-ancestors", () => {
    expect(relaxFrameAncestors("frame-ancestors https://a.myshopify.com https://admin.shopify.com;", "http://127.0.0.1:8081")).toBe(
      "frame-ancestors 'self' http://127.0.0.1:8081;",
    );
    expect(relaxFrameAncestors("default-src 'self'; img-src *", "http://x")).toBe("default-src 'self'; img-src *");
  });
});

describe("command line", () => {
  it("session-token prints a token for a shop of a running simulator", async () => {
    const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, cli, "session-token", "--url", sim.url, "--shop", "known-shop.myshopify.com", "--user", "3"]);
    const { payload } = await jwtVerify(stdout.trim(), secret, { audience: apiKey });
    expect(payload).toMatchObject({ dest: "https://known-shop.myshopify.com", sub: "3" });
  });
});
