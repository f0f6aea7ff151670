import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "./fixtures/helpers";
import { generateWorkbook } from "./generate";
import { readProductsWorkbook } from "./reader";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("benchmark workbook generator", () => {
  it("writes realistic, valid products that read back without errors", async () => {
    const path = tmp.path("gen.xlsx");
    const result = await generateWorkbook(path, { products: 200, variantsPerProduct: 12, locales: ["de"] });
    expect(result.rows).toBe(2400);
    expect(result.products).toBe(200);
    expect(result.bytes).toBeGreaterThan(50_000);
    const r = await readProductsWorkbook(path, { primaryLocale: "en", requireTitle: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rowCount).toBe(2400);
    expect(r.productCount).toBe(200);
    expect(r.records).toHaveLength(200);
    expect(r.translationLocales).toEqual(["de"]);
    const p = r.records[0];
    expect(p.variants).toHaveLength(12);
    expect(Object.keys(p.fields)).toEqual(expect.arrayContaining(["title", "description", "materials", "countryOfProduction", "carbonFootprint"]));
    expect(p.variants[9].fields.options).toEqual([
      { name: "Size", value: "S" },
      { name: "Colour", value: "Navy" },
    ]);
  });

  it("is deterministic for a seed", async () => {
    const a = tmp.path("a.xlsx");
    const b = tmp.path("b.xlsx");
    await generateWorkbook(a, { products: 20, variantsPerProduct: 3, seed: 7 });
    await generateWorkbook(b, { products: 20, variantsPerProduct: 3, seed: 7 });
    const [ra, rb] = await Promise.all([a, b].map((p) => readProductsWorkbook(p, { primaryLocale: "en" })));
    expect(ra.records).toEqual(rb.records);
    expect((await readFile(a)).length).toBeGreaterThan(0);
  });
});
