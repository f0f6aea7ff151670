// The demo's passport data for the sample store: every variant gets a row that imports without a
// problem, and each product's passport says what its description says it is made of, and where.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readProductsWorkbook } from "../app/integrations/excel/reader";
import { makeTempDir } from "../app/integrations/excel/fixtures/helpers";
import { writeDemoPassportData } from "../scripts/demo-passport-data";
import { parseShopifyProductCsv } from "../tools/shopify-sim/csv";

const COUNTRY_WORDS: Record<string, string> = { PT: "Portugal", IT: "Italy", GB: "Scotland|England", TR: "Turkey", LT: "Lithuania" };

describe("the demo's passport data", () => {
  it("covers every variant of the sample store, imports cleanly, and agrees with each product's description", async () => {
    const products = parseShopifyProductCsv(readFileSync("tools/shopify-sim/sample-store.csv"));
    const variants = products.flatMap((p) => p.variants.filter((v) => v.sku).map((v) => ({ handle: p.handle, productType: p.productType, sku: v.sku! })));
    const file = (await makeTempDir()).path("passport-data.xlsx");
    expect(await writeDemoPassportData(file, variants)).toBe(variants.length);

    const read = await readProductsWorkbook(file, { primaryLocale: "en" });
    expect(read.errors).toEqual([]);
    const byHandle = new Map(read.records.map((r) => [r.handle, r]));
    for (const product of products) {
      const fields = byHandle.get(product.handle)?.fields;
      expect(fields, product.handle).toBeDefined();
      const description = product.descriptionHtml.toLowerCase();
      const materials = fields!.materials as { material: string }[];
      for (const { material } of materials) {
        // "Organic cotton" in a passport, "organic cotton jersey" in the description.
        expect(description, `${product.handle}: ${material}`).toContain(material.toLowerCase().replace(/^(waxed|vegetable-tanned) /, ""));
      }
      // Recycling advice about wool or a filling only where there is one.
      const recycling = fields!.recyclingInstructions as Record<string, string> | string | undefined;
      const advice = (typeof recycling === "string" ? recycling : Object.values(recycling ?? {}).join(" ")).toLowerCase();
      expect(advice, product.handle).not.toBe("");
      if (!description.includes("wool")) expect(advice, `${product.handle}: ${advice}`).not.toContain("wool");
      if (!description.includes("filling")) expect(advice, `${product.handle}: ${advice}`).not.toContain("filling");
      const country = fields!.countryOfProduction as string;
      expect(description, `${product.handle}: made in ${country}`).toMatch(new RegExp(COUNTRY_WORDS[country] ?? country, "i"));
    }
  });
});
