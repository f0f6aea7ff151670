// The sync engine against a real database (SQLite, or PostgreSQL in CI's second pass).
import { beforeEach, describe, expect, it } from "vitest";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import type { SourceBatch, SourceRecord } from "./records";
import { executeSync, FAILURES_BEFORE_ERROR, RunRefused } from "./engine.server";
import { fieldHistory } from "../catalog/catalog.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";

function product(n: number, variants = 2, title = `Product ${n}`): SourceRecord {
  return {
    externalId: `gid://shopify/Product/${n}`,
    handle: `product-${n}`,
    updatedAt: new Date("2026-11-01T00:00:00Z"),
    fields: { title: { en: title }, vendor: "Acme", description: { en: `<p>About product ${n}</p>` } },
    variants: Array.from({ length: variants }, (_, i) => ({
      externalId: `gid://shopify/ProductVariant/${n}${i}`,
      position: i + 1,
      fields: { sku: `SKU-${n}-${i}`, options: [{ name: "Size", value: ["S", "M", "L"][i] ?? `X${i}` }] },
    })),
  };
}

const batch = (records: SourceRecord[], scope: SourceBatch["scope"] = "full"): (() => Promise<SourceBatch>) => async () => ({ scope, records, total: records.length });

let shopDb: ShopDb;
let shopifyId: string;
let excelId: string;

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(shopDb, "shopify")).integration.id;
  excelId = (await connectIntegration(shopDb, "excel")).integration.id;
});

describe("executeSync", () => {
  it("creates the catalog, its history and a passport per variant, and records the run", async () => {
    const { runId, report } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1), product(2, 3)]) });
    expect(report.counts.created).toBe(5);
    expect(await shopDb.product.count()).toBe(2);
    expect(await shopDb.variant.count()).toBe(5);
    const variant = await shopDb.variant.findFirstOrThrow({ where: { sku: "SKU-2-2" } });
    expect(variant.title).toBe("L");
    const p2 = await shopDb.product.findFirstOrThrow({ where: { id: variant.productId } });
    expect(p2.title).toBe("Product 2");
    expect(await fieldHistory(shopDb, p2.id, "title")).toMatchObject([{ oldValue: null, newValue: "Product 2", source: "Shopify" }]);
    expect(await shopDb.passport.count()).toBe(5);
    const run = await shopDb.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "succeeded", trigger: "manual", created: 5, failed: 0 });
    const integration = await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } });
    expect(integration.lastSyncAt).not.toBeNull();
    expect(integration.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it("puts the next scheduled full sync off after a full run only: webhooks' partial runs do not", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    const soon = new Date(Date.now() + 60_000);
    await shopDb.integration.update({ where: { id: shopifyId }, data: { nextSyncAt: soon } });
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: batch([product(1)], "partial") });
    const afterPartial = await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } });
    expect(afterPartial.nextSyncAt).toEqual(soon);
    expect(afterPartial.lastSyncAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("writes nothing when the same records come again", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1), product(2)]) });
    const before = { changes: await shopDb.fieldChange.count(), versions: await shopDb.passportVersion.count() };
    const { runId, report } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", source: batch([product(1), product(2)]) });
    expect(await shopDb.fieldChange.count({ where: { runId } })).toBe(0);
    expect(report.counts).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(await shopDb.fieldChange.count()).toBe(before.changes);
    expect(await shopDb.passportVersion.count()).toBe(before.versions);
  });

  it("ignores a record older than the one last synced (out-of-order delivery), in a full and a partial run", async () => {
    const sync = (record: SourceRecord, scope: SourceBatch["scope"]) => executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: batch([record], scope) });
    await sync({ ...product(1, 1, "Newest"), updatedAt: new Date("2026-11-02T00:00:00Z") }, "partial");
    for (const scope of ["partial", "full"] as const) {
      await sync({ ...product(1, 1, "Stale"), updatedAt: new Date("2026-11-01T23:59:59Z") }, scope);
      expect((await shopDb.product.findFirstOrThrow()).title).toBe("Newest");
    }
    await sync({ ...product(1, 1, "Newer still"), updatedAt: new Date("2026-11-02T00:00:01Z") }, "partial");
    expect((await shopDb.product.findFirstOrThrow()).title).toBe("Newer still");
  });

  it("updates the listing and matching columns of existing products and variants (title, vendor, SKU, barcode, options)", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1), product(2)]) });
    const before = await shopDb.variant.findFirstOrThrow({ where: { sku: "SKU-1-1" } });
    const changed = product(1, 2, "Renamed");
    changed.fields = { ...changed.fields, vendor: "Acme Two" };
    changed.variants[1].fields = { sku: "SKU-1-1-NEW", barcode: "4006381333931", options: [{ name: "Size", value: "XL" }] };
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([changed, product(2)]) });
    const renamed = await shopDb.product.findUniqueOrThrow({ where: { id: before.productId } });
    expect([renamed.title, renamed.vendor]).toEqual(["Renamed", "Acme Two"]);
    const variant = await shopDb.variant.findUniqueOrThrow({ where: { id: before.id } });
    expect([variant.sku, variant.gtin, variant.title]).toEqual(["SKU-1-1-NEW", "04006381333931", "XL"]);
    expect(variant.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    // Only what changed: product 2 and the other variant of product 1 keep their columns.
    expect((await shopDb.variant.findFirstOrThrow({ where: { sku: "SKU-1-0" } })).title).toBe("S");
    expect((await shopDb.product.findFirstOrThrow({ where: { handle: "product-2" } })).title).toBe("Product 2");
  });

  it("versions a passport when what it shows changes, and keeps its public id", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    const variant = await shopDb.variant.findFirstOrThrow({ where: { sku: "SKU-1-0" } });
    const before = await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } });
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1, 2, "Renamed")]) });
    const after = await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } });
    expect(after.publicId).toBe(before.publicId);
    expect(after.currentVersion).toBe(2);
    const v2 = await shopDb.passportVersion.findUniqueOrThrow({ where: { passportId_version: { passportId: after.id, version: 2 } } });
    expect(JSON.parse(v2.changes)).toEqual([{ key: "title", label: "Title" }]);
  });

  it("leaves the catalog as it was when the source fails mid-run, and records why", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    /** Every value, in key order. */
    const allValues = () => shopDb.fieldValue.findMany({ orderBy: [{ entityId: "asc" }, { field: "asc" }, { locale: "asc" }] });
    const snapshot = await allValues();
    /** A full run whose source breaks after these records. */
    const failingAfter = (records: SourceRecord[]) => async () => ({
      scope: "full" as const,
      records: (async function* () {
        yield* records;
        throw new Error("connection reset by peer");
      })(),
    });
    await expect(executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: failingAfter([product(1, 2, "Half-written"), product(3)]) })).rejects.toThrow(
      "connection reset",
    );
    expect(await allValues()).toEqual(snapshot);
    expect(await shopDb.product.count()).toBe(1);
    const failed = await shopDb.syncRun.findFirstOrThrow({ where: { status: "failed" } });
    expect(failed.message).toMatch(/connection reset by peer/);

    // Failing after whole batches were written inside the run's transaction: those go too.
    const many = Array.from({ length: 1200 }, (_, i) => product(100 + i, 1));
    await expect(executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: failingAfter(many) })).rejects.toThrow("connection reset");
    expect(await allValues()).toEqual(snapshot);
    expect(await shopDb.product.count()).toBe(1);
    expect(await shopDb.passport.count()).toBe(2);
  });

  it("moves an integration to error after repeated failures and back to active when a run succeeds", async () => {
    const broken = async (): Promise<SourceBatch> => {
      throw new Error("Shopify is down");
    };
    for (let i = 0; i < FAILURES_BEFORE_ERROR; i++) {
      await expect(executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", source: broken })).rejects.toThrow();
    }
    const errored = await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } });
    expect(errored.status).toBe("error");
    expect(errored.statusMessage).toMatch(/Shopify is down/);
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    const recovered = await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } });
    expect(recovered).toMatchObject({ status: "active", statusMessage: null, consecutiveFailures: 0 });
  });

  it("lets a secondary enrich existing variants with the fields it owns, with provenance", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    const { report: changes } = await executeSync({
      shop: TEST_SHOP,
      integrationId: excelId,
      trigger: "upload",
      source: batch(
        [
          {
            externalId: "product-1",
            fields: { title: { en: "Excel title" }, materials: [{ material: "Organic cotton", massPercent: 100 }] },
            variants: [{ externalId: "SKU-1-0", fields: { sku: "SKU-1-0" } }],
          },
        ],
        "partial",
      ),
    });
    expect(changes.counts).toMatchObject({ updated: 1, skipped: 1 });
    const variant = await shopDb.variant.findFirstOrThrow({ where: { sku: "SKU-1-0" } });
    const materials = await shopDb.fieldValue.findFirstOrThrow({ where: { entityId: variant.productId, field: "materials" } });
    expect(materials.sourceId).toBe(excelId);
    expect(await fieldHistory(shopDb, variant.productId, "materials")).toMatchObject([{ source: "Excel upload" }]);
    const title = await shopDb.fieldValue.findFirstOrThrow({ where: { entityId: variant.productId, field: "title" } });
    expect(JSON.parse(title.value)).toBe("Product 1");
  });

  it("keeps the listing title in the shop's language when only a translation arrives", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1)]) });
    const translated = product(1);
    translated.fields.title = { en: "Product 1", de: "Produkt 1" };
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([translated]) });
    const row = await shopDb.product.findFirstOrThrow({ where: { handle: "product-1" } });
    expect(row.title).toBe("Product 1");
    expect(await shopDb.fieldValue.count({ where: { entityId: row.id, field: "title" } })).toBe(2);
  });

  it("archives a product the source reports deleted, in a partial run, with its variants", async () => {
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1), product(2)]) });
    const { report: changes } = await executeSync({
      shop: TEST_SHOP,
      integrationId: shopifyId,
      trigger: "webhook",
      source: async () => ({ scope: "partial", records: [], deletedExternalIds: ["gid://shopify/Product/2"] }),
    });
    expect(changes.products.archived).toBe(1);
    expect(changes.counts.archived).toBe(2);
    const archived = await shopDb.variant.findMany({ where: { archivedAt: { not: null } }, select: { sku: true } });
    expect(archived.map((v) => v.sku).sort()).toEqual(["SKU-2-0", "SKU-2-1"]);
    expect(await shopDb.product.count()).toBe(2);
  });

  it("syncs a catalog larger than SQLite's old 999 bound-values limit in one run", async () => {
    const records = Array.from({ length: 260 }, (_, i) => product(1000 + i, 4));
    const { report: changes } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch(records) });
    expect(changes.counts.created).toBe(1040);
    expect(await shopDb.variant.count()).toBe(1040);
    const again = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch(records) });
    expect(again.report.counts.unchanged).toBe(1040);
  }, 60_000);

  it("writes a run of many batches in one transaction: an all-or-nothing run failing late keeps nothing of the earlier batches", async () => {
    const records = Array.from({ length: 1500 }, (_, i) => product(5000 + i, 1));
    const bad = records[1400].variants[0];
    records[1400].variants[0] = { ...bad, fields: { ...bad.fields, weight: "heavy" as unknown as number } }; // (a source may send anything)
    const refused = executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records, atomic: true }) });
    await expect(refused).rejects.toBeInstanceOf(RunRefused);
    expect(await shopDb.product.count()).toBe(0);
    expect(await shopDb.fieldValue.count()).toBe(0);
    const run = await shopDb.syncRun.findFirstOrThrow({ where: { status: "failed" } });
    expect(run).toMatchObject({ errorCount: 1, created: 1499, failed: 1 });
    expect(run.message).toMatch(/Nothing was saved: 1 record has a problem/);

    // Without all-or-nothing, the failing record fails alone and every batch is written.
    const { report } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch(records) });
    expect(report.counts).toMatchObject({ created: 1499, failed: 1 });
    expect(await shopDb.passport.count()).toBe(1499);
  }, 60_000);

  it("never touches another shop's catalog", async () => {
    const other = forShop(OTHER_SHOP);
    const otherShopify = (await connectIntegration(other, "shopify")).integration.id;
    await executeSync({ shop: OTHER_SHOP, integrationId: otherShopify, trigger: "manual", source: batch([product(1)]) });
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([product(1, 2, "Mine")]) });
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([]) });
    const theirs = await other.product.findFirstOrThrow({});
    expect(theirs.title).toBe("Product 1");
    expect(theirs.archivedAt).toBeNull();
    // And a shop cannot run another shop's integration.
    await expect(executeSync({ shop: TEST_SHOP, integrationId: otherShopify, trigger: "manual", source: batch([]) })).rejects.toThrow();
  });
});

describe("a variant that moves to another product", () => {
  it("leaves the product it left with the completeness of the passports it still has", async () => {
    const withBarcode = { ...product(1), variants: [{ ...product(1).variants[0], fields: { ...product(1).variants[0].fields, barcode: "4006381333931" } }, product(1).variants[1]] };
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([withBarcode]) });
    const first = await shopDb.product.findFirstOrThrow({ where: { handle: "product-1" } });
    const scores = async () => {
      const variants = await shopDb.variant.findMany({ where: { productId: first.id }, select: { id: true } });
      const passports = await shopDb.passport.findMany({ where: { variantId: { in: variants.map((v) => v.id) } }, select: { completeness: true } });
      return passports.map((p) => p.completeness);
    };
    expect(first.completeness).toBe(Math.min(...(await scores())));
    // The variant without a barcode (the lower score) moves to a product of its own.
    const moved: SourceRecord = { ...product(2), variants: [withBarcode.variants[1]] };
    const { report } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: batch([{ ...withBarcode, variants: [withBarcode.variants[0]] }, moved]) });
    expect(report.counts.failed).toBe(0);
    const left = await scores();
    expect(left).toHaveLength(1);
    expect((await shopDb.product.findUniqueOrThrow({ where: { id: first.id } })).completeness).toBe(left[0]);
    expect(left[0]).toBeGreaterThan(first.completeness);
  });
});
