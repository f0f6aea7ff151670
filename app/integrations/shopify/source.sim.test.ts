// The Shopify adapter end to end against the Shopify simulator (tools/shopify-sim): a real Admin
// GraphQL client over HTTP, bulk export and JSONL download, paginated subsets under the cost limit,
// webhooks as the simulator sends them, and the writes back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateCatalog, restProduct, startShopifySim, type ShopifySim } from "../../../tools/shopify-sim/index.ts";
import { TEST_SHOP } from "../../../test/support/constants";
import { clearCatalog } from "../../../test/support/catalog";
import { forShop, type ShopDb } from "../../db/scoped.server";
import { executeSync } from "../../sync/engine.server";
import type { SourceRecord } from "../../sync/records";
import { connectIntegration, type IntegrationRow } from "../integrations.server";
import type { AdminGraphqlClient } from "./admin-client.server";
import { fetchAdminClient } from "./fetch-client";
import { ShopifyGraphqlClient } from "./graphql-client.server";
import { recordFromWebhook, type ProductWebhookPayload } from "./records";
import { shopifySource, type ShopifySourceOptions } from "./source.server";
import { storeWebhookEvent } from "./webhook-events.server";
import { publishPassportMetafields, pushVariantFields } from "./writeback.server";

const PRODUCTS = 6;
const VARIANTS = 26; // more than a subset page selects per product: exercises variant pagination

let sim: ShopifySim;
let admin: AdminGraphqlClient;
let shopDb: ShopDb;
let integration: IntegrationRow;

const fast: ShopifySourceOptions = { bulk: { pollInitialMs: 10, pollMaxMs: 50 }, graphql: { baseDelayMs: 5, maxDelayMs: 50 } };

async function collect(records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function setSettings(settings: Record<string, unknown>): Promise<void> {
  integration = await shopDb.integration.update({ where: { id: integration.id }, data: { settings: JSON.stringify(settings) } });
}

beforeAll(async () => {
  sim = await startShopifySim({
    seed: generateCatalog({ products: PRODUCTS, variantsPerProduct: VARIANTS, seed: 11, pilotShare: 0.25 }),
    bulk: { delayMs: 20 },
  });
  sim.install(TEST_SHOP);
  const token = sim.issueAccessToken(TEST_SHOP) as { access_token: string };
  admin = fetchAdminClient({ shop: TEST_SHOP, accessToken: token.access_token, apiVersion: "2026-10", origin: sim.url });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  integration = (await connectIntegration(shopDb, "shopify")).integration;
});

describe("full sync through a bulk export", () => {
  it("reads every product and variant, with the same records the webhooks of those products give", async () => {
    const batch = await shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast });
    expect(batch.scope).toBe("full");
    const records = await collect(batch.records);
    expect(records).toHaveLength(PRODUCTS);
    expect(records.every((r) => r.variants.length === VARIANTS)).toBe(true);
    for (const record of records) {
      const product = sim.getProduct(TEST_SHOP, record.externalId);
      const fromWebhook = recordFromWebhook(restProduct(product) as unknown as ProductWebhookPayload, { primaryLocale: "en" }).record;
      expect(fromWebhook).toEqual(record);
    }
    const sample = records[0];
    expect(sample.fields.title).toBeDefined();
    expect((sample.fields.images as unknown[] | undefined)?.length).toBeGreaterThan(0);
    expect(sample.variants[0].fields).toMatchObject({ sku: expect.any(String), barcode: expect.stringMatching(/^\d{13}$/), weight: expect.any(Number) });
    expect(batch.warnings).toEqual([]);
  });

  it("feeds the engine: a full run creates the catalog, the next one changes nothing", async () => {
    const first = await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    expect(first.report.counts).toMatchObject({ created: PRODUCTS * VARIANTS, failed: 0 });
    expect(await shopDb.passport.count()).toBe(PRODUCTS * VARIANTS);
    const second = await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    expect(second.report.counts).toMatchObject({ created: 0, updated: 0, archived: 0, unchanged: PRODUCTS * VARIANTS });
  });

  it("marks the product webhooks the export supersedes as processed when the run commits", async () => {
    const old = await shopDb.webhookEvent.create({
      data: { id: "before-export", shop: TEST_SHOP, topic: "products/update", resourceId: "gid://shopify/Product/1", payload: "{}", receivedAt: new Date(Date.now() - 10 * 60_000) },
    });
    // Received just before the export: kept (a minute of margin for clocks), synced again by the next webhook run.
    const recent = await shopDb.webhookEvent.create({ data: { id: "just-now", shop: TEST_SHOP, topic: "products/update", resourceId: "gid://shopify/Product/2", payload: "{}" } });
    await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    const rows = new Map((await shopDb.webhookEvent.findMany()).map((e) => [e.id, e.processedAt]));
    expect(rows.get(old.id)).toBeInstanceOf(Date);
    expect(rows.get(recent.id)).toBeNull();
  });

  it("reads an empty catalog as no records", async () => {
    const empty = await startShopifySim({ seed: [], bulk: { delayMs: 5 } });
    try {
      empty.install(TEST_SHOP);
      const token = empty.issueAccessToken(TEST_SHOP) as { access_token: string };
      const emptyAdmin = fetchAdminClient({ shop: TEST_SHOP, accessToken: token.access_token, apiVersion: "2026-10", origin: empty.url });
      const batch = await shopifySource(shopDb, integration, { scope: "full" }, { admin: emptyAdmin, ...fast });
      expect(await collect(batch.records)).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});

describe("test subset through paginated queries", () => {
  it("fetches the first N products, variants beyond the first page included, as a partial batch", async () => {
    await setSettings({ subset: { first: 4 } });
    const batch = await shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast });
    expect(batch.scope).toBe("partial");
    const subset = await collect(batch.records);
    expect(subset).toHaveLength(4);
    await setSettings({});
    const all = await collect((await shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast })).records);
    const byId = new Map(all.map((r) => [r.externalId, r]));
    for (const r of subset) expect(r).toEqual(byId.get(r.externalId));
  });

  it("fetches the products matching a search query, and a subset run archives nothing", async () => {
    const pilot = sim.listProducts(TEST_SHOP, "tag:dpp-pilot");
    expect(pilot.length).toBeGreaterThan(0);
    expect(pilot.length).toBeLessThan(PRODUCTS);
    await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    await setSettings({ subset: { query: "tag:dpp-pilot" } });
    const run = await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    expect(run.report.counts).toMatchObject({ archived: 0, unchanged: pilot.length * VARIANTS });
    expect(await shopDb.product.count({ where: { archivedAt: null } })).toBe(PRODUCTS);
  });

  it("paces itself by the cost bucket when the shop's bucket is small", async () => {
    sim.setThrottle({ bucketSize: 1000, restoreRate: 20_000, available: 0, shop: TEST_SHOP });
    try {
      await setSettings({ subset: { first: 5 } });
      const before = sim.stats(TEST_SHOP).shops[TEST_SHOP];
      const batch = await shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast });
      expect(await collect(batch.records)).toHaveLength(5);
      const after = sim.stats(TEST_SHOP).shops[TEST_SHOP];
      // At most the first request (the bucket is unknown before it) may be throttled.
      expect((after as { throttled?: number }).throttled! - (before as { throttled?: number }).throttled!).toBeLessThanOrEqual(1);
    } finally {
      sim.setThrottle({ bucketSize: 2000, restoreRate: 100, available: 2000, shop: TEST_SHOP });
    }
  });
});

describe("webhooks and writes back", () => {
  it("syncs a product changed in Shopify from its products/update webhook", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    const target = sim.listProducts(TEST_SHOP)[3];
    sim.editProduct(TEST_SHOP, target.id, { title: "Renamed in Shopify" });
    const delivery = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).at(-1)!;
    await storeWebhookEvent(shopDb, { webhookId: delivery.webhookId, topic: delivery.topic, payload: JSON.parse(delivery.body), triggeredAt: delivery.triggeredAt });
    const run = await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "webhook", source: () => shopifySource(shopDb, integration, { scope: "partial" }) });
    expect(run.report.products.updated).toBe(1);
    expect((await shopDb.fieldChange.findMany({ where: { runId: run.runId } })).map((c) => c.field)).toEqual(["title"]);
    const link = await shopDb.externalLink.findFirstOrThrow({ where: { externalId: `gid://shopify/Product/${target.id}`, entityType: "product" } });
    expect((await shopDb.product.findUniqueOrThrow({ where: { id: link.entityId } })).title).toBe("Renamed in Shopify");
  });

  it("publishes passport links as $app metafields and pushed values do not come back as changes", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "manual", source: () => shopifySource(shopDb, integration, { scope: "full" }, { admin, ...fast }) });
    const client = new ShopifyGraphqlClient(admin);
    const product = sim.listProducts(TEST_SHOP)[0];
    const productLink = await shopDb.externalLink.findFirstOrThrow({ where: { externalId: `gid://shopify/Product/${product.id}`, entityType: "product" } });
    const variants = await shopDb.variant.findMany({ where: { productId: productLink.entityId }, orderBy: { position: "asc" } });
    const items = variants.map((v) => ({ variantId: v.id, passportUrl: `https://passports.example.com/p/${v.id}`, digitalLinkUrl: v.gtin ? `https://passports.example.com/01/${v.gtin}` : null }));
    const published = await publishPassportMetafields(shopDb, client, items);
    expect(published.failed).toEqual([]);
    expect(published.written).toBe(VARIANTS * 2 + 1);
    const check = await admin.graphql(
      `query Check($id: ID!) { product(id: $id) { metafield(namespace: "$app", key: "passport_url") { value type } variants(first: 1) { nodes { metafield(namespace: "$app", key: "digital_link_url") { value } } } } }`,
      { variables: { id: `gid://shopify/Product/${product.id}` } },
    );
    const body = (await check.json()) as { data: { product: { metafield: { value: string; type: string }; variants: { nodes: { metafield: { value: string } }[] } } } };
    expect(body.data.product.metafield).toEqual({ value: items[0].passportUrl, type: "url" });
    expect(body.data.product.variants.nodes[0].metafield.value).toBe(items[0].digitalLinkUrl);
    expect((await publishPassportMetafields(shopDb, client, items)).calls).toBe(0);

    // Push the catalog's own values back to Shopify, then take Shopify's webhooks of that change.
    // (Shopify's barcodes are changed first: a barcode Shopify already has is not pushed.)
    sim.editProduct(TEST_SHOP, product.id, { variants: [0, 1, 2].map((i) => ({ id: product.variants[i].id, barcode: "4006381333931" })) });
    const webhooksBefore = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).length;
    const pushes = await Promise.all(
      variants.slice(0, 3).map(async (v, i) => {
        const values = new Map((await shopDb.fieldValue.findMany({ where: { entityId: v.id } })).map((f) => [f.field, JSON.parse(f.value) as unknown]));
        return { productId: `gid://shopify/Product/${product.id}`, variantId: `gid://shopify/ProductVariant/${product.variants[i].id}`, sku: values.get("sku") as string, barcode: values.get("barcode") as string, weightGrams: values.get("weight") as number };
      }),
    );
    const pushed = await pushVariantFields(client, pushes);
    expect(pushed.errors).toEqual([]);
    // Barcodes reach Shopify as printed on the goods (EAN-13 here), not as the catalog's GTIN-14.
    const barcodes = sim.getProduct(TEST_SHOP, product.id).variants.slice(0, 3).map((v) => v.barcode);
    expect(barcodes).toEqual(pushes.map((p) => p.barcode.replace(/^0/, "")));
    expect(barcodes.every((b) => /^\d{13}$/.test(b ?? ""))).toBe(true);
    const deliveries = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).slice(webhooksBefore);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) await storeWebhookEvent(shopDb, { webhookId: d.webhookId, topic: d.topic, payload: JSON.parse(d.body), triggeredAt: d.triggeredAt });
    const run = await executeSync({ shop: TEST_SHOP, integrationId: integration.id, trigger: "webhook", source: () => shopifySource(shopDb, integration, { scope: "partial" }) });
    expect(await shopDb.fieldChange.count({ where: { runId: run.runId } })).toBe(0);
    expect(run.report.counts).toMatchObject({ updated: 0, created: 0, failed: 0, skipped: 0 });
  });
});
