// The end-to-end harness: the built app on a local port against the Shopify simulator, with this
// test file's database, and Debian's Chromium driven by playwright-core.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { forShop } from "../../app/db/scoped.server";
import { startShopifySim, type ShopifySim, type ShopifySimOptions } from "../../tools/shopify-sim/index.ts";
import { ensureBuilt, freePort, ROOT, startApp, type AppProcess } from "../../scripts/app-process.ts";
import { TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEY } from "./constants";
import { sessionToken } from "./shopify";
import { until } from "./wait";

export const ARTIFACTS = path.join(ROOT, "test-results");
/** The admin loads in a browser: the app turns away requests that look like bots. */
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

export interface Stack {
  app: AppProcess;
  sim: ShopifySim;
  close(): Promise<void>;
}

/** Starts the simulator and the built app (building it first when app/ changed). */
export async function startStack(options: { sim?: ShopifySimOptions; env?: Record<string, string> } = {}): Promise<Stack> {
  await ensureBuilt();
  const sim = await startShopifySim({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, log: () => undefined, bulk: { delayMs: 20 }, ...options.sim });
  const port = await freePort();
  const app = await startApp({
    port,
    output: process.env.E2E_APP_OUTPUT === "1" ? "inherit" : "ignore",
    env: {
      NODE_ENV: "test",
      DATABASE_URL: process.env.DATABASE_URL,
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_API_SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SHOPIFY_ADMIN_API_ORIGIN: sim.url,
      APP_BRIDGE_URL: `${sim.url}/app-bridge.js`,
      PASSPORT_BACKGROUND: "on",
      PASSPORT_SCHEDULE_MS: "3600000",
      PUBLIC_RATE_LIMIT: "0",
      ...options.env,
    },
  });
  sim.setAppUrl(app.url);
  return {
    app,
    sim,
    async close() {
      await app.stop();
      await sim.close();
    },
  };
}

/** The embedded admin URL Shopify would open, with a fresh session token. */
export async function adminUrl(app: AppProcess, shop: string, pathName = "/app"): Promise<string> {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
  // pathName may carry a query of its own (/app/excel?upload=…).
  return `${app.url}${pathName}${pathName.includes("?") ? "&" : "?"}embedded=1&shop=${shop}&host=${host}&id_token=${await sessionToken({ shop })}&locale=en`;
}

/** Installs the app on a shop as Shopify does (session token → token exchange → afterAuth). */
export async function install(app: AppProcess, shop: string): Promise<void> {
  const response = await fetch(await adminUrl(app, shop), { headers: { "User-Agent": BROWSER_UA } });
  if (response.status !== 200) throw new Error(`install of ${shop} answered ${response.status}`);
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync("/usr/bin/chromium")) throw new Error("Chromium is missing: apt-get install -y chromium (.ci/run does this).");
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
  });
}

/** Collects page errors and console errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  // (A request cancelled by a navigation, ERR_ABORTED, is normal.)
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED") errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AdminInBrowser {
  /** The app and the simulator (once the file's beforeAll has run). */
  readonly stack: Stack;
  /** Opens one of the shop's admin pages in a new tab; `errors` collects what went wrong on it (watchErrors). */
  open(pathName: string): Promise<{ page: Page; errors: string[] }>;
}

/**
 * A test file's shop in the embedded admin: its own stack, the shop installed and its first sync
 * done, and Chromium (with a desktop user agent: the app turns "HeadlessChrome" away as a bot).
 * Registers the file's beforeAll and afterAll.
 */
export function adminInBrowser(shop: string): AdminInBrowser {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    stack = await startStack();
    await install(stack.app, shop);
    await until(() => forShop(shop).syncRun.findFirst({ where: { status: "succeeded" } }), 60_000, "the first sync");
    browser = await launchBrowser();
    context = await browser.newContext({ userAgent: BROWSER_UA, viewport: { width: 1280, height: 900 } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the stack starts in beforeAll");
      return stack;
    },
    async open(pathName) {
      if (!context || !stack) throw new Error("the browser starts in beforeAll");
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(await adminUrl(stack.app, shop, pathName), { waitUntil: "networkidle" });
      return { page, errors };
    },
  };
}
