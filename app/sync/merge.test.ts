// The sync rules of GUIDE §2, one case per rule, on an in-memory catalog.
import { beforeEach, describe, expect, it } from "vitest";
import { NO_LINKS, NO_VALUES, type StoredValue } from "./merge";
import { MemoryCatalog } from "./memory-catalog.test-support";
import type { SourceRecord } from "./records";

const SHOPIFY = { id: "shopify", role: "primary" as const };
const EXCEL = { id: "excel", role: "secondary" as const };

function tee(overrides: Partial<SourceRecord> = {}, variants = ["S", "M"]): SourceRecord {
  return {
    externalId: "P1",
    handle: "organic-tee",
    fields: { title: { en: "Organic Tee" }, vendor: "Acme" },
    variants: variants.map((size, i) => ({
      externalId: `V-${size}`,
      position: i + 1,
      fields: { sku: `TEE-${size}`, options: [{ name: "Size", value: size }] },
    })),
    ...overrides,
  };
}

function sweater(): SourceRecord {
  return {
    externalId: "P2",
    handle: "wool-sweater",
    fields: { title: { en: "Wool Sweater" } },
    variants: [{ externalId: "V-W1", fields: { sku: "SW-1", barcode: "4006381333931" } }],
  };
}

let catalog: MemoryCatalog;
beforeEach(() => {
  catalog = new MemoryCatalog();
  catalog.primaryId = "shopify";
  for (const f of ["title", "vendor", "options", "sku", "barcode"] as const) catalog.own(f, "shopify");
  catalog.own("materials", "excel").own("careInstructions", "excel");
});

describe("primary", () => {
  it("creates products and groups variants as the source does", () => {
    const run = catalog.run(SHOPIFY, [tee(), sweater()]);
    expect(run.counts).toMatchObject({ created: 3, updated: 0, failed: 0 });
    expect(run.products.created).toBe(2);
    expect(catalog.products.size).toBe(2);
    const s = catalog.variantBySku("TEE-S")!;
    const m = catalog.variantBySku("TEE-M")!;
    expect(s.productId).toBe(m.productId);
    expect(catalog.value(s.productId, "title", "en")).toBe("Organic Tee");
    expect(catalog.source(s.productId, "title", "en")).toBe("shopify");
    expect(catalog.value(catalog.variantBySku("SW-1")!.id, "barcode")).toBe("04006381333931");
  });

  it("changes nothing when the same input comes twice", () => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
    const again = catalog.run(SHOPIFY, [tee(), sweater()]);
    expect(again.writes).toEqual([]);
    expect(again.newProducts).toEqual([]);
    expect(again.links).toEqual([]);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3, archived: 0 });
  });

  it("regroups a variant the source moved to another product, keeping its identity", () => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
    const moved = catalog.variantBySku("TEE-M")!.id;
    const sw = sweater();
    sw.variants.push({ externalId: "V-M", fields: { sku: "TEE-M", options: [{ name: "Size", value: "M" }] } });
    const run = catalog.run(SHOPIFY, [tee({}, ["S"]), sw]);
    expect(catalog.variantBySku("TEE-M")!.id).toBe(moved);
    expect(catalog.variants.get(moved)!.productId).toBe(catalog.variantBySku("SW-1")!.productId);
    expect(catalog.variants.get(moved)!.archived).toBe(false);
    expect(run.counts.archived).toBe(0);
  });

  it("keeps variants' positions when a record lists them in the order they have, gaps and all", () => {
    catalog.run(SHOPIFY, [tee({}, ["S", "M", "L"])]);
    const position = (sku: string) => catalog.variants.get(catalog.variantBySku(sku)!.id)!.position;
    // M left out (deleted in the source, or an export without archived variants): L is listed second.
    const gap = catalog.run(SHOPIFY, [tee({}, ["S", "L"])]);
    expect(gap.variantMoves).toEqual([]);
    expect([position("TEE-S"), position("TEE-L")]).toEqual([1, 3]);
    // Listed in another order: they move.
    const reordered = catalog.run(SHOPIFY, [tee({}, ["L", "S"])]);
    expect(reordered.variantMoves.map((m) => [m.id, m.position])).toEqual([
      [catalog.variantBySku("TEE-L")!.id, 1],
      [catalog.variantBySku("TEE-S")!.id, 2],
    ]);
    expect([position("TEE-L"), position("TEE-S")]).toEqual([1, 2]);
    // A new variant: every listed one takes the record's position.
    catalog.run(SHOPIFY, [tee({}, ["L", "S", "XL"])]);
    expect(["TEE-L", "TEE-S", "TEE-XL"].map(position)).toEqual([1, 2, 3]);
  });

  it("overwrites a manual edit of a field it owns", () => {
    catalog.run(SHOPIFY, [tee()]);
    const productId = catalog.variantBySku("TEE-S")!.productId;
    catalog.edit(productId, "title", "Typed by hand", "en");
    const run = catalog.run(SHOPIFY, [tee({ fields: { title: { en: "Organic Tee v2" }, vendor: "Acme" } })]);
    expect(catalog.value(productId, "title", "en")).toBe("Organic Tee v2");
    expect(run.writes).toHaveLength(1);
    expect(run.writes[0]).toMatchObject({ field: "title", oldValue: '"Typed by hand"', newValue: '"Organic Tee v2"' });
  });

  it("keeps manual values of fields nobody owns and counts the skipped values", () => {
    catalog.own("manufacturer", null); // switched off: edited by hand
    catalog.run(SHOPIFY, [tee()]);
    const productId = catalog.variantBySku("TEE-S")!.productId;
    catalog.edit(productId, "manufacturer", "Hand-typed Mills");
    const run = catalog.run(SHOPIFY, [tee({ fields: { title: { en: "Organic Tee" }, vendor: "Acme", manufacturer: "Shopify Mills" } })]);
    expect(catalog.value(productId, "manufacturer")).toBe("Hand-typed Mills");
    expect(run.counts.skipped).toBe(1);
    expect(run.skippedByField).toEqual({ manufacturer: 1 });
  });

  it("archives what vanished from a full run, never deletes, and restores it when it returns", () => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
    const swProduct = catalog.variantBySku("SW-1")!.productId;
    const gone = catalog.run(SHOPIFY, [tee()]);
    expect(gone.counts.archived).toBe(1);
    expect(gone.products.archived).toBe(1);
    expect(catalog.products.get(swProduct)!.archived).toBe(true);
    expect(catalog.variantBySku("SW-1")!.archived).toBe(true);
    expect(catalog.products.size).toBe(2);

    const back = catalog.run(SHOPIFY, [tee(), sweater()]);
    expect(catalog.products.get(swProduct)!.archived).toBe(false);
    expect(catalog.variantBySku("SW-1")!.archived).toBe(false);
    expect(back.unarchive).toEqual(expect.arrayContaining([{ entityType: "product", id: swProduct }]));
  });

  it("archives nothing it did not look at in a partial run", () => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
    const run = catalog.run(SHOPIFY, [tee({ fields: { title: { en: "Renamed" }, vendor: "Acme" } })], { scope: "partial" });
    expect(run.archive).toEqual([]);
    expect(catalog.variantBySku("SW-1")!.archived).toBe(false);
  });

  it("archives the variants a product it looked at no longer has, even in a partial run", () => {
    catalog.run(SHOPIFY, [tee({}, ["S", "M", "L"])]);
    const run = catalog.run(SHOPIFY, [tee({}, ["S", "M"])], { scope: "partial" });
    expect(run.counts.archived).toBe(1);
    expect(catalog.variantBySku("TEE-L")!.archived).toBe(true);
  });

  it("archives products the source deleted", () => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
    const run = catalog.run(SHOPIFY, [], { scope: "partial", deleted: ["P2"] });
    expect(run.products.archived).toBe(1);
    expect(catalog.variantBySku("SW-1")!.archived).toBe(true);
    expect(catalog.variantBySku("TEE-S")!.archived).toBe(false);
  });

  it("ignores an older copy of a record that arrives after a newer one", () => {
    catalog.run(SHOPIFY, [tee({ updatedAt: new Date("2026-11-02T10:00:00Z"), fields: { title: { en: "Newer" } } })], { scope: "partial" });
    const run = catalog.run(SHOPIFY, [tee({ updatedAt: new Date("2026-11-02T09:00:00Z"), fields: { title: { en: "Older" } } })], { scope: "partial" });
    expect(run.writes).toEqual([]);
    expect(catalog.value(catalog.variantBySku("TEE-S")!.productId, "title", "en")).toBe("Newer");
  });

  it("fails a record with an invalid value alone and goes on with the rest", () => {
    const bad = sweater();
    bad.variants[0].fields.barcode = "4006381333932"; // wrong check digit
    const run = catalog.run(SHOPIFY, [tee(), bad]);
    expect(run.counts).toMatchObject({ created: 2, failed: 1 });
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0].message).toMatch(/check digit/);
    expect(catalog.variantBySku("TEE-S")).toBeDefined();
    // the failed record is retried on the next run, not skipped as unchanged
    const fixed = catalog.run(SHOPIFY, [tee(), sweater()]);
    expect(fixed.counts.created).toBe(1);
  });

  it("adopts an existing variant with the same identifier instead of duplicating it", () => {
    catalog.run({ ...EXCEL, createUnmatched: true }, [
      { externalId: "tee", handle: "tee", fields: { title: { en: "Tee from Excel" } }, variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S" } }] },
    ]);
    const before = catalog.variantBySku("TEE-S")!.id;
    catalog.run(SHOPIFY, [tee()]);
    expect(catalog.variantBySku("TEE-S")!.id).toBe(before);
    expect(catalog.variants.size).toBe(2);
  });
});

describe("secondary", () => {
  beforeEach(() => {
    catalog.run(SHOPIFY, [tee(), sweater()]);
  });

  it("matches variants by SKU and writes only the fields it owns", () => {
    const run = catalog.run(EXCEL, [
      {
        externalId: "tee",
        fields: { title: { en: "Excel title" }, materials: [{ material: "Cotton", massPercent: 100 }] },
        variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S", careInstructions: undefined } }],
      },
    ]);
    const productId = catalog.variantBySku("TEE-S")!.productId;
    expect(catalog.value(productId, "materials")).toEqual([{ material: "Cotton", massPercent: 100 }]);
    expect(catalog.source(productId, "materials")).toBe("excel");
    expect(catalog.value(productId, "title", "en")).toBe("Organic Tee");
    expect(run.skippedByField).toEqual({ title: 1 });
    expect(run.counts).toMatchObject({ updated: 1, skipped: 1, unmatched: 0 });
  });

  it("matches by barcode, whatever GTIN length the file uses", () => {
    const run = catalog.run({ ...EXCEL, matchBy: "barcode" }, [
      { externalId: "sw", fields: { careInstructions: { en: "Hand wash" } }, variants: [{ externalId: "x", fields: { barcode: "4006381333931" } }] },
    ]);
    expect(run.counts.updated).toBe(1);
    expect(catalog.value(catalog.variantBySku("SW-1")!.productId, "careInstructions", "en")).toBe("Hand wash");
  });

  it("reports records that match nothing instead of dropping them", () => {
    const run = catalog.run(EXCEL, [
      { externalId: "ghost", fields: { materials: [{ material: "Silk", massPercent: 100 }] }, variants: [{ externalId: "NOPE-1", fields: { sku: "NOPE-1" }, ref: { sheet: "Products", row: 7 } }] },
    ]);
    expect(run.counts.unmatched).toBe(1);
    expect(run.unmatched).toEqual([{ externalId: "NOPE-1", identifier: "NOPE-1", ref: { sheet: "Products", row: 7 } }]);
    expect(catalog.products.size).toBe(2);
  });

  it("creates products that exist nowhere else when asked, writing their core fields itself", () => {
    const run = catalog.run({ ...EXCEL, createUnmatched: true }, [
      {
        externalId: "scarf",
        handle: "silk-scarf",
        fields: { title: { en: "Silk Scarf" }, materials: [{ material: "Silk", massPercent: 100 }] },
        variants: [{ externalId: "SC-1", fields: { sku: "SC-1" } }],
      },
    ]);
    expect(run.products.created).toBe(1);
    const scarf = catalog.variantBySku("SC-1")!;
    // Title is owned by Shopify, which does not know this product: the creating integration writes it.
    expect(catalog.value(scarf.productId, "title", "en")).toBe("Silk Scarf");
    expect(catalog.value(scarf.id, "sku")).toBe("SC-1");
    // A full Shopify run does not archive a product Shopify never had.
    catalog.run(SHOPIFY, [tee(), sweater()]);
    expect(catalog.products.get(scarf.productId)!.archived).toBe(false);
  });

  it("never writes a field another secondary owns, even for variants that secondary has not seen", () => {
    catalog.own("barcode", "excel");
    const sw = sweater();
    sw.variants[0].fields.barcode = "5901234123457";
    const run = catalog.run(SHOPIFY, [tee(), sw]);
    expect(catalog.value(catalog.variantBySku("SW-1")!.id, "barcode")).toBe("04006381333931");
    expect(run.skippedByField).toEqual({ barcode: 1 });
  });

  it("does not judge values it may not write: a non-GTIN Shopify barcode is skipped, not failed, when Excel owns barcodes", () => {
    catalog.own("barcode", "excel");
    const sw = sweater();
    sw.variants[0].fields.barcode = "NOT-A-GTIN";
    const run = catalog.run(SHOPIFY, [tee(), sw]);
    expect(run.counts.failed).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.skippedByField).toEqual({ barcode: 1 });
  });

  it("writes nothing of a variant whose owned value is invalid", () => {
    const before = catalog.value(catalog.variantBySku("SW-1")!.id, "options");
    const sw = sweater();
    sw.variants[0].fields.options = [{ name: "Size", value: "M" }, { name: "", value: "x" }];
    const run = catalog.run(SHOPIFY, [sw], { scope: "partial" });
    expect(run.counts.failed).toBe(1);
    expect(run.writes.filter((w) => w.entityType === "variant")).toEqual([]);
    expect(catalog.value(catalog.variantBySku("SW-1")!.id, "options")).toEqual(before);
  });

  it("rejects an identifier that matches several variants", () => {
    catalog.variants.get(catalog.variantBySku("SW-1")!.id)!.values.set("sku|", { value: '"TEE-S"', sourceId: "shopify" });
    const run = catalog.run(EXCEL, [{ externalId: "x", fields: {}, variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S" } }] }]);
    expect(run.counts.failed).toBe(1);
    expect(run.errors[0].message).toMatch(/matches 2 variants/);
  });

  it("rejects two records that give one product different values", () => {
    const run = catalog.run(EXCEL, [
      { externalId: "a", fields: { materials: [{ material: "Cotton", massPercent: 100 }] }, variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S" } }] },
      { externalId: "b", fields: { materials: [{ material: "Linen", massPercent: 100 }] }, variants: [{ externalId: "TEE-M", fields: { sku: "TEE-M" } }] },
    ]);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0].message).toMatch(/Materials differs from "a"/);
  });

  it("lets several records give one product the same value: one write, and every matched variant counts as updated", () => {
    // A supplier sheet with a row per colour, each giving the product the same materials.
    const cotton = [{ material: "Cotton", massPercent: 100 }];
    const run = catalog.run(EXCEL, [
      { externalId: "tee-s", fields: { materials: cotton }, variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S" } }] },
      { externalId: "tee-m", fields: { materials: cotton }, variants: [{ externalId: "TEE-M", fields: { sku: "TEE-M" } }] },
    ]);
    expect(run.errors).toEqual([]);
    const productId = catalog.variantBySku("TEE-S")!.productId;
    expect(run.writes).toEqual([expect.objectContaining({ entityId: productId, field: "materials", oldValue: null })]);
    expect(catalog.value(productId, "materials")).toEqual(cotton);
    expect(run.counts).toMatchObject({ updated: 2, unchanged: 0, failed: 0 });
    expect(run.products).toMatchObject({ updated: 1, unchanged: 0 });
  });

  it("matches the live variant when an archived one has the same SKU, and the archived one when it is the only one", () => {
    const care = (text: string): SourceRecord => ({ externalId: "sw", fields: { careInstructions: { en: text } }, variants: [{ externalId: "SW-1", fields: { sku: "SW-1" } }] });
    const archived = catalog.variantBySku("SW-1")!;
    // Deleted in Shopify: the variant stays, archived, and can still be enriched.
    catalog.run(SHOPIFY, [], { scope: "partial", deleted: ["P2"] });
    expect(catalog.run(EXCEL, [care("Dry clean")]).errors).toEqual([]);
    expect(catalog.value(archived.productId, "careInstructions", "en")).toBe("Dry clean");

    // Made again in Shopify with the same SKU: the new, live variant is the one a SKU means.
    catalog.run(SHOPIFY, [{ externalId: "P3", handle: "wool-sweater", fields: { title: { en: "Wool Sweater" } }, variants: [{ externalId: "V-W3", fields: { sku: "SW-1" } }] }], {
      scope: "partial",
    });
    const live = [...catalog.variants.values()].find((v) => catalog.value(v.id, "sku") === "SW-1" && !v.archived)!;
    expect(live.id).not.toBe(archived.id);
    const run = catalog.run(EXCEL, [care("Hand wash")]);
    expect(run.errors).toEqual([]);
    expect(run.counts.updated).toBe(1);
    expect(catalog.value(live.productId, "careInstructions", "en")).toBe("Hand wash");
    expect(catalog.value(archived.productId, "careInstructions", "en")).toBe("Dry clean");
  });

  it("changes nothing when the same file comes twice", () => {
    const records: SourceRecord[] = [
      { externalId: "tee", fields: { materials: [{ material: "Cotton", massPercent: 100 }] }, variants: [{ externalId: "TEE-S", fields: { sku: "TEE-S" } }] },
    ];
    catalog.run(EXCEL, records);
    const again = catalog.run(EXCEL, records);
    expect(again.writes).toEqual([]);
    expect(again.links).toEqual([]);
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it("never archives anything, even in a full run", () => {
    const run = catalog.run(EXCEL, [], { scope: "full" });
    expect(run.archive).toEqual([]);
  });
});

describe("a title, needed only to create a product", () => {
  const EXCEL_PRIMARY = { id: "excel", role: "primary" as const };
  const untitled = (handle: string, sku: string, row: number): SourceRecord => ({
    externalId: handle,
    handle,
    fields: { countryOfProduction: "PT" },
    variants: [{ externalId: sku, fields: { sku }, ref: { sheet: "Products", row } }],
    ref: { sheet: "Products", row },
  });

  beforeEach(() => {
    catalog.primaryId = "excel";
    for (const f of ["title", "sku", "countryOfProduction"] as const) catalog.own(f, "excel");
  });

  it("a primary updates a product it has without one, and refuses to create one without one", () => {
    catalog.run(EXCEL_PRIMARY, [{ externalId: "tee", handle: "tee", fields: { title: { en: "Tee" } }, variants: [{ externalId: "T-1", fields: { sku: "T-1" } }] }]);
    const run = catalog.run(EXCEL_PRIMARY, [untitled("tee", "T-1", 2), untitled("scarf", "S-1", 3)], { scope: "partial" });
    expect(run.errors).toEqual([
      { externalId: "scarf", ref: { sheet: "Products", row: 3, column: "Title" }, message: 'The product "scarf" is new, so it needs a Title: add one, or remove its rows.' },
    ]);
    expect(run.counts).toMatchObject({ updated: 1, created: 0, failed: 1 });
    expect(run.newProducts).toEqual([]);
    const tee = catalog.variantBySku("T-1")!.productId;
    expect(catalog.value(tee, "countryOfProduction")).toBe("PT");
    expect(catalog.value(tee, "title", "en")).toBe("Tee");
  });

  it("a refused product leaves its handle free for the product the record makes once it has a title", () => {
    const run = catalog.run(EXCEL_PRIMARY, [untitled("scarf", "S-1", 2), { ...untitled("scarf", "S-2", 3), externalId: "scarf-again", fields: { title: { en: "Scarf" } } }]);
    expect(run.newProducts.map((p) => p.handle)).toEqual(["scarf"]);
  });

  it("a title in another language will do; an empty one will not", () => {
    const run = catalog.run(EXCEL_PRIMARY, [
      { ...untitled("tuch", "S-1", 2), fields: { title: { de: "Tuch" } } },
      { ...untitled("blank", "S-2", 3), fields: { title: { en: " " } } },
    ]);
    expect(run.newProducts.map((p) => p.handle)).toEqual(["tuch"]);
    expect(run.errors.map((e) => e.externalId)).toEqual(["blank"]);
  });

  it("a secondary creating products needs one only for a record that matches nothing", () => {
    catalog.primaryId = "shopify";
    catalog.own("title", "shopify").own("sku", "shopify");
    catalog.run(SHOPIFY, [tee()]);
    const run = catalog.run({ ...EXCEL, createUnmatched: true }, [untitled("organic-tee", "TEE-S", 2), untitled("silk-scarf", "SC-1", 3)]);
    expect(run.errors).toEqual([
      {
        externalId: "silk-scarf",
        ref: { sheet: "Products", row: 3, column: "Title" },
        message: 'The product "silk-scarf" matches no variant in the catalog by SKU, so it is new and needs a Title: add one, correct its SKUs, or remove its rows.',
      },
    ]);
    expect(run.counts).toMatchObject({ updated: 1, created: 0, failed: 1 });
    expect(catalog.value(catalog.variantBySku("TEE-S")!.productId, "countryOfProduction")).toBe("PT");
    expect(catalog.products.size).toBe(1);

    // A product it created before is its own: a new variant of it needs no title.
    catalog.run({ ...EXCEL, createUnmatched: true }, [{ ...untitled("silk-scarf", "SC-1", 3), fields: { title: { en: "Silk Scarf" } } }]);
    const again = catalog.run({ ...EXCEL, createUnmatched: true }, [untitled("silk-scarf", "SC-2", 3)]);
    expect(again.errors).toEqual([]);
    expect(again.counts.created).toBe(1);
    expect(catalog.variantBySku("SC-2")!.productId).toBe(catalog.variantBySku("SC-1")!.productId);
  });
});

describe("a secondary that owns the identifier it matches by", () => {
  const EXCEL_ROW = (sku: string): SourceRecord => ({ externalId: "tee", fields: { materials: [{ material: "Cotton", massPercent: 100 }] }, variants: [{ externalId: sku, fields: { sku } }] });
  beforeEach(() => {
    catalog.own("sku", "excel"); // GUIDE §2's default: a secondary owns identifiers
  });

  it("finds the variants the primary creates by the SKU the primary gave them", () => {
    const first = catalog.run(SHOPIFY, [tee()]);
    expect(first.skippedByField).toEqual({ sku: 2 }); // Shopify's SKUs are not the catalog's values
    expect(catalog.variantBySku("TEE-S")).toBeUndefined();

    const run = catalog.run(EXCEL, [EXCEL_ROW("TEE-S")]);
    expect(run.counts).toMatchObject({ updated: 1, unmatched: 0 });
    const variant = catalog.variantBySku("TEE-S")!; // Excel wrote its SKU, as owner
    expect(catalog.source(variant.id, "sku")).toBe("excel");
    expect(catalog.value(variant.productId, "materials")).toEqual([{ material: "Cotton", massPercent: 100 }]);
  });

  it("matches a variant by its owned SKU once it has one, not by the primary's", () => {
    catalog.run(SHOPIFY, [tee()]);
    const variant = [...catalog.variants.values()].find((v) => v.sourceSku === "TEE-S")!;
    catalog.edit(variant.id, "sku", "EX-S");
    expect(catalog.run(EXCEL, [EXCEL_ROW("TEE-S")]).counts.unmatched).toBe(1);
    expect(catalog.run(EXCEL, [EXCEL_ROW("EX-S")]).counts).toMatchObject({ updated: 1, unmatched: 0 });
  });

  it("follows the primary's SKU when it changes, and writes nothing for it when it does not", () => {
    catalog.run(SHOPIFY, [tee()]);
    const renamed = catalog.run(SHOPIFY, [tee({ fields: { title: { en: "Renamed Tee" }, vendor: "Acme" } })]);
    expect(renamed.writes).toHaveLength(1);
    expect(renamed.sourceIdentifiers).toEqual([]);

    const changed = tee();
    changed.variants[0].fields.sku = "TEE-S2";
    const run = catalog.run(SHOPIFY, [changed]);
    expect(run.sourceIdentifiers).toEqual([{ variantId: expect.any(String), sku: "TEE-S2", gtin: null }]);
    expect(catalog.run(EXCEL, [EXCEL_ROW("TEE-S2")]).counts).toMatchObject({ updated: 1, unmatched: 0 });
  });
});

describe("a record its source deleted", () => {
  const EXCEL_PRIMARY = { id: "excel", role: "primary" as const };
  const SHOPIFY_SECONDARY = { id: "shopify", role: "secondary" as const };

  it("from a secondary archives nothing of the primary's products; only the secondary's links to it go", () => {
    catalog.primaryId = "excel";
    catalog.own("sku", "excel");
    catalog.run(EXCEL_PRIMARY, [tee()]);
    catalog.run(SHOPIFY_SECONDARY, [{ externalId: "gid-1", fields: {}, variants: [{ externalId: "gid-11", fields: { sku: "TEE-S" } }] }], { scope: "partial" });
    expect(catalog.linkOf("shopify", "variant").size).toBe(1);

    const run = catalog.run(SHOPIFY_SECONDARY, [], { scope: "partial", deleted: ["gid-1"] });
    expect(run.archive).toEqual([]);
    expect(run.counts.archived).toBe(0);
    expect([...catalog.products.values(), ...catalog.variants.values()].some((e) => e.archived)).toBe(false);
    expect(run.unlinks).toEqual([
      { entityType: "product", externalId: "gid-1" },
      { entityType: "variant", externalId: "gid-11" },
    ]);
    expect(catalog.linkOf("shopify", "product").size).toBe(0);
    expect(catalog.linkOf("shopify", "variant").size).toBe(0);
    // Excel's own links stay.
    expect(catalog.linkOf("excel", "variant").size).toBe(2);
  });

  it("from a secondary archives a product that secondary created itself, which the primary never had", () => {
    catalog.run(SHOPIFY, [tee()]);
    catalog.run({ ...EXCEL, createUnmatched: true }, [
      { externalId: "scarf", handle: "silk-scarf", fields: { title: { en: "Silk Scarf" } }, variants: [{ externalId: "SC-1", fields: { sku: "SC-1" } }] },
    ]);
    const run = catalog.run(EXCEL, [], { scope: "partial", deleted: ["scarf"] });
    expect(run.products.archived).toBe(1);
    expect(catalog.variantBySku("SC-1")!.archived).toBe(true);
    expect(catalog.variantBySku("TEE-S")!.archived).toBe(false);
  });
});

describe("entities without details", () => {
  it("share one empty value map and link set that cannot be written into", () => {
    expect(() => (NO_VALUES as Map<string, StoredValue>).set("title|en", { value: '"x"', sourceId: null })).toThrow(/stays empty/);
    expect(() => (NO_LINKS as Set<string>).add("shopify")).toThrow(/stays empty/);
    expect(NO_VALUES.size).toBe(0);
    expect(NO_LINKS.size).toBe(0);
  });
});
