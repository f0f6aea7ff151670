// A value its owner cleared, through the engine against a real database (SQLite, or PostgreSQL in
// CI's second pass): the value goes, its history stays, the listing column and the passport follow.
import { beforeEach, expect, it } from "vitest";
import { fieldHistory } from "../catalog/catalog.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { recordFromWebhook, type ProductWebhookPayload } from "../integrations/shopify/records";
import { gs1CheckDigit } from "../passports/gs1";
import { TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { executeSync } from "./engine.server";
import type { SourceRecord } from "./records";

function tee(day: number, values: { vendor?: string; tags?: string[]; barcode?: string }): SourceRecord {
  const empty = (["vendor", "tags"] as const).filter((f) => values[f] === undefined);
  return {
    externalId: "gid://shopify/Product/1",
    handle: "tee",
    updatedAt: new Date(`2026-11-0${day}T10:00:00Z`),
    fields: { title: { en: "Tee" }, ...(values.vendor ? { vendor: values.vendor } : {}), ...(values.tags ? { tags: values.tags } : {}) },
    ...(empty.length ? { emptyFields: [...empty] } : {}),
    variants: [
      {
        externalId: "gid://shopify/ProductVariant/11",
        position: 1,
        fields: { sku: "TEE-1", ...(values.barcode ? { barcode: values.barcode } : {}) },
        ...(values.barcode ? {} : { emptyFields: ["barcode" as const] }),
      },
    ],
  };
}

let db: ShopDb;
let shopifyId: string;
const sync = (record: SourceRecord) => executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: async () => ({ scope: "partial", records: [record] }) });

beforeEach(async () => {
  await clearCatalog();
  db = forShop(TEST_SHOP);
  // Shopify alone: it is primary and owns every field it gives, barcode and tags included.
  shopifyId = (await connectIntegration(db, "shopify")).integration.id;
});

it("clears the catalog's value when the owner has it empty: value gone, history kept, listing column and passport follow", async () => {
  await sync(tee(1, { vendor: "Acme", tags: ["organic", "dpp"], barcode: "4006381333931" }));
  await sync(tee(2, { vendor: "Acme Co", tags: ["organic", "dpp"], barcode: "4006381333931" }));
  const variant = await db.variant.findFirstOrThrow();
  const before = await db.passport.findFirstOrThrow({ where: { variantId: variant.id } });
  expect(before.gtin).toBe("04006381333931");

  const { runId, report } = await sync(tee(3, {}));
  expect(report.counts).toMatchObject({ updated: 1, skipped: 0, failed: 0 });

  // The values are gone, and the listing columns with them.
  expect(await db.fieldValue.findMany({ where: { field: { in: ["vendor", "tags", "barcode"] } } })).toEqual([]);
  expect((await db.variant.findUniqueOrThrow({ where: { id: variant.id } })).gtin).toBeNull();
  expect((await db.product.findUniqueOrThrow({ where: { id: variant.productId } })).vendor).toBe("");

  // History: set, changed, cleared (newest first); the first write became a stored row.
  expect(await fieldHistory(db, variant.productId, "vendor")).toMatchObject([
    { oldValue: "Acme Co", newValue: null, source: "Shopify" },
    { oldValue: "Acme", newValue: "Acme Co", source: "Shopify" },
    { oldValue: null, newValue: "Acme", source: "Shopify" },
  ]);
  expect(await fieldHistory(db, variant.id, "barcode")).toMatchObject([
    { oldValue: "04006381333931", newValue: null },
    { oldValue: null, newValue: "04006381333931" },
  ]);
  expect(await db.fieldChange.count({ where: { runId, newValue: null } })).toBe(3);

  // The passport gets a new version without the GTIN (and so without its Digital Link).
  const after = await db.passport.findFirstOrThrow({ where: { variantId: variant.id } });
  expect(after.gtin).toBeNull();
  expect(after.currentVersion).toBe(before.currentVersion + 1);
  const latest = await db.passportVersion.findFirstOrThrow({ where: { passportId: after.id, version: after.currentVersion } });
  expect(latest.content).not.toContain("4006381333931");
  expect(latest.content).not.toContain("organic");

  // The same record again changes nothing.
  const counts = { changes: await db.fieldChange.count(), versions: await db.passportVersion.count() };
  const again = await sync(tee(3, {}));
  expect(again.report.counts).toMatchObject({ updated: 0, unchanged: 1 });
  expect(await db.fieldChange.count()).toBe(counts.changes);
  expect(await db.passportVersion.count()).toBe(counts.versions);
});

it("writes nothing for an empty field that has no value in the catalog", async () => {
  const saysNothing = tee(1, { vendor: "Acme" });
  delete saysNothing.emptyFields;
  delete saysNothing.variants[0].emptyFields;
  await sync(saysNothing);
  const { runId, report } = await sync(tee(2, { vendor: "Acme" })); // tags and barcode now empty: the record is merged again
  expect(report.counts).toMatchObject({ updated: 0, unchanged: 1 });
  expect(await db.fieldChange.count({ where: { runId } })).toBe(0);
  expect(await db.fieldValue.count({ where: { field: "vendor" } })).toBe(1);
});

it("follows a products/update that removed the barcode and the tags in Shopify (the review's case)", async () => {
  const payload = (barcode: string, tags: string, updated: string): ProductWebhookPayload => ({
    id: 1,
    title: "Tee",
    handle: "tee",
    body_html: "<p>x</p>",
    tags,
    updated_at: updated,
    options: [{ name: "Title", position: 1 }],
    variants: [{ id: 11, position: 1, sku: "TEE-1", barcode, option1: "Default Title" }],
  });
  const run = (p: ProductWebhookPayload) => sync(recordFromWebhook(p, { primaryLocale: "en" }).record);
  await run(payload("4006381333931", "organic, dpp", "2026-01-01T10:00:00Z"));
  expect((await db.passport.findFirstOrThrow()).gtin).toBe("04006381333931");
  await run(payload("", "", "2026-01-02T10:00:00Z"));
  const variant = await db.variant.findFirstOrThrow();
  expect(variant.gtin).toBeNull();
  expect(await db.fieldValue.findFirst({ where: { field: "tags" } })).toBeNull();
  expect((await db.passport.findFirstOrThrow({ where: { variantId: variant.id } })).gtin).toBeNull();
});

it("follows a products/update that removed every image in Shopify: the value goes and the passport gets a new version", async () => {
  const image = { src: "https://cdn.example.com/tee.jpg", alt: "Front", position: 1 };
  const payload = (withImage: boolean, updated: string): ProductWebhookPayload => ({
    id: 1,
    title: "Tee",
    handle: "tee",
    body_html: "<p>x</p>",
    updated_at: updated,
    options: [{ name: "Title", position: 1 }],
    variants: [{ id: 11, position: 1, sku: "TEE-1", barcode: "4006381333931", option1: "Default Title" }],
    images: withImage ? [image] : [],
    media: withImage ? [{ media_content_type: "IMAGE", alt: image.alt, position: 1, preview_image: { src: image.src } }] : [],
  });
  const run = (p: ProductWebhookPayload) => sync(recordFromWebhook(p, { primaryLocale: "en" }).record);
  await run(payload(true, "2026-01-01T10:00:00Z"));
  expect(await db.fieldValue.count({ where: { field: "images" } })).toBe(1);
  const before = await db.passport.findFirstOrThrow();
  const shown = await db.passportVersion.findFirstOrThrow({ where: { passportId: before.id, version: before.currentVersion } });
  expect(shown.content).toContain("cdn.example.com/tee.jpg");

  const { runId, report } = await run(payload(false, "2026-01-02T10:00:00Z"));
  expect(report.counts).toMatchObject({ updated: 1, unchanged: 0, failed: 0 });
  expect(await db.fieldValue.findFirst({ where: { field: "images" } })).toBeNull();
  expect(await db.fieldChange.count({ where: { runId, field: "images", newValue: null } })).toBe(1);
  const after = await db.passport.findFirstOrThrow({ where: { id: before.id } });
  expect(after.currentVersion).toBe(before.currentVersion + 1);
  const latest = await db.passportVersion.findFirstOrThrow({ where: { passportId: after.id, version: after.currentVersion } });
  expect(latest.content).not.toContain("cdn.example.com/tee.jpg");

  // The same payload again changes nothing.
  const again = await run(payload(false, "2026-01-02T10:00:00Z"));
  expect(again.report.counts).toMatchObject({ updated: 0, unchanged: 1 });
});

/** A valid GTIN-13 of its own for each n. */
function gtin13(n: number): string {
  const body = String(400638100000 + n);
  return body + gs1CheckDigit(body);
}

it("clears a field on every product of a large run at once, and deletes nothing else", async () => {
  const products = 600; // 1,200 values cleared: more than one delete statement's worth
  const shirt = (n: number, full: boolean): SourceRecord => ({
    externalId: `gid://shopify/Product/${n}`,
    handle: `shirt-${n}`,
    fields: { title: { en: `Shirt ${n}` }, ...(full ? { vendor: `Maker ${n}` } : {}) },
    ...(full ? {} : { emptyFields: ["vendor" as const] }),
    variants: [
      {
        externalId: `gid://shopify/ProductVariant/${n}`,
        position: 1,
        fields: { sku: `SHIRT-${n}`, ...(full ? { barcode: gtin13(n) } : {}) },
        ...(full ? {} : { emptyFields: ["barcode" as const] }),
      },
    ],
  });
  const fullRun = (full: boolean) =>
    executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", source: async () => ({ scope: "full", records: Array.from({ length: products }, (_, i) => shirt(i + 1, full)) }) });
  const first = await fullRun(true);
  expect(first.report.counts).toMatchObject({ created: products, failed: 0 });
  expect(await db.fieldValue.count({ where: { field: { in: ["vendor", "barcode"] } } })).toBe(2 * products);

  const { report, runId } = await fullRun(false);
  expect(report.counts).toMatchObject({ updated: products, failed: 0 });
  expect(await db.fieldValue.count({ where: { field: { in: ["vendor", "barcode"] } } })).toBe(0);
  expect(await db.fieldValue.count({ where: { field: "title" } })).toBe(products);
  expect(await db.fieldValue.count({ where: { field: "sku" } })).toBe(products);
  expect(await db.fieldChange.count({ where: { runId, newValue: null } })).toBe(2 * products);

  const product = await db.product.findFirstOrThrow({ where: { handle: "shirt-321" } });
  expect(await fieldHistory(db, product.id, "vendor")).toMatchObject([
    { oldValue: "Maker 321", newValue: null },
    { oldValue: null, newValue: "Maker 321" },
  ]);
});
