// The App Bridge stand-in and the admin shell in Chromium (Debian's, driven by playwright-core),
// against a tiny fake "app": a page that loads {sim}/app-bridge.js, and API routes that accept
// only requests carrying a valid session token (as authenticate.admin does).
import { existsSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify, type JWTPayload } from "jose";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminHostParam, startShopifySim, type ShopifySim } from "./index.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const apiKey = "browser-test-key";
const apiSecret = "browser-test-secret";
const SHOP = "browser-shop.myshopify.com";
const HOST = adminHostParam(SHOP);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

async function listen(handler: (req: Seen, reply: (status: number, headers: Record<string, string>, body: string) => void) => void | Promise<void>): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(entry);
      void Promise.resolve(
        handler(entry, (status, headers, body) => {
          res.writeHead(status, headers);
          res.end(body);
        }),
      ).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What authenticate.admin checks of a bearer token: HS256 with the secret, audience, expiry. */
async function verify(authorization: string | undefined): Promise<JWTPayload | null> {
  const token = authorization?.replace(/^Bearer /, "");
  if (!token) return null;
  try {
    return (await jwtVerify(token, new TextEncoder().encode(apiSecret), { audience: apiKey, algorithms: ["HS256"] })).payload;
  } catch {
    return null;
  }
}

let sim: ShopifySim;
let app: TestServer;
let other: TestServer;
let browser: Browser;
let flakyCalls = 0;

function appPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Fake app</title>
<script src="${sim.url}/app-bridge.js" data-api-key="${apiKey}"></script>
</head>
<body>
<ui-nav-menu><a href="/app" rel="home">Home</a><a href="/app/other">Other</a></ui-nav-menu>
<ui-title-bar title="Fake app">
  <button variant="primary" onclick="window.created = (window.created || 0) + 1">Create</button>
  <button onclick="window.exported = true">Export</button>
</ui-title-bar>
<button id="whoami">Who am I?</button>
<pre id="out"></pre>
<ui-modal id="greeting"><p>Hello from the modal</p><ui-title-bar title="Modal title"><button variant="primary" onclick="window.confirmed = true">OK</button></ui-title-bar></ui-modal>
<script>
  document.getElementById("whoami").addEventListener("click", async () => {
    const res = await fetch("/api/whoami");
    document.getElementById("out").textContent = res.status + " " + (await res.text());
  });
  window.navigations = [];
  if (new URLSearchParams(location.search).has("router")) {
    window.addEventListener("shopify:navigate", (event) => window.navigations.push(event.target.getAttribute("href")));
  }
</script>
</body>
</html>`;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`);
  app = await listen(async (req, reply) => {
    const path = req.url.split("?")[0]!;
    if (path === "/app" || path === "/app/other") {
      // As shopify-app-remix answers document requests: only Shopify admin may frame the app.
      return reply(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": `frame-ancestors https://${SHOP} https://admin.shopify.com;` }, appPage());
    }
    if (path === "/auth/session-token") {
      // shopify-app-remix's bounce page: just the App Bridge script.
      return reply(200, { "Content-Type": "text/html; charset=utf-8" }, `<script data-api-key="${apiKey}" src="${sim.url}/app-bridge.js"></script>`);
    }
    if (path === "/favicon.ico") return reply(204, {}, "");
    if (req.method === "POST" && req.headers.origin) {
      // Remix refuses an action whose Origin is neither X-Forwarded-Host nor Host (CSRF check).
      const host = String(req.headers["x-forwarded-host"] ?? req.headers.host);
      if (new URL(req.headers.origin).host !== host) return reply(500, {}, "host header does not match `origin` header");
    }
    if (path === "/api/denied") return reply(401, {}, "");
    if (path === "/api/raw-auth") return reply(200, { "Content-Type": "text/plain" }, req.headers.authorization ?? "");
    const claims = await verify(req.headers.authorization);
    const json = { "Content-Type": "application/json" };
    if (path === "/api/flaky" && flakyCalls++ === 0) return reply(401, { "X-Shopify-Retry-Invalid-Session-Request": "1" }, "");
    if (!claims) return reply(401, { "X-Shopify-Retry-Invalid-Session-Request": "1" }, "");
    const shop = new URL(String(claims["dest"])).host;
    if (path === "/api/whoami" || path === "/api/flaky") return reply(200, json, JSON.stringify({ shop, sub: claims.sub, jti: claims.jti }));
    if (path === "/api/echo") {
      return reply(200, json, JSON.stringify({ shop, method: req.method, body: req.body, contentType: req.headers["content-type"], custom: req.headers["x-custom"] }));
    }
    return reply(404, {}, "not found");
  });
  other = await listen((_req, reply) => reply(200, { "Access-Control-Allow-Origin": "*", "Content-Type": "text/plain" }, "pong"));
  sim = await startShopifySim({ apiKey, apiSecret, appUrl: app.url, shops: [SHOP] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await sim?.close();
  await app?.close();
  await other?.close();
});

beforeEach(() => {
  app.seen.length = 0;
  other.seen.length = 0;
  flakyCalls = 0;
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  close(): Promise<void>;
}

async function open(url: string, options: { clock?: boolean } = {}): Promise<Opened> {
  const context = await browser.newContext();
  if (options.clock) await context.clock.install();
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, problems, requests, close: () => context.close() };
}

const appUrl = (path: string, extra = "") => `${app.url}${path}?embedded=1&shop=${SHOP}&host=${HOST}&locale=de${extra}`;

describe("App Bridge stand-in in the app page", () => {
  it("gives the page window.shopify, authenticates same-origin fetches, leaves other origins alone and draws the nav", async () => {
    const o = await open(appUrl("/app", "&router=1"));
    const { page } = o;
    try {
      const config = await page.evaluate(() => ({ config: shopify.config, environment: shopify.environment, origin: shopify.origin }));
      expect(config).toEqual({
        config: { apiKey, shop: SHOP, host: HOST, locale: "de", appOrigins: [], disabledFeatures: [] },
        environment: { embedded: true, mobile: false, pos: false, intent: false },
        origin: sim.url,
      });

      // idToken(): a token the app accepts, cached while it is fresh.
      const token = await page.evaluate(() => shopify.idToken());
      const claims = await verify(`Bearer ${token}`);
      expect(claims).toMatchObject({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: apiKey, sub: "1" });
      expect(claims!.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(50);
      expect(await page.evaluate(() => shopify.idToken())).toBe(token);
      expect(await page.evaluate(() => shopify.user())).toEqual({ id: 1, name: "Merchant User 1", email: "user1@browser-shop.example", accountAccess: "Account owner" });
      expect(await page.evaluate(() => shopify.scopes.query())).toEqual({ granted: ["read_products", "write_products"], required: ["read_products", "write_products"], optional: [] });

      // A same-origin fetch from a button: the app sees a valid bearer token.
      await page.click("#whoami");
      await page.waitForFunction(() => document.getElementById("out")!.textContent !== "");
      expect(await page.textContent("#out")).toBe(`200 ${JSON.stringify({ shop: SHOP, sub: "1", jti: claims!.jti })}`);
      const whoami = app.seen.find((s) => s.url === "/api/whoami")!;
      expect(await verify(whoami.headers.authorization)).toMatchObject({ dest: `https://${SHOP}` });

      // Method, body and other headers are kept; so is a Request object's.
      const echo = await page.evaluate(async () => {
        const res = await fetch("/api/echo", { method: "POST", headers: { "Content-Type": "application/json", "X-Custom": "kept" }, body: JSON.stringify({ a: 1 }) });
        return res.json();
      });
      expect(echo).toEqual({ shop: SHOP, method: "POST", body: '{"a":1}', contentType: "application/json", custom: "kept" });
      const put = await page.evaluate(async () => (await fetch(new Request(`${location.origin}/api/echo`, { method: "PUT", body: "raw", headers: { "X-Custom": "req" } }))).json());
      expect(put).toMatchObject({ method: "PUT", body: "raw", custom: "req" });

      // Another origin gets no token (and so no CORS preflight either).
      expect(await page.evaluate(async (url) => (await fetch(`${url}/ping`)).text(), other.url)).toBe("pong");
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0]!.method).toBe("GET");
      expect(other.seen[0]!.headers.authorization).toBeUndefined();

      // The nav menu: a visible bar at the top with the app's links, the current one marked.
      const nav = page.locator("ui-nav-menu nav");
      expect(await nav.isVisible()).toBe(true);
      const box = (await nav.boundingBox())!;
      expect(box.y).toBeLessThanOrEqual(8); // the page's own body margin
      expect(box.height).toBeGreaterThan(30);
      expect(await page.locator("ui-nav-menu nav a").allTextContents()).toEqual(["Home", "Other"]);
      expect(await page.locator("ui-nav-menu nav a", { hasText: "Home" }).getAttribute("aria-current")).toBe("page");
      // A click is a shopify:navigate event on the app's own link, for the app's router.
      await page.locator("ui-nav-menu nav a", { hasText: "Other" }).click();
      expect(await page.evaluate(() => (window as unknown as { navigations: string[] }).navigations)).toEqual(["/app/other"]);
      expect(new URL(page.url()).pathname).toBe("/app");

      // The title bar: the title and the app's buttons.
      expect(await page.locator("ui-title-bar h1").first().textContent()).toBe("Fake app");
      await page.locator("ui-title-bar .actions button", { hasText: "Create" }).click();
      expect(await page.evaluate(() => (window as unknown as { created?: number }).created)).toBe(1);

      // Toasts, the loading bar, modals.
      await page.evaluate(() => shopify.toast.show("Saved the passport"));
      await page.getByText("Saved the passport").waitFor({ state: "visible" });
      await page.evaluate(() => shopify.loading(true));
      expect(await page.locator("[data-shopify-sim-overlay] .loading").isVisible()).toBe(true);
      await page.evaluate(() => shopify.loading(false));
      expect(await page.locator("[data-shopify-sim-overlay] .loading").isVisible()).toBe(false);
      expect(await page.getByText("Hello from the modal").isVisible()).toBe(false);
      await page.evaluate(() => shopify.modal.show("greeting"));
      await page.getByText("Hello from the modal").waitFor({ state: "visible" });
      expect(await page.locator("ui-modal h2").textContent()).toBe("Modal title");
      await page.locator("ui-modal footer button", { hasText: "OK" }).click();
      expect(await page.evaluate(() => (window as unknown as { confirmed?: boolean }).confirmed)).toBe(true);
      await page.keyboard.press("Escape");
      await page.getByText("Hello from the modal").waitFor({ state: "hidden" });
      await page.evaluate(() => shopify.saveBar.leaveConfirmation());

      // Nothing went anywhere but the app and the simulator, and nothing complained.
      expect(o.requests.filter((u) => !u.startsWith(`${app.url}/`) && !u.startsWith(`${sim.url}/`) && !u.startsWith(`${other.url}/`))).toEqual([]);
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it("retries a 401 with X-Shopify-Retry-Invalid-Session-Request once, with a new token, and keeps a page's own Authorization", async () => {
    const o = await open(appUrl("/app"));
    const { page } = o;
    try {
      // A 401 with X-Shopify-Retry-Invalid-Session-Request is retried once, with a new token.
      const flaky = await page.evaluate(async () => {
        const res = await fetch("/api/flaky", { method: "POST", body: "again" });
        return { status: res.status, body: await res.json() };
      });
      expect(flaky.status).toBe(200);
      const flakyRequests = app.seen.filter((s) => s.url === "/api/flaky");
      expect(flakyRequests.map((s) => s.body)).toEqual(["again", "again"]);
      const [first, second] = await Promise.all(flakyRequests.map((s) => verify(s.headers.authorization)));
      expect(first!.jti).not.toBe(second!.jti);

      // A 401 without that header is the app's answer: not retried.
      expect(await page.evaluate(async () => (await fetch("/api/denied")).status)).toBe(401);
      expect(app.seen.filter((s) => s.url === "/api/denied")).toHaveLength(1);

      // An Authorization header the page sets itself is left as it is.
      expect(await page.evaluate(async () => (await fetch("/api/raw-auth", { headers: { Authorization: "Bearer mine" } })).text())).toBe("Bearer mine");

      // The only complaints are the browser's about the refused requests.
      expect(o.problems.every((p) => p.includes("401") || p.includes("/api/flaky") || p.includes("/api/denied"))).toBe(true);
    } finally {
      await o.close();
    }
  });

  it("keeps a session token until 10 s before it expires, then fetches a new one", async () => {
    const o = await open(appUrl("/app"), { clock: true });
    const { page } = o;
    try {
      const first = await page.evaluate(() => shopify.idToken());
      await page.clock.fastForward(45_000);
      expect(await page.evaluate(() => shopify.idToken())).toBe(first);
      await page.clock.fastForward(6_000);
      const second = await page.evaluate(() => shopify.idToken());
      expect(second).not.toBe(first);
      expect(await verify(`Bearer ${second}`)).toMatchObject({ dest: `https://${SHOP}` });
      // Concurrent callers share one request.
      await page.clock.fastForward(60_000);
      const tokens = await page.evaluate(() => Promise.all([shopify.idToken(), shopify.idToken(), shopify.idToken()]));
      expect(new Set(tokens).size).toBe(1);
      expect(o.requests.filter((u) => u.startsWith(`${sim.url}/_sim/session-token`))).toHaveLength(3);
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it("without a router listening, a nav click loads the page as the admin would (embedded parameters, fresh id_token)", async () => {
    const o = await open(appUrl("/app"));
    try {
      await o.page.locator("ui-nav-menu nav a", { hasText: "Other" }).click();
      await o.page.waitForURL(/\/app\/other\?/);
      const url = new URL(o.page.url());
      expect(url.searchParams.get("embedded")).toBe("1");
      expect(url.searchParams.get("shop")).toBe(SHOP);
      expect(url.searchParams.get("host")).toBe(HOST);
      expect(await verify(`Bearer ${url.searchParams.get("id_token")}`)).toMatchObject({ dest: `https://${SHOP}` });
      expect(await o.page.locator("ui-nav-menu nav a", { hasText: "Other" }).getAttribute("aria-current")).toBe("page");
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it("finds the shop in the script URL, and reloads the bounce page with a fresh id_token", async () => {
    const reload = `${app.url}/app?embedded=1&shop=${SHOP}&host=${HOST}`;
    const o = await open(`${app.url}/auth/session-token?embedded=1&shop=${SHOP}&host=${HOST}&shopify-reload=${encodeURIComponent(reload)}`);
    try {
      await o.page.waitForURL(/\/app\?/);
      const url = new URL(o.page.url());
      expect(url.searchParams.get("shop")).toBe(SHOP);
      expect(await verify(`Bearer ${url.searchParams.get("id_token")}`)).toMatchObject({ dest: `https://${SHOP}` });
      // A page without ?shop= that names it in the script URL.
      await o.page.setContent(`<script src="${sim.url}/app-bridge.js?shop=${SHOP}" data-api-key="${apiKey}"></script>`);
      expect(await o.page.evaluate(() => shopify.config.shop)).toBe(SHOP);
      expect(await verify(`Bearer ${await o.page.evaluate(() => shopify.idToken())}`)).toMatchObject({ dest: `https://${SHOP}` });
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
  });
});

describe("admin shell page", () => {
  it("embeds the app with a valid id_token, and follows the app's title bar and route", async () => {
    const shop = "shell-browser.myshopify.com";
    const o = await open(`${sim.url}/admin/apps/passport?shop=${shop}`);
    const { page } = o;
    try {
      const src = new URL((await page.locator("#app-frame").getAttribute("src"))!);
      expect(src.origin).toBe(await sim.appFrameOrigin());
      expect(src.pathname).toBe("/app");
      expect(src.searchParams.get("embedded")).toBe("1");
      expect(src.searchParams.get("shop")).toBe(shop);
      expect(src.searchParams.get("locale")).toBe("en");
      expect(Buffer.from(src.searchParams.get("host")!, "base64").toString()).toBe("admin.shopify.com/store/shell-browser");
      expect(await verify(`Bearer ${src.searchParams.get("id_token")}`)).toMatchObject({
        iss: `https://${shop}/admin`,
        dest: `https://${shop}`,
        aud: apiKey,
        sub: "1",
      });
      expect(await page.locator(".topbar").textContent()).toContain("Shell Browser");

      // The app loads in the frame (its frame-ancestors relaxed by the proxy) and works there.
      const frame = page.frameLocator("#app-frame");
      await frame.locator("ui-nav-menu nav a", { hasText: "Other" }).waitFor({ state: "visible" });
      await frame.locator("#whoami").click();
      await frame.locator("#out").filter({ hasText: "200" }).waitFor();
      expect(await frame.locator("#out").textContent()).toContain(`"shop":"${shop}"`);
      const appFrame = page.frames().find((f) => f.url().startsWith(src.origin))!;
      // An action (POST) through the proxy passes Remix's Origin/Host check.
      const posted = await appFrame.evaluate(async () => {
        const res = await fetch("/api/echo", { method: "POST", body: new URLSearchParams({ intent: "sync" }) });
        return { status: res.status, body: await res.text() };
      });
      expect(posted.status).toBe(200);
      expect(JSON.parse(posted.body)).toMatchObject({ shop, method: "POST", body: "intent=sync" });

      // The title bar is drawn by the admin page; its buttons act on the app's.
      await page.locator("#page-title", { hasText: "Fake app" }).waitFor();
      expect(await page.locator("#title-actions button").allTextContents()).toEqual(["Export", "Create"]);
      await page.locator("#title-actions button", { hasText: "Create" }).click();
      await appFrame.waitForFunction(() => (window as unknown as { created?: number }).created === 1);
      expect(await frame.locator("ui-title-bar h1").count()).toBe(0);

      // Navigating in the app moves the admin's address bar.
      await frame.locator("ui-nav-menu nav a", { hasText: "Other" }).click();
      await page.waitForURL(`${sim.url}/admin/apps/passport/app/other?shop=${shop}`);
      expect(o.problems).toEqual([]);
      expect(o.requests.filter((u) => !u.startsWith(`${sim.url}/`) && !u.startsWith(`${src.origin}/`))).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it("works when the browser calls the simulator localhost rather than 127.0.0.1", async () => {
    const shop = "shell-localhost.myshopify.com";
    const o = await open(`${sim.url.replace("127.0.0.1", "localhost")}/admin/apps/passport?shop=${shop}`);
    const { page } = o;
    try {
      const frame = page.frameLocator("#app-frame");
      await frame.locator("ui-nav-menu nav a", { hasText: "Other" }).waitFor({ state: "visible" });
      // The admin page's "hello" moves the title bar up into it.
      await page.locator("#page-title", { hasText: "Fake app" }).waitFor();
      await page.locator("#title-actions button", { hasText: "Export" }).click();
      const appFrame = page.frames().find((f) => f !== page.mainFrame())!;
      await appFrame.waitForFunction(() => (window as unknown as { exported?: boolean }).exported === true);
      await frame.locator("ui-title-bar h1").waitFor({ state: "detached" });
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
  });
});
