// The export's reads against a real database (SQLite, or PostgreSQL with PASSPORT_TEST_DB=postgres):
// order, archived flags, values, filters, translation locales, and nothing of another shop.
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { deleteShopData, forShop, type ShopDb } from "../../db/scoped.server";
import { executeSync } from "../../sync/engine.server";
import type { SourceRecord } from "../../sync/records";
import { connectIntegration } from "../integrations.server";
import { catalogGroupCounts, catalogLocales, exportProducts, writeCatalogWorkbook, type ExportFilter } from "./export.server";
import { makeTempDir } from "./fixtures/helpers";
import { readProductsWorkbook } from "./reader";
import { OTHER_SHOP, TEST_SHOP } from "../../../test/support/constants";

const db = forShop(TEST_SHOP);
const other = forShop(OTHER_SHOP);

function record(handle: string, title: string, skus: string[]): SourceRecord {
  return {
    externalId: handle,
    handle,
    fields: { title: { en: title } },
    // Listed last to first: the export orders variants by position, not by how they were stored.
    variants: skus.map((sku, i) => ({ externalId: sku, position: i + 1, fields: { sku } })).reverse(),
  };
}

async function sync(shopDb: ShopDb, records: SourceRecord[]): Promise<void> {
  const integration = (await connectIntegration(shopDb, "shopify")).integration;
  await executeSync({ shop: shopDb.shopDomain, integrationId: integration.id, trigger: "manual", source: async () => ({ scope: "full", records }) });
}

async function exported(shopDb: ShopDb, filter: ExportFilter = {}) {
  const out = [];
  for await (const p of exportProducts(shopDb, filter)) {
    out.push({ handle: p.handle, archived: p.archived, title: p.fields.title?.en, variants: p.variants.map((v) => ({ sku: v.fields.sku, archived: v.archived })) });
  }
  return out;
}

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
  await deleteShopData(OTHER_SHOP);
  await sync(db, [record("tee", "Organic Tee", ["TEE-S", "TEE-M", "TEE-L"]), record("cap", "Cap", ["CAP-1"]), record("mug", "Mug", ["MUG-1"])]);
  await sync(other, [record("tee", "Other Tee", ["OTHER-1"])]);
  await db.product.updateMany({ where: { handle: "mug" }, data: { archivedAt: new Date() } });
  await db.variant.updateMany({ where: { sku: "TEE-M" }, data: { archivedAt: new Date() } });
  await db.product.updateMany({ where: { handle: "cap" }, data: { completeness: 100 } });
});

describe("exportProducts", () => {
  it("yields products by id with their variants by position, archived flags and values, and nothing of another shop", async () => {
    const byId = (await db.product.findMany({ orderBy: { id: "asc" }, select: { handle: true } })).map((p) => p.handle);
    const products = await exported(db);
    expect(products.map((p) => p.handle)).toEqual(byId);
    expect(products.find((p) => p.handle === "tee")).toEqual({
      handle: "tee",
      archived: false,
      title: "Organic Tee",
      variants: [
        { sku: "TEE-S", archived: false },
        { sku: "TEE-M", archived: true },
        { sku: "TEE-L", archived: false },
      ],
    });
    expect(products.find((p) => p.handle === "mug")).toMatchObject({ archived: true, variants: [{ sku: "MUG-1", archived: false }] });
    expect(await exported(other)).toEqual([{ handle: "tee", archived: false, title: "Other Tee", variants: [{ sku: "OTHER-1", archived: false }] }]);
  });

  it("filters by archived state, missing passport data and search", async () => {
    const handles = async (filter: ExportFilter) => (await exported(db, filter)).map((p) => p.handle).sort();
    expect(await handles({ archived: "exclude" })).toEqual(["cap", "tee"]);
    expect(await handles({ archived: "only" })).toEqual(["mug"]);
    expect(await handles({ missingPassportData: true })).toEqual(["mug", "tee"]);
    expect(await handles({ search: "organic" })).toEqual(["tee"]);
    expect(await handles({ search: "CAP-1" })).toEqual(["cap"]);
    expect(await handles({ search: "nothing like it" })).toEqual([]);
  });
});

describe("archived variants", () => {
  it("leaves archived variants out with archived: exclude, and products whose variants are all archived", async () => {
    const tee = (await exported(db, { archived: "exclude" })).find((p) => p.handle === "tee");
    expect(tee?.variants).toEqual([
      { sku: "TEE-S", archived: false },
      { sku: "TEE-L", archived: false },
    ]);
    await db.variant.updateMany({ where: { sku: "CAP-1" }, data: { archivedAt: new Date() } });
    expect((await exported(db, { archived: "exclude" })).map((p) => p.handle)).toEqual(["tee"]);
    // Included and only-archived exports keep every variant of their products.
    expect((await exported(db)).find((p) => p.handle === "tee")?.variants).toHaveLength(3);
    expect((await exported(db, { archived: "only" })).map((p) => p.variants.length)).toEqual([1]);
  });

  it("writes an archived variant without SKU, barcode or options with archived: exclude, so the ones after it keep their ids", async () => {
    // bag: v1, v2 (archived), v3, none with anything to tell them apart; the reader names them by
    // order, counting archived rows: v3 is "bag#3".
    const variants = ["v1", "v2", "v3"].map((id, i) => ({ externalId: id, position: i + 1, fields: {} }));
    await sync(db, [{ externalId: "bag", handle: "bag", fields: { title: { en: "Bag" } }, variants }]);
    const [v1, v2, v3] = await db.variant.findMany({ where: { product: { handle: "bag" } }, orderBy: { position: "asc" } });
    for (const [variant, weight] of [[v1, 100], [v2, 200], [v3, 300]] as const) {
      await db.fieldValue.create({ data: { shop: TEST_SHOP, entityId: variant.id, field: "weight", value: JSON.stringify(weight), updatedAt: new Date() } });
    }
    await db.variant.update({ where: { id: v2.id }, data: { archivedAt: new Date() } });

    const tmp = await makeTempDir();
    const readBack = async (filter: ExportFilter) => {
      const path = tmp.path(`${filter.archived}.xlsx`);
      const out = createWriteStream(path);
      await writeCatalogWorkbook(db, out, filter);
      await finished(out);
      const result = await readProductsWorkbook(path, { primaryLocale: "en" });
      expect(result.errors).toEqual([]);
      return result;
    };
    try {
      const included = await readBack({ archived: "include" });
      const excluded = await readBack({ archived: "exclude" });
      const bag = (result: typeof included) => result.records.find((r) => r.handle === "bag")?.variants.map((v) => ({ externalId: v.externalId, weight: v.fields.weight }));
      expect(bag(included)).toEqual([
        { externalId: "bag", weight: 100 },
        { externalId: "bag#3", weight: 300 },
      ]);
      expect(bag(excluded)).toEqual(bag(included));
      // The archived row is written (the sync of bag alone archived the other products, left out)
      // and not imported.
      expect(excluded.records.map((r) => r.handle)).toEqual(["bag"]);
      expect(excluded.warnings.filter((w) => w.column === "Archived in source").map((w) => w.row)).toEqual([3]);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe("catalogGroupCounts", () => {
  const materials = (n: number) => Array.from({ length: n }, (_, i) => ({ material: `Fibre ${i + 1}`, massPercent: i === 0 ? 100 - (n - 1) : 1 }));
  const certifications = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Label ${i + 1}` }));

  it("is the template's count for short lists, and the longest list of the shop otherwise", async () => {
    expect(await catalogGroupCounts(db)).toEqual({ materials: 6, certifications: 3, options: 3 });
    // (Stored as a secondary's upload would: the Shopify integration here does not own these fields.)
    const value = async (shopDb: ShopDb, handle: string, field: string, list: unknown[]) => {
      const product = await shopDb.product.findFirstOrThrow({ where: { handle } });
      await shopDb.fieldValue.create({ data: { shop: shopDb.shopDomain, entityId: product.id, field, value: JSON.stringify(list), updatedAt: new Date() } });
    };
    await value(db, "tee", "materials", materials(2));
    await value(db, "tee", "certifications", certifications(4));
    await value(db, "cap", "materials", materials(8));
    await value(other, "tee", "certifications", certifications(9));
    expect(await catalogGroupCounts(db)).toEqual({ materials: 8, certifications: 4, options: 3 });
    expect(await catalogGroupCounts(other)).toEqual({ materials: 6, certifications: 9, options: 3 });
  });
});

describe("catalogLocales", () => {
  it("lists the translation locales of the shop's values (one column group each), not the primary's nor another shop's", async () => {
    expect(await catalogLocales(db, "en")).toEqual([]);
    await sync(db, [{ ...record("tee", "Organic Tee", ["TEE-S", "TEE-M", "TEE-L"]), fields: { title: { en: "Organic Tee", de: "Bio-T-Shirt", fr: "T-shirt bio" } } }]);
    await sync(other, [{ ...record("tee", "Other Tee", ["OTHER-1"]), fields: { title: { en: "Other Tee", it: "Altra maglietta" } } }]);
    expect(await catalogLocales(db, "en")).toEqual(["de", "fr"]);
    expect(await catalogLocales(db, "de")).toEqual(["en", "fr"]);
    expect(await catalogLocales(other, "en")).toEqual(["it"]);
  });
});
