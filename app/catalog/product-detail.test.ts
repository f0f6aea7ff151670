// The product page's data (productDetail) against a real database: what the passports miss, from
// the completeness profile their score comes from; the variants' names for labels; and each owner
// of the page's fields once.
import { beforeEach, describe, expect, it } from "vitest";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { executeSync } from "../sync/engine.server";
import type { SourceRecord } from "../sync/records";
import { TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { editField, productDetail, variantName } from "./catalog.server";

const SHIRT: SourceRecord = {
  externalId: "gid://shopify/Product/1",
  handle: "shirt",
  fields: { title: { en: "Linen shirt" }, vendor: "Acme", images: [{ url: "https://cdn.example.com/shirt.jpg" }] },
  variants: [
    { externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "LS-S", barcode: "4006381333931", options: [{ name: "Size", value: "S" }] } },
    { externalId: "gid://shopify/ProductVariant/12", position: 2, fields: { sku: "LS-M", options: [{ name: "Size", value: "M" }] } },
  ],
};

let shopDb: ShopDb;

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  const shopifyId = (await connectIntegration(shopDb, "shopify")).integration.id;
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [SHIRT] }) });
});

describe("productDetail", () => {
  it("says which passport data is missing: once for every passport, and per variant what only it misses", async () => {
    const product = await shopDb.product.findFirstOrThrow();
    const detail = await productDetail(shopDb, product.id);
    const every = detail.missing.everyPassport.map((m) => m.label);
    expect(every).toEqual(expect.arrayContaining(["Material composition", "Care instructions", "Country of production", "Manufacturer"]));
    expect(every).not.toContain("GTIN (barcode)");
    expect(every).not.toContain("Title");
    expect(detail.missing.someVariants).toEqual([{ variantId: detail.variants[1].id, name: "Size M", missing: [expect.objectContaining({ key: "gtin", label: "GTIN (barcode)", hint: expect.stringContaining("barcode") })] }]);
    // The same rules as the score: a passport at 100 % misses nothing.
    expect(detail.variants.every((v) => v.passport!.completeness < 100)).toBe(true);

    // Filled in by hand, it is no longer missing.
    await editField(shopDb, { entityId: product.id, field: "careInstructions", value: "Wash at 30 °C." }, "ana@example.com");
    const after = await productDetail(shopDb, product.id);
    expect(after.missing.everyPassport.map((m) => m.label)).not.toContain("Care instructions");
  });

  it("names each variant by its options, for labels that say which variant a field is of", async () => {
    const detail = await productDetail(shopDb, (await shopDb.product.findFirstOrThrow()).id);
    expect(detail.variants.map((v) => v.name)).toEqual(["Size S", "Size M"]);
    expect(variantName([{ name: "Size", value: "M" }, { name: "Colour", value: "Blue" }], "M / Blue")).toBe("Size M, Colour Blue");
    expect(variantName(null, "Default")).toBe("variant Default");
  });

  it("lists each owner of the page's fields once", async () => {
    const detail = await productDetail(shopDb, (await shopDb.product.findFirstOrThrow()).id);
    expect(detail.owners).toEqual([{ id: expect.any(String), label: "Shopify" }]);
  });
});
