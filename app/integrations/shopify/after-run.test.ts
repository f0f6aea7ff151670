// The write-back takes what a run wrote to pushable fields; a value the run cleared is never
// pushed (Shopify would get an empty barcode or a weight of 0 from us).
import { expect, it } from "vitest";
import type { FieldWrite } from "../../sync/merge";
import { CatalogChanges } from "./after-run.server";

it("collects values written to pushable fields, never a cleared one", () => {
  const write = (field: FieldWrite["field"], newValue: string | null): FieldWrite => ({ entityType: "variant", entityId: "v1", field, locale: "", oldValue: '"old"', newValue });
  const changes = new CatalogChanges().add({
    newVariants: [],
    variantMoves: [],
    archive: [],
    unarchive: [],
    writes: [write("sku", '"TEE-2"'), write("barcode", null), write("weight", null)],
  });
  expect(changes.pushableWrites.map((w) => [w.field, w.newValue])).toEqual([["sku", '"TEE-2"']]);
  // The variant's passport is regenerated all the same.
  expect(changes.affected.variantIds.has("v1")).toBe(true);
});
