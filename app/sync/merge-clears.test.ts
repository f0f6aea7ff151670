// A value the source has empty (SourceRecord.emptyFields): its owner clears the catalog's value,
// anyone else's empty value says nothing (GUIDE §2: the owner's value is written on every sync).
import { beforeEach, describe, expect, it } from "vitest";
import { MemoryCatalog } from "./memory-catalog.test-support";
import type { SourceRecord } from "./records";

const SHOPIFY = { id: "shopify", role: "primary" as const };
const EXCEL = { id: "excel", role: "secondary" as const };

function tee(withValues: boolean): SourceRecord {
  return {
    externalId: "P1",
    handle: "organic-tee",
    fields: withValues
      ? { title: { en: "Organic Tee" }, description: { en: "Soft", de: "Weich" }, tags: ["organic", "dpp"], materials: [{ material: "Wool", massPercent: 100 }] }
      : { title: { en: "Organic Tee" } },
    ...(withValues ? {} : { emptyFields: ["description", "tags", "materials"] }),
    variants: [
      withValues
        ? { externalId: "V1", fields: { sku: "TEE-1", barcode: "4006381333931", weight: 180 } }
        : { externalId: "V1", fields: { sku: "TEE-1" }, emptyFields: ["barcode", "weight"] },
    ],
  };
}

let catalog: MemoryCatalog;
beforeEach(() => {
  catalog = new MemoryCatalog();
  catalog.primaryId = "shopify";
  for (const f of ["title", "description", "tags", "sku", "barcode", "weight"] as const) catalog.own(f, "shopify");
  catalog.own("materials", "excel");
});

describe("a field the source has empty", () => {
  it("is cleared by its owner: a write with no new value for every stored locale", () => {
    catalog.run(SHOPIFY, [tee(true)]);
    const variant = catalog.variantBySku("TEE-1")!;
    const run = catalog.run(SHOPIFY, [tee(false)]);

    const clears = run.writes.map((w) => [w.field, w.locale, w.oldValue, w.newValue]);
    expect(clears).toEqual(
      expect.arrayContaining([
        ["description", "en", '"Soft"', null],
        ["description", "de", '"Weich"', null],
        ["tags", "", '["organic","dpp"]', null],
        ["barcode", "", '"04006381333931"', null],
        ["weight", "", "180", null],
      ]),
    );
    expect(run.writes).toHaveLength(5);
    expect(catalog.value(variant.productId, "description", "en")).toBeUndefined();
    expect(catalog.value(variant.productId, "description", "de")).toBeUndefined();
    expect(catalog.value(variant.productId, "tags")).toBeUndefined();
    expect(catalog.value(variant.id, "barcode")).toBeUndefined();
    expect(catalog.value(variant.id, "weight")).toBeUndefined();
    expect(catalog.value(variant.productId, "title", "en")).toBe("Organic Tee");
    expect(run.counts).toMatchObject({ updated: 1, skipped: 0 });
  });

  it("is ignored when another integration owns the field, and not counted as skipped", () => {
    catalog.run(SHOPIFY, [tee(true)]);
    const productId = catalog.variantBySku("TEE-1")!.productId;
    catalog.run(EXCEL, [{ externalId: "tee", fields: { materials: [{ material: "Cotton", massPercent: 100 }] }, variants: [{ externalId: "TEE-1", fields: { sku: "TEE-1" } }] }]);
    const run = catalog.run(SHOPIFY, [tee(false)]);
    expect(run.writes.filter((w) => w.field === "materials")).toEqual([]);
    expect(catalog.value(productId, "materials")).toEqual([{ material: "Cotton", massPercent: 100 }]);
    expect(run.counts.skipped).toBe(0);
    expect(run.skippedByField).toEqual({});
  });

  it("writes nothing when nothing is stored, and an identical run writes nothing", () => {
    const first = catalog.run(SHOPIFY, [tee(false)]);
    expect(first.writes.every((w) => w.newValue !== null)).toBe(true);
    const again = catalog.run(SHOPIFY, [tee(false)]);
    expect(again.writes).toEqual([]);
    expect(again.links).toEqual([]);
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it("a barcode the primary removed no longer matches a secondary's rows, even when the secondary owns barcodes", () => {
    catalog.own("barcode", "excel");
    catalog.run(SHOPIFY, [tee(true)]);
    const variant = catalog.variantBySku("TEE-1")!;
    expect(variant.sourceGtin).toBe("04006381333931");
    catalog.run(SHOPIFY, [tee(false)]);
    expect(catalog.variants.get(variant.id)!.sourceGtin).toBeNull();
    const excel = catalog.run({ ...EXCEL, matchBy: "barcode" }, [{ externalId: "row", fields: {}, variants: [{ externalId: "row-1", fields: { barcode: "4006381333931", weight: 200 } }] }]);
    expect(excel.counts.unmatched).toBe(1);
  });
});
