// Data model of the Shopify simulator: seed products (parsed from a CSV export or generated) and
// the per-shop records the GraphQL resolvers, the bulk exporter and the webhook payloads read.

export const API_VERSION = "2026-10";
/** Placeholder origin used by the bundled sample store; replaced by the simulator's own origin. */
export const PLACEHOLDER_ORIGIN = "https://shopify-sim.local";
/** Numeric id of "the app" on this simulated Shopify: `$app` namespaces resolve to `app--<id>`. */
export const DEFAULT_APP_ID = 4_815_162_342;

export type ProductStatus = "ACTIVE" | "DRAFT" | "ARCHIVED" | "UNLISTED";
export type WeightUnit = "GRAMS" | "KILOGRAMS" | "OUNCES" | "POUNDS";

export interface Category {
  id: string;
  name: string;
  fullName: string;
}

export interface SeedMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface SeedVariant {
  /** Option values in option order (1 to 3 entries). */
  options: string[];
  sku: string | null;
  barcode: string | null;
  grams: number | null;
  /** Unit the weight is shown in (Shopify keeps grams and a display unit). */
  weightUnit: WeightUnit;
  price: string;
  compareAtPrice: string | null;
  inventoryQuantity: number;
  taxable: boolean;
  /** Source URL of the variant's image, one of the product's images. */
  imageSrc: string | null;
  metafields: SeedMetafield[];
  countryCodeOfOrigin?: string | null;
  harmonizedSystemCode?: string | null;
}

export interface SeedImage {
  src: string;
  position: number;
  alt: string | null;
}

export interface SeedProduct {
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  category: Category | null;
  tags: string[];
  status: ProductStatus;
  /** Option names in order; `["Title"]` for a product with only the default variant. */
  optionNames: string[];
  variants: SeedVariant[];
  images: SeedImage[];
  metafields: SeedMetafield[];
  seoTitle: string | null;
  seoDescription: string | null;
}

// ---------------------------------------------------------------------------------------------
// Records of an installed shop

export interface MetafieldRecord {
  kind: "Metafield";
  id: number;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
  ownerType: "PRODUCT" | "PRODUCTVARIANT" | "SHOP";
  ownerId: number;
}

export interface OptionValueRecord {
  kind: "ProductOptionValue";
  id: number;
  name: string;
}

export interface OptionRecord {
  kind: "ProductOption";
  id: number;
  name: string;
  position: number;
  values: OptionValueRecord[];
}

export interface ImageRecord {
  kind: "MediaImage";
  /** MediaImage id (gid://shopify/MediaImage/<id>). */
  id: number;
  /** ProductImage id (gid://shopify/ProductImage/<imageId>), the id REST payloads use. */
  imageId: number;
  productId: number;
  url: string;
  altText: string | null;
  width: number | null;
  height: number | null;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface Weight {
  value: number;
  unit: WeightUnit;
}

export interface VariantRecord {
  kind: "ProductVariant";
  id: number;
  productId: number;
  inventoryItemId: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  position: number;
  price: string;
  compareAtPrice: string | null;
  taxable: boolean;
  inventoryQuantity: number;
  inventoryPolicy: "DENY" | "CONTINUE";
  /** Inventory item fields (DPP-relevant: country of origin, HS code). */
  tracked: boolean;
  countryCodeOfOrigin: string | null;
  harmonizedSystemCode: string | null;
  /** Values in product option order. */
  optionValues: string[];
  weight: Weight | null;
  imageId: number | null;
  createdAt: string;
  updatedAt: string;
  metafields: MetafieldRecord[];
}

export interface ProductRecord {
  kind: "Product";
  id: number;
  title: string;
  handle: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: ProductStatus;
  category: Category | null;
  options: OptionRecord[];
  variants: VariantRecord[];
  images: ImageRecord[];
  metafields: MetafieldRecord[];
  seoTitle: string | null;
  seoDescription: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Shopify's DateTime format: second precision, UTC, `Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export interface ParsedGid {
  type: string;
  id: number;
}

/** Parses `gid://shopify/<Type>/<n>`; null for anything else. */
export function parseGid(value: string): ParsedGid | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/.exec(value);
  if (!m) return null;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id)) return null;
  return { type: m[1]!, id };
}

export function slugify(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "product";
}

/** Tags from a list or a comma-separated string: trimmed, without blanks and duplicates, in order. */
export function parseTags(tags: string[] | string): string[] {
  const list = Array.isArray(tags) ? tags : tags.split(",");
  const out: string[] = [];
  for (const t of list) {
    const tag = String(t).trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export function variantTitle(optionValues: string[]): string {
  return optionValues.join(" / ");
}

/** EAN/UPC/GTIN check digit (mod 10, weights 3 and 1 from the right). */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidGtin(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === Number(code[code.length - 1]);
}

export const WEIGHT_UNIT_FROM_CSV: Record<string, WeightUnit> = {
  g: "GRAMS",
  kg: "KILOGRAMS",
  oz: "OUNCES",
  lb: "POUNDS",
  lbs: "POUNDS",
};

export const WEIGHT_UNIT_TO_REST: Record<WeightUnit, string> = {
  GRAMS: "g",
  KILOGRAMS: "kg",
  OUNCES: "oz",
  POUNDS: "lb",
};

const GRAMS_PER_UNIT: Record<WeightUnit, number> = {
  GRAMS: 1,
  KILOGRAMS: 1000,
  OUNCES: 28.349523125,
  POUNDS: 453.59237,
};

export function gramsToWeight(grams: number, unit: WeightUnit): Weight {
  const value = grams / GRAMS_PER_UNIT[unit];
  return { value: Math.round(value * 1000) / 1000, unit };
}

export function weightToGrams(weight: Weight): number {
  return Math.round(weight.value * GRAMS_PER_UNIT[weight.unit] * 1000) / 1000;
}

export function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|h[1-6])>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

// ---------------------------------------------------------------------------------------------
// A few categories of Shopify's Standard Product Taxonomy (github.com/Shopify/product-taxonomy)
// so that CSV values (full name or id) resolve to the real ids. Unknown names keep their name
// and get a stable simulator id (documented in the README).

const TAXONOMY: Array<[string, string]> = [
  ["aa", "Apparel & Accessories"],
  ["aa-1", "Apparel & Accessories > Clothing"],
  ["aa-1-10", "Apparel & Accessories > Clothing > Outerwear"],
  ["aa-1-10-2", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"],
  ["aa-1-10-2-5", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Overcoats"],
  ["aa-1-10-2-6", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Parkas"],
  ["aa-1-10-2-9", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Puffer Jackets"],
  ["aa-1-10-2-10", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Rain Coats"],
  ["aa-1-10-2-13", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Trench Coats"],
  ["aa-1-10-2-14", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Trucker Jackets"],
  ["aa-1-10-6", "Apparel & Accessories > Clothing > Outerwear > Vests"],
  ["aa-1-12", "Apparel & Accessories > Clothing > Pants"],
  ["aa-1-12-3", "Apparel & Accessories > Clothing > Pants > Chinos"],
  ["aa-1-12-4", "Apparel & Accessories > Clothing > Pants > Jeans"],
  ["aa-1-12-11", "Apparel & Accessories > Clothing > Pants > Trousers"],
  ["aa-1-13", "Apparel & Accessories > Clothing > Clothing Tops"],
  ["aa-1-13-3", "Apparel & Accessories > Clothing > Clothing Tops > Cardigans"],
  ["aa-1-13-5", "Apparel & Accessories > Clothing > Clothing Tops > Overshirts"],
  ["aa-1-13-6", "Apparel & Accessories > Clothing > Clothing Tops > Polos"],
  ["aa-1-13-7", "Apparel & Accessories > Clothing > Clothing Tops > Shirts"],
  ["aa-1-13-8", "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts"],
  ["aa-1-13-12", "Apparel & Accessories > Clothing > Clothing Tops > Sweaters"],
  ["aa-1-13-13", "Apparel & Accessories > Clothing > Clothing Tops > Hoodies"],
  ["aa-1-13-14", "Apparel & Accessories > Clothing > Clothing Tops > Sweatshirts"],
  ["aa-1-14", "Apparel & Accessories > Clothing > Shorts"],
  ["aa-1-14-5", "Apparel & Accessories > Clothing > Shorts > Denim Shorts"],
  ["aa-1-15", "Apparel & Accessories > Clothing > Skirts"],
  ["aa-1-18", "Apparel & Accessories > Clothing > Socks"],
  ["aa-1-18-3", "Apparel & Accessories > Clothing > Socks > Crew Socks"],
  ["aa-2", "Apparel & Accessories > Clothing Accessories"],
  ["aa-2-6", "Apparel & Accessories > Clothing Accessories > Belts"],
  ["aa-2-13", "Apparel & Accessories > Clothing Accessories > Gloves & Mittens"],
  ["aa-2-17", "Apparel & Accessories > Clothing Accessories > Hats"],
  ["aa-2-17-1", "Apparel & Accessories > Clothing Accessories > Hats > Baseball Caps"],
  ["aa-2-17-2", "Apparel & Accessories > Clothing Accessories > Hats > Beanies"],
  ["aa-2-26", "Apparel & Accessories > Clothing Accessories > Scarves & Shawls"],
  ["aa-5-4", "Apparel & Accessories > Handbags, Wallets & Cases > Handbags"],
  ["aa-5-4-18", "Apparel & Accessories > Handbags, Wallets & Cases > Handbags > Shopper Bags"],
  ["aa-5-5-7", "Apparel & Accessories > Handbags, Wallets & Cases > Wallets & Money Clips > Wallets"],
];

const TAXONOMY_BY_ID = new Map(TAXONOMY.map(([id, fullName]) => [id, fullName]));
const TAXONOMY_BY_NAME = new Map(TAXONOMY.map(([id, fullName]) => [fullName.toLowerCase(), id]));

function categoryOf(shortId: string, fullName: string): Category {
  const parts = fullName.split(">").map((s) => s.trim());
  return { id: gid("TaxonomyCategory", shortId), name: parts[parts.length - 1]!, fullName: parts.join(" > ") };
}

/** Resolves a CSV "Product Category" value (full name, short id or gid) to a category. */
export function resolveCategory(value: string): Category | null {
  const v = value.trim();
  if (!v) return null;
  const shortId = v.replace(/^gid:\/\/shopify\/TaxonomyCategory\//, "");
  const byId = TAXONOMY_BY_ID.get(shortId);
  if (byId) return categoryOf(shortId, byId);
  const normalized = v.split(">").map((s) => s.trim()).join(" > ");
  const id = TAXONOMY_BY_NAME.get(normalized.toLowerCase());
  if (id) return categoryOf(id, TAXONOMY_BY_ID.get(id)!);
  if (/^[a-z]{2}(-\d+)*$/.test(shortId)) return categoryOf(shortId, shortId);
  // Unknown category name: keep it, with a stable made-up id so that it round-trips.
  return categoryOf(`sim-${slugify(normalized)}`, normalized);
}
