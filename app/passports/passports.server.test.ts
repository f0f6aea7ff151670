// regeneratePassports against a real database (SQLite, or PostgreSQL with PASSPORT_TEST_DB=postgres):
// the values it reads back (one aggregated row per entity) give the same passports, byte for byte,
// as the catalog's values assembled row by row and built one variant at a time.
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_SHOP } from "../../test/support/constants";
import { assembleFieldValues, type StoredRow } from "../catalog/stored-values";
import { forShop } from "../db/scoped.server";
import { buildPassportContent, serializePassportContent } from "./content";
import { passportSummary, regeneratePassports } from "./passports.server";

const db = forShop(TEST_SHOP);
const SHOP = { domain: TEST_SHOP, name: "Acme Apparel", primaryLocale: "en" };
const NOW = new Date("2026-11-28T10:00:00Z");

const PRODUCTS = [
  { id: "prod-tee", handle: "organic-tee" },
  { id: "prod-bare", handle: "bare-product" },
];
const VARIANTS = [
  { id: "var-tee-m", productId: "prod-tee", title: "M / White" },
  { id: "var-tee-l", productId: "prod-tee", title: "L / White" },
  { id: "var-tee-xl", productId: "prod-tee", title: "XL / White" },
  { id: "var-bare", productId: "prod-bare", title: "Default Title" },
];

/** A stored value row: one per field and locale, the value as JSON. */
const row = (entityId: string, field: string, value: unknown, locale = "") => ({ entityId, field, locale, value: JSON.stringify(value) });

const ROWS = [
  row("prod-tee", "title", "Organic Cotton T-Shirt", "en"),
  row("prod-tee", "title", "Bio-Baumwoll-T-Shirt", "de"),
  row("prod-tee", "title", 'Camiseta "orgânica" 😀', "pt-BR"),
  row("prod-tee", "description", "<p>Soft &amp; breathable.</p><ul><li>Organic cotton</li><li>Recycled polyester</li></ul>", "en"),
  row("prod-tee", "description", "<script>alert(1)</script><p>Weich &eacute; atmungsaktiv</p>", "de"),
  row("prod-tee", "vendor", "Acme ™ \\ \"quoted\""),
  row("prod-tee", "productType", "INTERNAL-TYPE"),
  row("prod-tee", "tags", ["INTERNAL-TAG"]),
  row("prod-tee", "status", "archived"),
  row("prod-tee", "images", [{ url: "https://cdn.example.com/tee.jpg", alt: "Front" }]),
  row("prod-tee", "materials", [
    { material: "Elastane", massPercent: 5 },
    { material: "Organic cotton", massPercent: 95, recycledPercent: 0, originCountry: "IN" },
  ]),
  row("prod-tee", "countryOfProduction", "PT"),
  row("prod-tee", "careInstructions", "Machine wash at 30 °C.\nDo not tumble dry.", "en"),
  row("prod-tee", "careInstructions", "Maschinenwäsche bei 30 °C.", "de"),
  row("prod-tee", "carbonFootprint", 4.2),
  row("prod-tee", "weight", 180),
  row("prod-tee", "certifications", [{ name: "GOTS", body: "Control Union", validUntil: "2027-06-30", url: "https://certificates.example.org/gots/1" }]),
  // A field the registry no longer has: read past, as the catalog does.
  row("prod-tee", "retiredField", { any: "thing" }),
  row("var-tee-m", "sku", "TEE-M"),
  row("var-tee-m", "barcode", "04006381333931"),
  row("var-tee-m", "options", [{ name: "Size", value: "M" }, { name: "Color", value: "White" }]),
  row("var-tee-m", "weight", 185),
  row("var-tee-l", "options", [{ name: "Size", value: "L" }]),
  row("var-tee-l", "materials", [{ material: "Recycled cotton", massPercent: 100 }]),
  row("var-tee-l", "countryOfProduction", "it"),
  row("var-tee-l", "weight", 180),
];

/** The passport a variant should have: its values assembled row by row, its content built on its own. */
function expectedVersion(variantId: string, rows: typeof ROWS): { json: string; hash: string } {
  const variant = VARIANTS.find((v) => v.id === variantId)!;
  const product = PRODUCTS.find((p) => p.id === variant.productId)!;
  const rowsOf = (id: string): StoredRow[] => rows.filter((r) => r.entityId === id);
  return serializePassportContent(
    buildPassportContent({
      shop: SHOP,
      product: { handle: product.handle, archived: false, values: assembleFieldValues(rowsOf(product.id)) },
      variant: { title: variant.title, archived: false, values: assembleFieldValues(rowsOf(variant.id)) },
    }),
  );
}

async function storedVersions(): Promise<Map<string, { version: number; json: string; hash: string; passportHash: string | null }>> {
  const passports = await db.passport.findMany();
  const versions = await db.passportVersion.findMany();
  return new Map(
    passports.map((p) => {
      const current = versions.find((v) => v.passportId === p.id && v.version === p.currentVersion)!;
      return [p.variantId, { version: p.currentVersion, json: current.content, hash: current.contentHash, passportHash: p.contentHash }];
    }),
  );
}

const regenerate = (affected: { variantIds?: string[]; productIds?: string[] }) =>
  db.$transaction((tx) => regeneratePassports(tx, TEST_SHOP, { variantIds: new Set(affected.variantIds ?? []), productIds: new Set(affected.productIds ?? []) }, NOW));

beforeAll(async () => {
  await db.shop.create({ data: { shop: TEST_SHOP, name: SHOP.name, primaryLocale: SHOP.primaryLocale } });
  const shop = TEST_SHOP;
  await db.product.createMany({ data: PRODUCTS.map((p) => ({ ...p, shop })) });
  await db.variant.createMany({ data: VARIANTS.map((v) => ({ ...v, shop })) });
  await db.fieldValue.createMany({ data: ROWS.map((r) => ({ ...r, shop, updatedAt: NOW })) });
});

describe("regeneratePassports", () => {
  it("stores for every variant exactly the version its values give, read back in one row per entity", async () => {
    expect(await regenerate({ productIds: ["prod-tee", "prod-bare"] })).toEqual({ created: 4, versioned: 0 });
    const stored = await storedVersions();
    for (const { id } of VARIANTS) {
      const expected = expectedVersion(id, ROWS);
      expect(stored.get(id)).toEqual({ version: 1, json: expected.json, hash: expected.hash, passportHash: expected.hash });
    }
    // What the content holds, for the record: shared product parts, the variants' own, no admin data.
    const medium = JSON.parse(stored.get("var-tee-m")!.json) as Record<string, unknown>;
    expect(medium.title).toEqual({ de: "Bio-Baumwoll-T-Shirt", en: "Organic Cotton T-Shirt", "pt-BR": 'Camiseta "orgânica" 😀' });
    expect(medium.description).toEqual({ de: "Weich é atmungsaktiv", en: "Soft & breathable.\n\n• Organic cotton\n• Recycled polyester" });
    expect(medium).toMatchObject({ weight: 185, gtin: "04006381333931", noLongerSold: true, countryOfProduction: "PT" });
    expect(stored.get("var-tee-m")!.json).not.toMatch(/INTERNAL|retiredField/);
    expect(JSON.parse(stored.get("var-tee-l")!.json)).toMatchObject({ weight: 180, countryOfProduction: "IT", materials: [{ material: "Recycled cotton", massPercent: 100 }] });
    expect(JSON.parse(stored.get("var-bare")!.json)).toEqual({ brand: "Acme Apparel", format: 1, locale: "en", noLongerSold: false, title: { en: "bare-product" } });
  });

  it("adds no version when nothing changed, and one to exactly the variants whose passport a product change reaches", async () => {
    expect(await regenerate({ productIds: ["prod-tee", "prod-bare"] })).toEqual({ created: 0, versioned: 0 });
    // The product's weight changes: the medium variant overrides it (185), the others show it.
    await db.fieldValue.updateMany({ where: { entityId: "prod-tee", field: "weight" }, data: { value: JSON.stringify(200) } });
    const rows = ROWS.map((r) => (r.entityId === "prod-tee" && r.field === "weight" ? { ...r, value: JSON.stringify(200) } : r));
    expect(await regenerate({ productIds: ["prod-tee"] })).toEqual({ created: 0, versioned: 1 });
    const stored = await storedVersions();
    expect(stored.get("var-tee-m")!.version).toBe(1);
    expect(stored.get("var-tee-l")!.version).toBe(1);
    expect(stored.get("var-tee-xl")).toMatchObject({ version: 2, ...expectedVersion("var-tee-xl", rows) });
    const latest = await db.passportVersion.findFirstOrThrow({ where: { version: 2 } });
    expect(JSON.parse(latest.changes)).toEqual([{ key: "weight", label: "Weight" }]);
  });

  it("counts as published only the passports the public can open", async () => {
    expect(await passportSummary(db)).toMatchObject({ passports: 4, published: 4 });
    // A product held back (or a draft): its passports answer 404, so they are not published.
    await db.passport.updateMany({ where: { variantId: { in: ["var-tee-m", "var-tee-l"] } }, data: { held: true } });
    expect(await passportSummary(db)).toMatchObject({ passports: 4, published: 2 });
  });
});
