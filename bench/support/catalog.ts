// A synthetic Shopify-like catalog as the sync engine receives it (SourceRecords), deterministic:
// the same options give the same records. Every variant has a unique SKU and a unique, valid
// GTIN-13 (as Shopify stores barcodes), so every passport resolves by GS1 Digital Link.
import type { FieldValues, OptionValue } from "../../app/catalog/fields";
import type { SourceRecord, SourceVariant } from "../../app/sync/records";
import { seededRandom } from "../../tools/seeded-random";

export interface CatalogOptions {
  products: number;
  variantsPerProduct: number;
  /** Number of the first product (for catalogs built in slices). Default 0. */
  firstProduct?: number;
  seed?: number;
}

const NOUNS = [
  { noun: "Shirt", type: "Shirts", grams: 240, code: "SH" },
  { noun: "T-Shirt", type: "T-Shirts", grams: 180, code: "TS" },
  { noun: "Sweater", type: "Knitwear", grams: 480, code: "SW" },
  { noun: "Jeans", type: "Denim", grams: 690, code: "JN" },
  { noun: "Chinos", type: "Trousers", grams: 520, code: "CH" },
  { noun: "Jacket", type: "Outerwear", grams: 900, code: "JK" },
  { noun: "Dress", type: "Dresses", grams: 320, code: "DR" },
  { noun: "Scarf", type: "Accessories", grams: 160, code: "SC" },
];
const ADJECTIVES = ["Classic", "Relaxed", "Everyday", "Heritage", "Coastal", "Alpine", "Studio", "Field", "Harbour", "Nordic", "Atelier", "Summit"];
const MATERIALS = ["Linen", "Organic Cotton", "Merino", "Recycled Wool", "Hemp", "Tencel", "Recycled Polyester", "Corduroy", "Flannel", "Twill"];
const VENDORS = ["Northwind Apparel", "Fjord & Field", "Atelier Verde", "Kestrel Outdoor"];
const SIZES = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"];
const COLOURS = ["Black", "Navy", "Ecru", "Sage", "Charcoal", "Oat", "Rust", "Indigo", "Olive", "Stone"];

/** GS1 check digit of a GTIN body (weights 3, 1, 3 … from the right). */
export function gs1Check(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (body.charCodeAt(body.length - 1 - i) - 48) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** The n-th GTIN-13 of the benchmark catalogs (GS1 prefix 426, n < 10^9). */
export function benchGtin13(n: number): string {
  const body = `426${String(n).padStart(9, "0")}`;
  return body + gs1Check(body);
}

/** Records for products firstProduct … firstProduct + products − 1, generated lazily. */
export function* catalogRecords(options: CatalogOptions): Generator<SourceRecord> {
  const first = options.firstProduct ?? 0;
  const perProduct = options.variantsPerProduct;
  if (perProduct < 1 || perProduct > SIZES.length * COLOURS.length) throw new Error(`variantsPerProduct must be 1…${SIZES.length * COLOURS.length}`);
  for (let i = first; i < first + options.products; i++) {
    // One PRNG per product: a slice of the catalog is the same as that part of the whole catalog.
    const random = seededRandom((options.seed ?? 20261001) ^ Math.imul(i + 1, 0x9e3779b1));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const garment = NOUNS[i % NOUNS.length];
    const adjective = pick(ADJECTIVES);
    const material = pick(MATERIALS);
    const title = `${adjective} ${material} ${garment.noun} ${i + 1}`;
    const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const fields: FieldValues = {
      title: { en: title },
      description: {
        en: `<p>The ${adjective.toLowerCase()} ${garment.noun.toLowerCase()} in ${material.toLowerCase()}: cut for everyday wear, finished by hand and made to be repaired. Style ${i + 1}.</p><ul><li>${material}</li><li>Machine wash at 30 °C</li></ul>`,
      },
      vendor: pick(VENDORS),
      productType: garment.type,
      tags: [garment.type.toLowerCase(), material.toLowerCase(), random() < 0.2 ? "dpp-pilot" : "core"],
    };
    const variants: SourceVariant[] = [];
    for (let j = 0; j < perProduct; j++) {
      const size = SIZES[j % SIZES.length];
      const options: OptionValue[] =
        perProduct > SIZES.length ? [{ name: "Colour", value: COLOURS[Math.floor(j / SIZES.length)] }, { name: "Size", value: size }] : [{ name: "Size", value: size }];
      const serial = i * perProduct + j + 1;
      const sku = `${garment.code}-${String(i + 1).padStart(6, "0")}-${options.map((o) => o.value.slice(0, 3).toUpperCase()).join("-")}`;
      variants.push({
        externalId: `gid://shopify/ProductVariant/${40_000_000_000 + serial}`,
        position: j + 1,
        fields: { sku, barcode: benchGtin13(serial), options, weight: garment.grams + Math.floor(random() * 40) },
        ref: { label: `product ${title}, variant SKU ${sku}` },
      });
    }
    yield {
      externalId: `gid://shopify/Product/${8_000_000_000 + i + 1}`,
      handle,
      fields,
      variants,
      updatedAt: new Date(Date.UTC(2026, 0, 15, 10, 0, 0) + i * 1000),
      ref: { label: `product ${title}` },
    };
  }
}
