// Deterministic generator of large catalogs for benchmarks and load tests.
import { PLACEHOLDER_ORIGIN, gtinCheckDigit, resolveCategory, type SeedProduct, type SeedVariant } from "./model.ts";
import { seededRandom } from "../seeded-random.ts";

export interface GenerateCatalogOptions {
  /** Number of products. */
  products: number;
  /** Variants per product (colour × size, then fit; at most 288). */
  variantsPerProduct: number;
  /** PRNG seed: the same seed gives the same catalog. */
  seed?: number;
  vendor?: string;
  /** Fraction (0..1) of products tagged `dpp-pilot`. Default 0.2. */
  pilotShare?: number;
  /** Origin of image URLs; the simulator serves `PLACEHOLDER_ORIGIN` images itself. */
  imageOrigin?: string;
}

const GARMENTS: Array<{ noun: string; type: string; category: string; grams: number; code: string }> = [
  { noun: "Shirt", type: "Shirts", category: "aa-1-13-7", grams: 240, code: "SH" },
  { noun: "Overshirt", type: "Shirts", category: "aa-1-13-5", grams: 420, code: "OS" },
  { noun: "T-Shirt", type: "T-Shirts", category: "aa-1-13-8", grams: 180, code: "TS" },
  { noun: "Sweater", type: "Knitwear", category: "aa-1-13-12", grams: 480, code: "SW" },
  { noun: "Cardigan", type: "Knitwear", category: "aa-1-13-3", grams: 520, code: "CD" },
  { noun: "Jeans", type: "Denim", category: "aa-1-12-4", grams: 690, code: "JN" },
  { noun: "Chinos", type: "Trousers", category: "aa-1-12-3", grams: 520, code: "CH" },
  { noun: "Jacket", type: "Outerwear", category: "aa-1-10-2", grams: 900, code: "JK" },
  { noun: "Coat", type: "Outerwear", category: "aa-1-10-2-5", grams: 1450, code: "CT" },
  { noun: "Scarf", type: "Accessories", category: "aa-2-26", grams: 160, code: "SC" },
  { noun: "Beanie", type: "Accessories", category: "aa-2-17-2", grams: 90, code: "BN" },
];
const ADJECTIVES = [
  "Classic", "Relaxed", "Everyday", "Heritage", "Coastal", "Alpine", "Studio", "Field", "Harbour", "Weekend",
  "Nordic", "Atelier", "Workwear", "Garden", "Meadow", "Urban", "Island", "Forest", "Summit", "Lakeside",
];
const MATERIALS = [
  "Linen", "Organic Cotton", "Merino", "Recycled Wool", "Hemp", "Selvedge", "Tencel", "Cashmere Blend",
  "Recycled Polyester", "Corduroy", "Flannel", "Poplin", "Oxford", "Jersey", "Twill",
];
const COLOURS = ["Black", "Navy", "Ecru", "Sage", "Charcoal", "Oat", "Rust", "Indigo", "Olive", "Stone", "Burgundy", "Sky"];
const SIZES = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"];
const FITS = ["Regular", "Slim", "Relaxed"];

/**
 * Generates `products` products with `variantsPerProduct` variants each, in memory (no CSV
 * round-trip): pass the result as `seed` to startShopifySim, or write it with
 * writeShopifyProductCsv. Every variant has a unique SKU and a valid, unique EAN-13.
 */
export function generateCatalog(options: GenerateCatalogOptions): SeedProduct[] {
  const { products: count, variantsPerProduct } = options;
  if (!Number.isInteger(count) || count < 0) throw new Error("generateCatalog: products must be a non-negative integer");
  const maxVariants = COLOURS.length * SIZES.length * FITS.length;
  if (!Number.isInteger(variantsPerProduct) || variantsPerProduct < 1 || variantsPerProduct > maxVariants) {
    throw new Error(`generateCatalog: variantsPerProduct must be between 1 and ${maxVariants}`);
  }
  const random = seededRandom(options.seed ?? 20261001);
  const vendor = options.vendor ?? "Northwind Apparel";
  const pilotShare = options.pilotShare ?? 0.2;
  const origin = (options.imageOrigin ?? PLACEHOLDER_ORIGIN).replace(/\/+$/, "");

  // Option layout: 1 variant → default; ≤ 8 → Size; ≤ 96 → Colour × Size; else Colour × Size × Fit.
  let optionNames: string[];
  let combos: string[][];
  if (variantsPerProduct === 1) {
    optionNames = ["Title"];
    combos = [["Default Title"]];
  } else if (variantsPerProduct <= SIZES.length) {
    optionNames = ["Size"];
    combos = SIZES.slice(0, variantsPerProduct).map((s) => [s]);
  } else if (variantsPerProduct <= COLOURS.length * SIZES.length) {
    optionNames = ["Colour", "Size"];
    const coloursNeeded = Math.ceil(variantsPerProduct / SIZES.length);
    combos = [];
    for (const c of COLOURS.slice(0, coloursNeeded)) for (const s of SIZES) combos.push([c, s]);
    combos = combos.slice(0, variantsPerProduct);
  } else {
    optionNames = ["Colour", "Size", "Fit"];
    combos = [];
    for (const f of FITS) for (const c of COLOURS) for (const s of SIZES) combos.push([c, s, f]);
    combos = combos.slice(0, variantsPerProduct);
  }

  const result: SeedProduct[] = new Array(count);
  let ean = 0;
  for (let i = 0; i < count; i++) {
    const garment = GARMENTS[i % GARMENTS.length]!;
    const adjective = ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]!;
    const material = MATERIALS[Math.floor(random() * MATERIALS.length)]!;
    const title = `${adjective} ${material} ${garment.noun} ${i + 1}`;
    const handle = `${adjective}-${material}-${garment.noun}-${i + 1}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const price = (19 + Math.floor(random() * 180) + 0.95).toFixed(2);
    const tags = [garment.type.toLowerCase(), material.toLowerCase()];
    if (random() < pilotShare) tags.push("dpp-pilot");
    const skuBase = `${garment.code}-${String(i + 1).padStart(6, "0")}`;
    const variants: SeedVariant[] = combos.map((combo) => {
      const body = `426${String(++ean).padStart(9, "0")}`;
      const suffix = combo[0] === "Default Title" ? "" : "-" + combo.map((v) => v.replace(/[^A-Za-z0-9]/g, "").slice(0, 3).toUpperCase()).join("-");
      return {
        options: combo,
        sku: skuBase + suffix,
        barcode: body + gtinCheckDigit(body),
        grams: garment.grams + Math.floor(random() * 40),
        weightUnit: "GRAMS",
        price,
        compareAtPrice: null,
        inventoryQuantity: Math.floor(random() * 60),
        taxable: true,
        imageSrc: null,
        metafields: [],
      };
    });
    result[i] = {
      handle,
      title,
      descriptionHtml: `<p>${adjective} ${garment.noun.toLowerCase()} in ${material.toLowerCase()}.</p>`,
      vendor,
      productType: garment.type,
      category: resolveCategory(garment.category),
      tags,
      status: "ACTIVE",
      optionNames,
      variants,
      images: [{ src: `${origin}/images/${handle}.svg`, position: 1, alt: title }],
      metafields: [],
      seoTitle: null,
      seoDescription: null,
    };
  }
  return result;
}
