// Reads (and writes) Shopify's product CSV export: one row per variant, rows with the same Handle
// continue the product (more variants, or image-only rows).
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import { parse } from "csv-parse/sync";
import {
  WEIGHT_UNIT_FROM_CSV,
  WEIGHT_UNIT_TO_REST,
  parseTags,
  resolveCategory,
  slugify,
  type ProductStatus,
  type SeedImage,
  type SeedMetafield,
  type SeedProduct,
  type SeedVariant,
} from "./model.ts";

export class ShopifyCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShopifyCsvError";
  }
}

type Column =
  | "handle"
  | "title"
  | "body"
  | "vendor"
  | "category"
  | "type"
  | "tags"
  | "published"
  | "opt1name"
  | "opt1value"
  | "opt2name"
  | "opt2value"
  | "opt3name"
  | "opt3value"
  | "sku"
  | "grams"
  | "qty"
  | "price"
  | "compareAt"
  | "taxable"
  | "barcode"
  | "imageSrc"
  | "imagePosition"
  | "imageAlt"
  | "variantImage"
  | "weightUnit"
  | "status"
  | "seoTitle"
  | "seoDescription";

// Header names of Shopify's classic export, plus the names of its newer template (2024+).
const HEADER_ALIASES: Record<string, Column> = {
  handle: "handle",
  "url handle": "handle",
  title: "title",
  "body (html)": "body",
  description: "body",
  vendor: "vendor",
  "product category": "category",
  type: "type",
  "product type": "type",
  tags: "tags",
  published: "published",
  "published on online store": "published",
  "option1 name": "opt1name",
  "option1 value": "opt1value",
  "option2 name": "opt2name",
  "option2 value": "opt2value",
  "option3 name": "opt3name",
  "option3 value": "opt3value",
  "variant sku": "sku",
  sku: "sku",
  "variant grams": "grams",
  "weight value (grams)": "grams",
  "variant inventory qty": "qty",
  "inventory quantity": "qty",
  "variant price": "price",
  price: "price",
  "variant compare at price": "compareAt",
  "compare-at price": "compareAt",
  "variant taxable": "taxable",
  "charge tax": "taxable",
  "variant barcode": "barcode",
  barcode: "barcode",
  "image src": "imageSrc",
  "product image url": "imageSrc",
  "image position": "imagePosition",
  "image alt text": "imageAlt",
  "variant image": "variantImage",
  "variant image url": "variantImage",
  "variant weight unit": "weightUnit",
  "weight unit for display": "weightUnit",
  status: "status",
  "seo title": "seoTitle",
  "seo description": "seoDescription",
};

interface MetafieldColumn {
  index: number;
  owner: "product" | "variant";
  namespace: string;
  key: string;
}

function normalizeHeader(h: string): string {
  return h.replace(/^\uFEFF/, "").trim().replace(/\s+/g, " ").toLowerCase();
}

function truthy(value: string): boolean {
  return /^(true|yes|1|y)$/i.test(value.trim());
}

function money(value: string, row: number, column: string): string {
  const cleaned = value.replace(/[^\d.,-]/g, "").replace(",", ".");
  const n = cleaned === "" ? NaN : Number(cleaned);
  if (!Number.isFinite(n)) throw new ShopifyCsvError(`Row ${row}: "${column}" is not a number: ${value}`);
  return n.toFixed(2);
}

const STATUS: Record<string, ProductStatus> = {
  active: "ACTIVE",
  draft: "DRAFT",
  archived: "ARCHIVED",
  unlisted: "UNLISTED",
};

interface ProductBuilder {
  product: SeedProduct;
  firstRow: number;
  combos: Set<string>;
}

/**
 * Parses a Shopify product CSV export into seed products. Tolerates a UTF-8 BOM, the newer
 * template's header names and missing optional columns; throws ShopifyCsvError with a clear
 * message for anything that is not a Shopify product CSV.
 */
export function parseShopifyProductCsv(input: string | Buffer): SeedProduct[] {
  const buffer = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  if (buffer.length >= 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04) {
    throw new ShopifyCsvError(
      "Not a Shopify product CSV: this is a ZIP/Excel file. Export the products from Shopify as CSV (Products > Export).",
    );
  }
  let rows: string[][];
  try {
    rows = parse(buffer, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: false,
    }) as string[][];
  } catch (error) {
    throw new ShopifyCsvError(`Not a Shopify product CSV: it cannot be read as CSV (${(error as Error).message})`);
  }
  if (rows.length === 0) throw new ShopifyCsvError("Not a Shopify product CSV: the file is empty.");

  const header = rows[0]!;
  const index = new Map<Column, number>();
  const metafieldColumns: MetafieldColumn[] = [];
  header.forEach((raw, i) => {
    const name = normalizeHeader(raw);
    const alias = HEADER_ALIASES[name];
    if (alias && !index.has(alias)) index.set(alias, i);
    const mf = /\((product|variant)\.metafields\.([^.()]+)\.([^()]+)\)\s*$/.exec(raw.trim());
    if (mf) metafieldColumns.push({ index: i, owner: mf[1] as "product" | "variant", namespace: mf[2]!, key: mf[3]! });
  });
  if (!index.has("handle") && !index.has("title")) {
    const found = header.slice(0, 12).map((h) => JSON.stringify(h.trim())).join(", ");
    throw new ShopifyCsvError(
      `Not a Shopify product CSV: expected a "Handle" or "Title" column (Shopify's product export), found ${found}${header.length > 12 ? ", …" : ""}.`,
    );
  }
  if (!index.has("handle") && index.size < 2) {
    throw new ShopifyCsvError(
      `Not a Shopify product CSV: only a "Title" column was recognised; expected Shopify's product export columns (Handle, Title, Body (HTML), Vendor, Variant SKU, …).`,
    );
  }

  const cell = (row: string[], column: Column): string => {
    const i = index.get(column);
    return i === undefined ? "" : (row[i] ?? "").trim();
  };
  const rawCell = (row: string[], column: Column): string => {
    const i = index.get(column);
    return i === undefined ? "" : (row[i] ?? "");
  };

  const builders = new Map<string, ProductBuilder>();
  const order: ProductBuilder[] = [];
  let previous: ProductBuilder | null = null;

  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    const rowNumber = r + 1;
    if (row.every((v) => v.trim() === "")) continue;
    let handle = cell(row, "handle");
    const title = cell(row, "title");
    let builder: ProductBuilder | null = null;
    if (handle) {
      builder = builders.get(handle) ?? null;
    } else if (index.has("handle")) {
      throw new ShopifyCsvError(`Row ${rowNumber}: the Handle is empty (every row of a Shopify product CSV names its product).`);
    } else if (title) {
      handle = slugify(title);
      let n = 1;
      while (builders.has(handle)) handle = `${slugify(title)}-${n++}`;
    } else if (previous) {
      builder = previous;
      handle = previous.product.handle;
    } else {
      throw new ShopifyCsvError(`Row ${rowNumber}: no Title and no product before it.`);
    }

    if (!builder) {
      if (!title) {
        throw new ShopifyCsvError(`Row ${rowNumber}: product "${handle}" starts without a Title.`);
      }
      const names: string[] = [];
      for (const col of ["opt1name", "opt2name", "opt3name"] as const) {
        const name = cell(row, col);
        if (name) names.push(name);
      }
      const statusRaw = cell(row, "status").toLowerCase();
      let status: ProductStatus;
      if (statusRaw) {
        const s = STATUS[statusRaw];
        if (!s) throw new ShopifyCsvError(`Row ${rowNumber}: unknown Status "${cell(row, "status")}" (active, draft, archived or unlisted).`);
        status = s;
      } else {
        const published = cell(row, "published");
        status = published === "" || truthy(published) ? "ACTIVE" : "DRAFT";
      }
      const productMetafields: SeedMetafield[] = [];
      for (const mf of metafieldColumns) {
        const value = (row[mf.index] ?? "").trim();
        if (mf.owner === "product" && value) {
          productMetafields.push({ namespace: mf.namespace, key: mf.key, type: "single_line_text_field", value });
        }
      }
      const product: SeedProduct = {
        handle,
        title,
        descriptionHtml: rawCell(row, "body").trim(),
        vendor: cell(row, "vendor"),
        productType: cell(row, "type"),
        category: resolveCategory(cell(row, "category")),
        tags: parseTags(cell(row, "tags")),
        status,
        optionNames: names.length ? names : ["Title"],
        variants: [],
        images: [],
        metafields: productMetafields,
        seoTitle: cell(row, "seoTitle") || null,
        seoDescription: cell(row, "seoDescription") || null,
      };
      builder = { product, firstRow: rowNumber, combos: new Set() };
      builders.set(handle, builder);
      order.push(builder);
    }
    previous = builder;
    const product = builder.product;

    // Image of this row (product image rows and variant rows may both carry one).
    const imageSrc = cell(row, "imageSrc");
    if (imageSrc) addImage(product, imageSrc, cell(row, "imagePosition"), cell(row, "imageAlt"), rowNumber);
    const variantImage = cell(row, "variantImage");
    if (variantImage) addImage(product, variantImage, "", "", rowNumber);

    const optionValues = (["opt1value", "opt2value", "opt3value"] as const).map((c) => cell(row, c));
    const isVariantRow =
      optionValues.some((v) => v !== "") ||
      ["sku", "price", "barcode", "grams", "qty", "compareAt"].some((c) => cell(row, c as Column) !== "");
    if (!isVariantRow) continue;

    const defaultOnly = product.optionNames.length === 1 && product.optionNames[0] === "Title";
    let options: string[];
    if (defaultOnly) {
      options = [optionValues[0] || "Default Title"];
    } else {
      options = product.optionNames.map((name, i) => {
        const v = optionValues[i]!;
        if (!v) throw new ShopifyCsvError(`Row ${rowNumber}: variant of "${product.handle}" has no value for option "${name}".`);
        return v;
      });
    }
    const combo = options.join("\u0000").toLowerCase();
    if (builder.combos.has(combo)) {
      throw new ShopifyCsvError(`Row ${rowNumber}: product "${product.handle}" already has a variant "${options.join(" / ")}".`);
    }
    builder.combos.add(combo);

    const gramsRaw = cell(row, "grams");
    let grams: number | null = null;
    if (gramsRaw !== "") {
      grams = Number(gramsRaw.replace(",", "."));
      if (!Number.isFinite(grams) || grams < 0) throw new ShopifyCsvError(`Row ${rowNumber}: "Variant Grams" is not a weight: ${gramsRaw}`);
    }
    const unitRaw = cell(row, "weightUnit").toLowerCase();
    const qtyRaw = cell(row, "qty");
    const qty = qtyRaw === "" ? 0 : Math.trunc(Number(qtyRaw));
    if (!Number.isFinite(qty)) throw new ShopifyCsvError(`Row ${rowNumber}: "Variant Inventory Qty" is not a number: ${qtyRaw}`);
    const variantMetafields: SeedMetafield[] = [];
    for (const mf of metafieldColumns) {
      const value = (row[mf.index] ?? "").trim();
      if (mf.owner === "variant" && value) {
        variantMetafields.push({ namespace: mf.namespace, key: mf.key, type: "single_line_text_field", value });
      }
    }
    const priceRaw = cell(row, "price");
    const compareRaw = cell(row, "compareAt");
    const taxableRaw = cell(row, "taxable");
    const variant: SeedVariant = {
      options,
      sku: cell(row, "sku") || null,
      barcode: cell(row, "barcode").replace(/^'/, "") || null,
      grams,
      weightUnit: WEIGHT_UNIT_FROM_CSV[unitRaw] ?? "GRAMS",
      price: priceRaw ? money(priceRaw, rowNumber, "Variant Price") : "0.00",
      compareAtPrice: compareRaw ? money(compareRaw, rowNumber, "Variant Compare At Price") : null,
      inventoryQuantity: qty,
      taxable: taxableRaw === "" ? true : truthy(taxableRaw),
      imageSrc: variantImage || null,
      metafields: variantMetafields,
    };
    product.variants.push(variant);
  }

  if (order.length === 0) throw new ShopifyCsvError("Not a Shopify product CSV: it has a header but no product rows.");
  for (const { product } of order) {
    if (product.variants.length === 0) {
      product.optionNames = ["Title"];
      product.variants.push({
        options: ["Default Title"],
        sku: null,
        barcode: null,
        grams: null,
        weightUnit: "GRAMS",
        price: "0.00",
        compareAtPrice: null,
        inventoryQuantity: 0,
        taxable: true,
        imageSrc: null,
        metafields: [],
      });
    }
    sortImages(product);
  }
  return order.map((b) => b.product);
}

function addImage(product: SeedProduct, src: string, position: string, alt: string, row: number): void {
  const existing = product.images.find((i) => i.src === src);
  const pos = position ? Number(position) : NaN;
  if (position && !Number.isFinite(pos)) throw new ShopifyCsvError(`Row ${row}: "Image Position" is not a number: ${position}`);
  if (existing) {
    if (Number.isFinite(pos)) existing.position = pos;
    if (alt && !existing.alt) existing.alt = alt;
    return;
  }
  product.images.push({ src, position: Number.isFinite(pos) ? pos : Number.MAX_SAFE_INTEGER, alt: alt || null });
}

function sortImages(product: SeedProduct): void {
  const images: SeedImage[] = product.images
    .map((image, i) => ({ image, i }))
    .sort((a, b) => a.image.position - b.image.position || a.i - b.i)
    .map(({ image }) => image);
  images.forEach((image, i) => (image.position = i + 1));
  product.images = images;
}

export async function readShopifyProductCsv(path: string): Promise<SeedProduct[]> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new ShopifyCsvError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseShopifyProductCsv(data);
}

// ---------------------------------------------------------------------------------------------
// Writing (used to turn a generated catalog into a CSV file for the CLI and benchmarks)

const CSV_COLUMNS = [
  "Handle",
  "Title",
  "Body (HTML)",
  "Vendor",
  "Product Category",
  "Type",
  "Tags",
  "Published",
  "Option1 Name",
  "Option1 Value",
  "Option2 Name",
  "Option2 Value",
  "Option3 Name",
  "Option3 Value",
  "Variant SKU",
  "Variant Grams",
  "Variant Inventory Qty",
  "Variant Price",
  "Variant Compare At Price",
  "Variant Barcode",
  "Image Src",
  "Image Position",
  "Image Alt Text",
  "Variant Weight Unit",
  "Status",
];

function escapeCsv(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function* csvLines(products: Iterable<SeedProduct>): Generator<string> {
  yield CSV_COLUMNS.join(",") + "\n";
  for (const p of products) {
    const rows = Math.max(p.variants.length, p.images.length);
    for (let i = 0; i < rows; i++) {
      const v = p.variants[i];
      const img = p.images[i];
      const first = i === 0;
      const cells = [
        p.handle,
        first ? p.title : "",
        first ? p.descriptionHtml : "",
        first ? p.vendor : "",
        first ? (p.category?.fullName ?? "") : "",
        first ? p.productType : "",
        first ? p.tags.join(", ") : "",
        first ? (p.status === "ACTIVE" ? "TRUE" : "FALSE") : "",
        first ? (p.optionNames[0] ?? "") : "",
        v ? (v.options[0] ?? "") : "",
        first ? (p.optionNames[1] ?? "") : "",
        v ? (v.options[1] ?? "") : "",
        first ? (p.optionNames[2] ?? "") : "",
        v ? (v.options[2] ?? "") : "",
        v?.sku ?? "",
        v?.grams != null ? String(v.grams) : "",
        v ? String(v.inventoryQuantity) : "",
        v ? v.price : "",
        v?.compareAtPrice ?? "",
        v?.barcode ?? "",
        img?.src ?? "",
        img ? String(img.position) : "",
        img?.alt ?? "",
        v ? WEIGHT_UNIT_TO_REST[v.weightUnit] : "",
        first ? p.status.toLowerCase() : "",
      ];
      yield cells.map(escapeCsv).join(",") + "\n";
    }
  }
}

/** Shopify product CSV text for the given products (classic export columns). */
export function toShopifyProductCsv(products: Iterable<SeedProduct>): string {
  let out = "";
  for (const line of csvLines(products)) out += line;
  return out;
}

/** Streams a Shopify product CSV to a file (large generated catalogs). */
export async function writeShopifyProductCsv(products: Iterable<SeedProduct>, path: string): Promise<void> {
  const stream = createWriteStream(path, { encoding: "utf8" });
  try {
    for (const line of csvLines(products)) {
      if (!stream.write(line)) await once(stream, "drain");
    }
  } finally {
    stream.end();
    await once(stream, "close");
  }
}
