import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateCatalog } from "./catalog.ts";
import { parseShopifyProductCsv, ShopifyCsvError, toShopifyProductCsv } from "./csv.ts";
import { isValidGtin } from "./model.ts";
import { SAMPLE_STORE_CSV } from "./sim.ts";

const sample = readFileSync(SAMPLE_STORE_CSV);

describe("Shopify product CSV", () => {
  it("parses the bundled sample store", () => {
    const products = parseShopifyProductCsv(sample);
    expect(products).toHaveLength(26);
    const variants = products.flatMap((p) => p.variants);
    expect(variants).toHaveLength(146);
    for (const p of products) {
      expect(p.variants.length).toBeGreaterThanOrEqual(3);
      expect(p.variants.length).toBeLessThanOrEqual(8);
      expect(p.vendor).toBe("Nordkyst");
      expect(p.descriptionHtml).toMatch(/^<p>/);
      expect(p.images.length).toBeGreaterThan(0);
      expect(p.images.every((i) => i.src.startsWith("https://shopify-sim.local/images/"))).toBe(true);
      expect(p.category?.id).toMatch(/^gid:\/\/shopify\/TaxonomyCategory\/aa-/);
    }
    // Every variant has a unique SKU and grams; barcodes are valid EAN-13s, except two products.
    expect(new Set(variants.map((v) => v.sku)).size).toBe(146);
    expect(variants.every((v) => typeof v.grams === "number" && v.grams > 0)).toBe(true);
    const withoutBarcode = products.filter((p) => p.variants.every((v) => v.barcode === null)).map((p) => p.handle);
    expect(withoutBarcode.sort()).toEqual(["heritage-cap", "lambswool-scarf"]);
    const barcodes = variants.map((v) => v.barcode).filter((b): b is string => b !== null);
    expect(barcodes.length).toBe(146 - 6);
    expect(barcodes.every((b) => b.length === 13 && isValidGtin(b))).toBe(true);
    expect(new Set(barcodes).size).toBe(barcodes.length);
    expect(products.filter((p) => p.tags.includes("dpp-pilot")).length).toBeGreaterThanOrEqual(5);
    const types = new Set(products.map((p) => p.productType));
    expect([...types].sort()).toEqual(["Accessories", "Denim", "Knitwear", "Outerwear", "Shirts", "T-Shirts"]);

    const linen = products.find((p) => p.handle === "linen-shirt")!;
    expect(linen.optionNames).toEqual(["Colour", "Size"]);
    expect(linen.variants[0]).toMatchObject({ options: ["Sage", "S"], sku: "NK-LSH-SAG-S", weightUnit: "GRAMS", price: "98.00" });
    expect(linen.category).toEqual({
      id: "gid://shopify/TaxonomyCategory/aa-1-13-7",
      name: "Shirts",
      fullName: "Apparel & Accessories > Clothing > Clothing Tops > Shirts",
    });
    expect(linen.metafields).toEqual([{ namespace: "custom", key: "material", type: "single_line_text_field", value: "100% linen" }]);
    expect(products.find((p) => p.handle === "denim-shorts")!.status).toBe("DRAFT");
    expect(products.find((p) => p.handle === "wool-overcoat")!.variants[0]!.weightUnit).toBe("KILOGRAMS");
  });

  it("continues products over variant rows and image-only rows, tolerating a BOM and missing columns", () => {
    const csv =
      "\uFEFFHandle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Barcode,Image Src,Image Alt Text\n" +
      "tee,Tee,Size,S,TEE-S,,https://cdn.example/tee-1.jpg,Front\n" +
      "tee,,,M,TEE-M,4006381333931,https://cdn.example/tee-2.jpg,Back\n" +
      "tee,,,,,,https://cdn.example/tee-3.jpg,Detail\n" +
      "mug,Mug,,,,,,\n";
    const products = parseShopifyProductCsv(csv);
    expect(products.map((p) => p.handle)).toEqual(["tee", "mug"]);
    const tee = products[0]!;
    expect(tee.variants.map((v) => v.sku)).toEqual(["TEE-S", "TEE-M"]);
    expect(tee.variants[1]!.barcode).toBe("4006381333931");
    expect(tee.images.map((i) => [i.src, i.position, i.alt])).toEqual([
      ["https://cdn.example/tee-1.jpg", 1, "Front"],
      ["https://cdn.example/tee-2.jpg", 2, "Back"],
      ["https://cdn.example/tee-3.jpg", 3, "Detail"],
    ]);
    expect(tee.status).toBe("ACTIVE");
    // A product row without variant data gets Shopify's default variant.
    expect(products[1]!.optionNames).toEqual(["Title"]);
    expect(products[1]!.variants.map((v) => v.options)).toEqual([["Default Title"]]);
  });

  it("accepts the newer template's header names", () => {
    const csv = "Title,URL handle,Description,SKU,Barcode,Price,Weight value (grams),Weight unit for display,Option1 name,Option1 value\n" +
      "Cap,cap,<p>Cap</p>,CAP-1,,25,110,g,Colour,Navy\n";
    const [cap] = parseShopifyProductCsv(csv);
    expect(cap).toMatchObject({ handle: "cap", title: "Cap", descriptionHtml: "<p>Cap</p>", optionNames: ["Colour"] });
    expect(cap!.variants[0]).toMatchObject({ sku: "CAP-1", price: "25.00", grams: 110, options: ["Navy"] });
  });

  it("rejects files that are not a Shopify product CSV with a clear error", () => {
    expect(() => parseShopifyProductCsv("name,email\nAda,ada@example.com\n")).toThrow(ShopifyCsvError);
    expect(() => parseShopifyProductCsv("name,email\nAda,ada@example.com\n")).toThrow(/Not a Shopify product CSV: expected a "Handle" or "Title" column/);
    expect(() => parseShopifyProductCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toThrow(/ZIP\/Excel/);
    expect(() => parseShopifyProductCsv("")).toThrow(/empty/);
    expect(() => parseShopifyProductCsv("Handle,Title\n")).toThrow(/no product rows/);
    expect(() => parseShopifyProductCsv('Handle,Title\n"a,b\n')).toThrow(/cannot be read as CSV/);
    expect(() => parseShopifyProductCsv("Handle,Title,Option1 Name,Option1 Value\nx,X,Size,S\nx,,,S\n")).toThrow(/Row 3: .*already has a variant "S"/);
    expect(() => parseShopifyProductCsv("Handle,Title,Variant Price\nx,X,abc\n")).toThrow(/Row 2: "Variant Price" is not a number/);
  });

  it("generates large catalogs quickly, with unique SKUs and valid barcodes, that round-trip through CSV", () => {
    const started = Date.now();
    const products = generateCatalog({ products: 10_000, variantsPerProduct: 5 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(products).toHaveLength(10_000);
    const variants = products.flatMap((p) => p.variants);
    expect(variants).toHaveLength(50_000);
    expect(new Set(variants.map((v) => v.sku)).size).toBe(50_000);
    expect(new Set(variants.map((v) => v.barcode)).size).toBe(50_000);
    expect(variants.every((v) => isValidGtin(v.barcode!))).toBe(true);
    expect(generateCatalog({ products: 3, variantsPerProduct: 5 })).toEqual(generateCatalog({ products: 3, variantsPerProduct: 5 }));

    const small = generateCatalog({ products: 20, variantsPerProduct: 12 });
    const reparsed = parseShopifyProductCsv(toShopifyProductCsv(small));
    expect(reparsed.map((p) => p.handle)).toEqual(small.map((p) => p.handle));
    expect(reparsed.flatMap((p) => p.variants.map((v) => [v.sku, v.barcode, v.grams, v.options.join("/")]))).toEqual(
      small.flatMap((p) => p.variants.map((v) => [v.sku, v.barcode, v.grams, v.options.join("/")])),
    );
  });
});
