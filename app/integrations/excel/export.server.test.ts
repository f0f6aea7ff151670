// The export's reads against a real database (SQLite, or PostgreSQL with PASSPORT_TEST_DB=postgres):
// order, archived flags, values, filters, translation locales, and nothing of another shop.
import { beforeEach, describe, expect, it } from "vitest";
import { deleteShopData, forShop, type ShopDb } from "../../db/scoped.server";
import { executeSync } from "../../sync/engine.server";
import type { SourceRecord } from "../../sync/records";
import { connectIntegration } from "../integrations.server";
import { catalogLocales, exportProducts, type ExportFilter } from "./export.server";
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
