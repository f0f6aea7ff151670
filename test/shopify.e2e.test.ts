// Shopify end to end: the built app against the simulator, webhooks delivered over HTTP.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "../app/db.server";
import { forShop } from "../app/db/scoped.server";
import { DbJobQueue } from "../app/jobs/db-queue.server";
import { requestSync } from "../app/jobs/sync-jobs.server";
import { connectIntegration, setPaused } from "../app/integrations/integrations.server";
import { promoteIntegration } from "../app/integrations/promote.server";
import { resumeSyncs } from "../app/jobs/sync-jobs.server";
import { install, startStack, type Stack } from "./support/e2e";
import { until } from "./support/wait";

vi.setConfig({ testTimeout: 120_000 });

const SHOP = "e2e-brand.myshopify.com";
const shopDb = forShop(SHOP);
let stack: Stack;
// Requests from this process go into the shared database; the app's own worker runs them.
const queue = new DbJobQueue(db);

beforeAll(async () => {
  stack = await startStack();
  // This process (the promotion preview) talks to the simulator too.
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stack.sim.url;
  await install(stack.app, SHOP);
  await until(() => shopDb.syncRun.findFirst({ where: { status: "succeeded" } }), 60_000, "the first sync");
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

async function shopify() {
  return shopDb.integration.findFirstOrThrow({ where: { kind: "shopify" } });
}

async function runsDone(after: Date) {
  const runs = await shopDb.syncRun.findMany({ where: { createdAt: { gte: after } } });
  return runs.length > 0 && runs.every((r) => r.status === "succeeded" || r.status === "failed") ? runs : null;
}

async function titleOf(handle: string): Promise<string | undefined> {
  return (await shopDb.product.findFirst({ where: { handle } }))?.title;
}

describe("install and full sync", () => {
  it("makes the catalog match the shop: every product, variant, SKU and barcode", async () => {
    const products = stack.sim.listProducts(SHOP);
    expect(await shopDb.product.count()).toBe(products.length);
    const variants = products.flatMap((p) => p.variants);
    expect(await shopDb.variant.count()).toBe(variants.length);
    const catalog = await shopDb.variant.findMany({ select: { sku: true, gtin: true } });
    const skus = new Set(catalog.map((v) => v.sku));
    for (const v of variants) expect(skus.has(v.sku)).toBe(true);
    const gtins = new Set(catalog.map((v) => v.gtin));
    for (const v of variants.filter((v) => v.barcode)) expect(gtins.has(v.barcode!.padStart(14, "0"))).toBe(true);
    const integration = await shopify();
    expect(integration).toMatchObject({ status: "active" });
    expect(integration.primaryOfShop).toBe(SHOP);
    expect(await shopDb.passport.count()).toBe(variants.length);
  });

  it("writes the passport links back to Shopify as app metafields", async () => {
    const product = await until(() => {
      const p = stack.sim.listProducts(SHOP).find((p) => p.variants[0].metafields.some((m) => m.key === "passport_url"));
      return p ?? null;
    }, 30_000, "passport metafields");
    const mf = product.variants[0].metafields.find((m) => m.key === "passport_url")!;
    expect(mf.namespace).toMatch(/^app--\d+$/);
    expect(mf.value).toMatch(/\/p\/[A-Za-z0-9_-]{22}$/);
  });
});

describe("webhooks", () => {
  it("applies a product edit made in Shopify", async () => {
    const [first] = stack.sim.listProducts(SHOP);
    stack.sim.editProduct(SHOP, first.id, { title: "Edited in Shopify" });
    await until(async () => (await titleOf(first.handle)) === "Edited in Shopify", 30_000, "the edit to arrive");
    const run = await shopDb.syncRun.findFirstOrThrow({ where: { trigger: "webhook" }, orderBy: { createdAt: "desc" } });
    expect(run.scope).toBe("partial");
  });

  it("changes nothing for a replayed delivery", async () => {
    const [first] = stack.sim.listProducts(SHOP);
    const delivery = stack.sim.webhookLog({ shop: SHOP, topic: "products/update" }).at(-1)!;
    const before = await shopDb.fieldChange.count();
    stack.sim.resendWebhook(delivery.id);
    await stack.sim.waitForWebhooks();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await shopDb.fieldChange.count()).toBe(before);
    expect(await titleOf(first.handle)).toBe("Edited in Shopify");
  });

  it("never lets an older delivery overwrite newer data", async () => {
    const [, second] = stack.sim.listProducts(SHOP);
    stack.sim.holdWebhooks();
    stack.sim.editProduct(SHOP, second.id, { title: "First edit" });
    await new Promise((r) => setTimeout(r, 1100)); // a later updated_at
    stack.sim.editProduct(SHOP, second.id, { title: "Second edit" });
    await stack.sim.releaseWebhooks("reverse");
    await until(async () => (await titleOf(second.handle)) === "Second edit", 30_000, "the newest edit");
    await new Promise((r) => setTimeout(r, 2000));
    expect(await titleOf(second.handle)).toBe("Second edit");
  });

  it("archives a deleted product, never deletes it, and keeps its passport online", async () => {
    const [, , third] = stack.sim.listProducts(SHOP);
    const product = await shopDb.product.findFirstOrThrow({ where: { handle: third.handle } });
    const variant = await shopDb.variant.findFirstOrThrow({ where: { productId: product.id } });
    const passport = await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } });
    stack.sim.deleteProduct(SHOP, third.id);
    await until(async () => (await shopDb.product.findUnique({ where: { id: product.id } }))?.archivedAt, 30_000, "the product to be archived");
    const page = await fetch(`${stack.app.url}/p/${passport.publicId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/no longer/i);
  });

  it("keeps events received while paused and applies them on resume", async () => {
    const integration = await shopify();
    await setPaused(shopDb, integration.id, true);
    const [, , , fourth] = stack.sim.listProducts(SHOP);
    stack.sim.editProduct(SHOP, fourth.id, { title: "Edited while paused" });
    await stack.sim.waitForWebhooks();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await titleOf(fourth.handle)).not.toBe("Edited while paused");
    expect(await shopDb.webhookEvent.count({ where: { processedAt: null } })).toBeGreaterThan(0);
    await resumeSyncs(queue, shopDb, integration.id);
    await until(async () => (await titleOf(fourth.handle)) === "Edited while paused", 30_000, "the paused edit");
  });
});

describe("rate limits and tokens", () => {
  it("completes a sync under heavy throttling, slower but correct", async () => {
    const integration = await shopify();
    await shopDb.integration.update({ where: { id: integration.id }, data: { settings: JSON.stringify({ subset: { first: 12 } }) } });
    stack.sim.setThrottle({ bucketSize: 1000, restoreRate: 250, available: 0 });
    const before = stack.sim.stats(SHOP).throttled;
    const started = new Date();
    await requestSync(queue, shopDb, integration.id, "manual", "full");
    const runs = await until(() => runsDone(started), 60_000, "the throttled sync");
    expect(runs.map((r) => [r.status, r.message])).toEqual([["succeeded", null]]);
    expect(runs[0].unchanged + runs[0].updated).toBeGreaterThan(0);
    expect(stack.sim.stats(SHOP).throttled).toBeGreaterThan(before);
    stack.sim.setThrottle({ bucketSize: 2000, restoreRate: 100, available: 2000 });
    await shopDb.integration.update({ where: { id: integration.id }, data: { settings: "{}" } });
  });

  it("refreshes an access token Shopify stopped accepting, and goes on", async () => {
    stack.sim.expireTokens(SHOP);
    const refreshes = stack.sim.stats().tokenRefreshes;
    const started = new Date();
    await requestSync(queue, shopDb, (await shopify()).id, "manual", "full");
    const runs = await until(() => runsDone(started), 60_000, "the sync after expiry");
    expect(runs.map((r) => [r.status, r.message])).toEqual([["succeeded", null]]);
    expect(stack.sim.stats().tokenRefreshes).toBeGreaterThan(refreshes);
  });

  it("moves to error with reconnect guidance when the token cannot be refreshed", async () => {
    stack.sim.revokeTokens(SHOP);
    const started = new Date();
    await requestSync(queue, shopDb, (await shopify()).id, "manual", "full");
    const runs = await until(() => runsDone(started), 60_000, "the failing sync");
    expect(runs[0].status).toBe("failed");
    const integration = await shopify();
    expect(integration.status).toBe("error");
    expect(integration.statusMessage).toMatch(/reinstall|open .*app/i);
    // Opening the app again from Shopify (a new token) reconnects it.
    await install(stack.app, SHOP);
    await until(async () => (await shopify()).status === "active", 30_000, "the reconnection");
  });
});

describe("promotion", () => {
  it("previews promoting Shopify back to primary from its records, then promotes it", async () => {
    await connectIntegration(shopDb, "excel");
    await promoteIntegration(shopDb, "excel", { dryRun: false });
    expect((await shopify()).primaryOfShop).toBeNull();
    const preview = await promoteIntegration(shopDb, "shopify", { dryRun: true });
    // Shopify groups the variants exactly as the catalog does: nothing to regroup.
    expect(preview).toMatchObject({ previewed: true, productsSplit: 0, productsMerged: 0, productsCreated: 0, variantsMoved: 0 });
    expect((await shopify()).primaryOfShop).toBeNull();
    const started = new Date();
    await promoteIntegration(shopDb, "shopify", { dryRun: false });
    expect((await shopify()).primaryOfShop).toBe(SHOP);
    await until(() => runsDone(started), 60_000, "the full run of the new primary");
  });
});

describe("uninstall and reinstall", () => {
  it("disconnects on uninstall, keeps the catalog, and reconnects without duplicating a product", async () => {
    const products = await shopDb.product.count();
    const variants = await shopDb.variant.count();
    stack.sim.uninstall(SHOP);
    await until(async () => (await shopify()).status === "disconnected", 30_000, "app/uninstalled");
    expect(await shopDb.product.count()).toBe(products);
    const started = new Date();
    await install(stack.app, SHOP);
    await until(() => runsDone(started), 60_000, "the sync after reinstall");
    expect((await shopify()).status).toBe("active");
    expect(await shopDb.product.count()).toBe(products);
    expect(await shopDb.variant.count()).toBe(variants);
  });
});
