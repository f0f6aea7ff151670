// Writes back to Shopify against a stubbed Admin API and a real database: passport links as
// `$app` metafields (batched, only when changed), and pushed variant values that do not come back
// as changes.
import { beforeEach, describe, expect, it } from "vitest";
import { encodeFieldValue } from "../../sync/merge";
import { parseFieldValue } from "../../catalog/fields";
import { forShop, type ShopDb } from "../../db/scoped.server";
import { setFieldOwner } from "../../ownership/ownership.server";
import { executeSync } from "../../sync/engine.server";
import type { SourceRecord } from "../../sync/records";
import { TEST_SHOP } from "../../../test/support/constants";
import { clearCatalog } from "../../../test/support/catalog";
import { connectIntegration, type IntegrationRow } from "../integrations.server";
import type { AdminGraphqlClient } from "./admin-client.server";
import { DELETE_PASSPORT_METAFIELDS, PUSH_VARIANT_FIELDS, SET_PASSPORT_METAFIELDS, VARIANT_BARCODES } from "./documents";
import { ShopifyGraphqlClient } from "./graphql-client.server";
import { recordFromWebhook, type ProductWebhookPayload } from "./records";
import { shopifySource } from "./source.server";
import { storeWebhookEvent } from "./webhook-events.server";
import { publishPassportMetafields, pushVariantFields, type PassportLinks } from "./writeback.server";

type Call = { query: string; variables: Record<string, unknown> };

/**
 * Records mutations; answers with scripted userErrors (per call), else success. `barcodes`: what
 * Shopify's variants have now (by GID), for the barcode look-up before a push.
 */
function stubShopify(userErrors: Record<string, unknown>[][] = [], barcodes: Record<string, string | null> = {}) {
  const calls: Call[] = [];
  const admin: AdminGraphqlClient = {
    async graphql(query, options) {
      const variables = options?.variables ?? {};
      const extensions = { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } };
      if (query === VARIANT_BARCODES) {
        const nodes = (variables.ids as string[]).map((id) => (id in barcodes ? { id, barcode: barcodes[id] } : null));
        return Response.json({ data: { nodes }, extensions });
      }
      calls.push({ query, variables });
      const errors = userErrors.shift() ?? [];
      if (query === SET_PASSPORT_METAFIELDS) return Response.json({ data: { metafieldsSet: { metafields: [], userErrors: errors } }, extensions });
      if (query === DELETE_PASSPORT_METAFIELDS) return Response.json({ data: { metafieldsDelete: { deletedMetafields: [], userErrors: errors } }, extensions });
      if (query === PUSH_VARIANT_FIELDS) {
        const variants = (variables.variants as { id: string }[]).map((v) => ({ id: v.id }));
        return Response.json({ data: { productVariantsBulkUpdate: { productVariants: variants, userErrors: errors } }, extensions });
      }
      throw new Error("unexpected document");
    },
  };
  return { calls, client: new ShopifyGraphqlClient(admin, { sleep: async () => undefined }) };
}

function shopifyProduct(id: number, variants: number, extra: Partial<SourceRecord["variants"][number]["fields"]>[] = []): SourceRecord {
  return {
    externalId: `gid://shopify/Product/${id}`,
    handle: `product-${id}`,
    updatedAt: new Date("2026-10-01T00:00:00Z"),
    fields: { title: { en: `Product ${id}` }, vendor: "Acme" },
    variants: Array.from({ length: variants }, (_, i) => ({
      externalId: `gid://shopify/ProductVariant/${id}${String(i + 1).padStart(3, "0")}`,
      position: i + 1,
      fields: { sku: `SKU-${id}-${i + 1}`, options: [{ name: "Size", value: `S${i + 1}` }], ...(extra[i] ?? {}) },
    })),
  };
}

let shopDb: ShopDb;
let shopify: IntegrationRow;
let excel: IntegrationRow;

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  shopify = (await connectIntegration(shopDb, "shopify")).integration;
  excel = (await connectIntegration(shopDb, "excel")).integration;
});

async function syncShopify(records: SourceRecord[]) {
  return executeSync({ shop: TEST_SHOP, integrationId: shopify.id, trigger: "manual", source: async () => ({ scope: "full", records }) });
}

async function linksFor(productId: number): Promise<PassportLinks[]> {
  const link = await shopDb.externalLink.findFirstOrThrow({ where: { externalId: `gid://shopify/Product/${productId}` } });
  const variants = await shopDb.variant.findMany({ where: { productId: link.entityId }, orderBy: { position: "asc" } });
  return variants.map((v) => ({ variantId: v.id, passportUrl: `https://passports.example.com/p/${v.id}`  }));
}

describe("publishPassportMetafields", () => {
  it("writes 26 variants' links in two metafieldsSet calls of at most 25, and the product's link from its first variant", async () => {
    await syncShopify([shopifyProduct(1, 26)]);
    const items = await linksFor(1);
    const { calls, client } = stubShopify();
    const result = await publishPassportMetafields(shopDb, client, items);
    expect(calls.map((c) => (c.variables.metafields as unknown[]).length)).toEqual([25, 2]);
    expect(result).toMatchObject({ written: 27, unchanged: 0, skipped: [], failed: [], calls: 2 });
    const all = calls.flatMap((c) => c.variables.metafields as { ownerId: string; namespace: string; key: string; type: string; value: string }[]);
    expect(all.every((m) => m.namespace === "$app" && m.type === "url")).toBe(true);
    expect(all.filter((m) => m.ownerId === "gid://shopify/Product/1")).toEqual([
      { ownerId: "gid://shopify/Product/1", namespace: "$app", key: "passport_url", type: "url", value: items[0].passportUrl },
    ]);
    expect(all.find((m) => m.ownerId === "gid://shopify/ProductVariant/1026")).toMatchObject({ key: "passport_url", value: items[25].passportUrl });
  });

  it("makes no call when no URL changed, and writes only the one that did", async () => {
    await syncShopify([shopifyProduct(1, 3)]);
    const items = await linksFor(1);
    const first = stubShopify();
    await publishPassportMetafields(shopDb, first.client, items);

    const again = stubShopify();
    expect(await publishPassportMetafields(shopDb, again.client, items)).toMatchObject({ written: 0, unchanged: 3, calls: 0 });
    expect(again.calls).toEqual([]);

    const changed = items.map((i, n) => (n === 2 ? { ...i, passportUrl: "https://passports.example.com/p/new" } : i));
    const third = stubShopify();
    expect(await publishPassportMetafields(shopDb, third.client, changed)).toMatchObject({ written: 1, unchanged: 2 });
    expect(third.calls[0].variables.metafields).toEqual([
      { ownerId: "gid://shopify/ProductVariant/1003", namespace: "$app", key: "passport_url", type: "url", value: "https://passports.example.com/p/new" },
    ]);
  });

  it("writes the Digital Link where there is a GTIN and removes it when the GTIN goes", async () => {
    await syncShopify([shopifyProduct(1, 1)]);
    const [item] = await linksFor(1);
    const withGtin = { ...item, digitalLinkUrl: "https://passports.example.com/01/04006381333931" };
    const a = stubShopify();
    await publishPassportMetafields(shopDb, a.client, [withGtin]);
    expect((a.calls[0].variables.metafields as { key: string }[]).map((m) => m.key).sort()).toEqual(["digital_link_url", "passport_url", "passport_url"]);

    const b = stubShopify();
    const result = await publishPassportMetafields(shopDb, b.client, [{ ...item, digitalLinkUrl: null }]);
    expect(result).toMatchObject({ written: 0, deleted: 1 });
    expect(b.calls).toHaveLength(1);
    expect(b.calls[0].query).toBe(DELETE_PASSPORT_METAFIELDS);
    expect(b.calls[0].variables.metafields).toEqual([{ ownerId: "gid://shopify/ProductVariant/1001", namespace: "$app", key: "digital_link_url" }]);
    const c = stubShopify();
    expect(await publishPassportMetafields(shopDb, c.client, [{ ...item, digitalLinkUrl: null }])).toMatchObject({ unchanged: 1, calls: 0 });
  });

  it("sends the call again without a refused link (metafieldsSet is atomic) and retries the refused one next time", async () => {
    await syncShopify([shopifyProduct(1, 3)]);
    const items = await linksFor(1);
    items[1] = { ...items[1], passportUrl: "notaurl" };
    const { calls, client } = stubShopify([[{ field: ["metafields", "2", "value"], message: "Value must be a valid URL", code: "INVALID_VALUE", elementIndex: 2 }]]);
    const result = await publishPassportMetafields(shopDb, client, items);
    expect(calls).toHaveLength(2);
    expect((calls[1].variables.metafields as unknown[]).length).toBe(3);
    expect(result.failed).toEqual([{ variantId: items[1].variantId, message: "Shopify refused the passport link: metafields.2.value: Value must be a valid URL" }]);
    const again = stubShopify();
    await publishPassportMetafields(shopDb, again.client, items);
    expect((again.calls[0].variables.metafields as { value: string }[]).map((m) => m.value)).toEqual(["notaurl"]);
  });

  it("skips variants that are not in Shopify", async () => {
    await syncShopify([shopifyProduct(1, 1)]);
    await executeSync({
      shop: TEST_SHOP,
      integrationId: excel.id,
      trigger: "upload",
      createUnmatched: true,
      source: async () => ({ scope: "partial", records: [{ externalId: "excel-only", handle: "excel-only", fields: { title: { en: "Excel only" } }, variants: [{ externalId: "EX-1", fields: { sku: "EX-1" } }] }] }),
    });
    const excelVariant = await shopDb.variant.findFirstOrThrow({ where: { sku: "EX-1" } });
    const { calls, client } = stubShopify();
    const result = await publishPassportMetafields(shopDb, client, [{ variantId: excelVariant.id, passportUrl: "https://passports.example.com/p/x" }]);
    expect(result.skipped).toEqual([{ variantId: excelVariant.id, reason: "not a Shopify variant" }]);
    expect(calls).toEqual([]);
  });
});

describe("pushVariantFields", () => {
  it("updates variants per product through inventoryItem, with errors per variant", async () => {
    const { calls, client } = stubShopify([[], [{ field: ["variants", "1", "barcode"], message: "Barcode is too long", code: "INVALID_INPUT" }]]);
    const result = await pushVariantFields(client, [
      { productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/11", sku: "A-1", weightGrams: 250 },
      { productId: "gid://shopify/Product/2", variantId: "gid://shopify/ProductVariant/21", barcode: "04006381333931" },
      { productId: "gid://shopify/Product/2", variantId: "gid://shopify/ProductVariant/22", barcode: "1".repeat(300), sku: null },
      { productId: "gid://shopify/Product/3", variantId: "gid://shopify/ProductVariant/31" },
    ]);
    expect(calls.map((c) => c.variables)).toEqual([
      { productId: "gid://shopify/Product/1", variants: [{ id: "gid://shopify/ProductVariant/11", inventoryItem: { sku: "A-1", measurement: { weight: { unit: "GRAMS", value: 250 } } } }] },
      {
        productId: "gid://shopify/Product/2",
        variants: [
          { id: "gid://shopify/ProductVariant/21", barcode: "4006381333931" },
          { id: "gid://shopify/ProductVariant/22", barcode: "1".repeat(300), inventoryItem: { sku: null } },
        ],
      },
    ]);
    expect(result.updated).toEqual(["gid://shopify/ProductVariant/11", "gid://shopify/ProductVariant/21"]);
    expect(result.errors).toEqual([{ variantId: "gid://shopify/ProductVariant/22", message: "variants.1.barcode: Barcode is too long" }]);
  });

  it("pushes a barcode in its shortest standard form: what is printed on the goods, not the catalog's GTIN-14", async () => {
    const { calls, client } = stubShopify();
    const pushes = [
      ["1", "00000096385074"], // EAN-8
      ["2", "00036000291452"], // UPC-A
      ["3", "04006381333931"], // EAN-13
      ["4", "10614141000415"], // GTIN-14
    ].map(([n, barcode]) => ({ productId: "gid://shopify/Product/1", variantId: `gid://shopify/ProductVariant/${n}`, barcode }));
    const result = await pushVariantFields(client, pushes);
    expect((calls[0].variables.variants as { barcode: string }[]).map((v) => v.barcode)).toEqual(["96385074", "036000291452", "4006381333931", "10614141000415"]);
    expect(result.updated).toHaveLength(4);
  });

  it("leaves a barcode alone when Shopify has the same GTIN, written another way", async () => {
    const { calls, client } = stubShopify([], {
      "gid://shopify/ProductVariant/1": "04006381333931", // same GTIN as GTIN-14
      "gid://shopify/ProductVariant/2": "0036000291452", // same GTIN as a 13-digit EAN
      "gid://shopify/ProductVariant/3": "4006381333931", // another GTIN
    });
    const result = await pushVariantFields(client, [
      { productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/1", barcode: "04006381333931" },
      { productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/2", barcode: "00036000291452", sku: "B-2" },
      { productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/3", barcode: "00036000291452" },
    ]);
    expect(calls.map((c) => c.variables)).toEqual([
      {
        productId: "gid://shopify/Product/1",
        variants: [
          { id: "gid://shopify/ProductVariant/2", inventoryItem: { sku: "B-2" } },
          { id: "gid://shopify/ProductVariant/3", barcode: "036000291452" },
        ],
      },
    ]);
    expect(result.updated).toEqual(["gid://shopify/ProductVariant/2", "gid://shopify/ProductVariant/3"]);
  });

  it("pushed values come back from Shopify's products/update webhook as the catalog's own values: the run changes nothing", async () => {
    // Shopify (primary) brings the product; the merchant gave the barcode to Excel, which brings it.
    await setFieldOwner(shopDb, "barcode", excel.id, "test");
    await syncShopify([shopifyProduct(1, 1, [{ weight: 250 }])]);
    await executeSync({
      shop: TEST_SHOP,
      integrationId: excel.id,
      trigger: "upload",
      source: async () => ({ scope: "partial", records: [{ externalId: "row-2", fields: {}, variants: [{ externalId: "SKU-1-1", fields: { sku: "SKU-1-1", barcode: "4006381333931" } }] }] }),
    });
    const variant = await shopDb.variant.findFirstOrThrow();
    const stored = new Map((await shopDb.fieldValue.findMany({ where: { entityId: variant.id } })).map((v) => [v.field, v.value]));
    expect(stored.get("barcode")).toBe('"04006381333931"');

    // Push the catalog's values to Shopify.
    const catalog = { sku: JSON.parse(stored.get("sku")!) as string, barcode: JSON.parse(stored.get("barcode")!) as string, weight: JSON.parse(stored.get("weight")!) as number };
    const { calls, client } = stubShopify();
    await pushVariantFields(client, [{ productId: "gid://shopify/Product/1", variantId: "gid://shopify/ProductVariant/1001", sku: catalog.sku, barcode: catalog.barcode, weightGrams: catalog.weight }]);
    const pushed = (calls[0].variables.variants as { barcode: string; inventoryItem: { sku: string; measurement: { weight: { unit: string; value: number } } } }[])[0];

    // The webhook Shopify sends after the push: the pushed values, a newer updated_at.
    const payload: ProductWebhookPayload = {
      id: 1,
      admin_graphql_api_id: "gid://shopify/Product/1",
      title: "Product 1",
      handle: "product-1",
      vendor: "Acme",
      body_html: "",
      product_type: "",
      tags: "",
      updated_at: "2026-10-02T00:00:00-00:00",
      options: [{ name: "Size", position: 1, values: ["S1"] }],
      variants: [
        { id: 1001, position: 1, sku: pushed.inventoryItem.sku, barcode: pushed.barcode, option1: "S1", grams: 250, weight: pushed.inventoryItem.measurement.weight.value, weight_unit: "g" },
      ],
    };
    // Record level: each pushed field reads back as exactly what the catalog stores.
    const { record } = recordFromWebhook(payload, { primaryLocale: "en" });
    for (const field of ["sku", "barcode", "weight"] as const) {
      const parsed = parseFieldValue(field, record.variants[0].fields[field]);
      expect(parsed.ok && encodeFieldValue(field, parsed.value)).toEqual([["", stored.get(field)]]);
    }

    // Engine level: the webhook run merges to zero changes.
    await storeWebhookEvent(shopDb, { webhookId: "after-push", topic: "products/update", payload });
    const { runId, report } = await executeSync({ shop: TEST_SHOP, integrationId: shopify.id, trigger: "webhook", source: () => shopifySource(shopDb, shopify, { scope: "partial" }) });
    expect(await shopDb.fieldChange.count({ where: { runId } })).toBe(0);
    expect(report.counts).toMatchObject({ created: 0, updated: 0, skipped: 0, failed: 0, unchanged: 1 });
    expect(await shopDb.webhookEvent.count({ where: { processedAt: null } })).toBe(0);
  });
});
