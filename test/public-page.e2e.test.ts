// The public passport page in Chromium at phone width: it renders, needs no JavaScript, raises no
// errors, and links its machine-readable version.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Browser } from "playwright-core";
import { forShop } from "../app/db/scoped.server";
import { install, launchBrowser, screenshot, startStack, watchErrors, type Stack } from "./support/e2e";
import { until } from "./support/wait";

vi.setConfig({ testTimeout: 60_000 });

const SHOP = "public-e2e.myshopify.com";
const shopDb = forShop(SHOP);
let stack: Stack;
let browser: Browser;
let publicId: string;

beforeAll(async () => {
  stack = await startStack();
  await install(stack.app, SHOP);
  await until(() => shopDb.syncRun.findFirst({ where: { status: "succeeded" } }), 60_000, "the first sync");
  const variant = await shopDb.variant.findFirstOrThrow({ where: { gtin: { not: null } } });
  publicId = (await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } })).publicId;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("public passport page", () => {
  it("renders at phone width with no JavaScript and no errors", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const response = await page.goto(`${stack.app.url}/p/${publicId}`, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.locator("script").count()).toBe(0);
    // Nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('link[rel="alternate"][type="application/ld+json"]').count()).toBe(1);
    await expect(page.locator("img[alt]").count()).resolves.toBeGreaterThan(0);
    await screenshot(page, "passport-phone.png");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("resolves the GS1 Digital Link of the variant in the browser", async () => {
    const variant = await shopDb.variant.findFirstOrThrow({ where: { gtin: { not: null } } });
    const page = await browser.newPage();
    const response = await page.goto(`${stack.app.url}/01/${variant.gtin}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${stack.app.url}/p/${publicId}`);
    await page.close();
  });
});
