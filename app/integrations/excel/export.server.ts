// Export of the catalog to the template's workbook format, streamed: products are read in pages
// and written row by row; besides the page, only the ids of the matching products stay in memory.
import type { Writable } from "node:stream";
import { FIELDS } from "../../catalog/fields";
import { assembleFieldValues, groupRowsByEntity } from "../../catalog/stored-values";
import { productSearch } from "../../catalog/catalog.server";
import { openSqliteReader } from "../../db.server";
import type { ShopDb, ShopTx } from "../../db/scoped.server";
import { shopSettings } from "../../shop-settings.server";
import { inShopAndJsonList, isSet, queryRows, sqlParam, type SqlFlag } from "../../sync/bulk-insert.server";
import { DEFAULT_GROUP_COUNTS, isGroupKind, MAX_GROUPS, type GroupKind } from "./columns";
import { writeProductsWorkbook, type ExportProduct, type ExportVariant, type WriteResult } from "./writer";

export interface ExportFilter {
  search?: string;
  /** "include" (default: every product), "exclude" (only what is sold now), or "only" archived-in-source products. */
  archived?: "exclude" | "include" | "only";
  /** Only products whose passports miss data. */
  missingPassportData?: boolean;
}

/** Products per page: a page's rows are held while its products are written; larger pages are no faster. */
const PAGE = 100;

async function productWhere(db: ShopDb, filter: ExportFilter) {
  return {
    ...(filter.archived === "only" ? { archivedAt: { not: null } } : filter.archived === "exclude" ? { archivedAt: null } : {}),
    ...(filter.missingPassportData ? { completeness: { lt: 100 } } : {}),
    ...(await productSearch(db, filter.search)),
  };
}

/** Where the export's raw reads run (see `openReader`). */
type Reader = Pick<ShopTx, "$queryRawUnsafe" | "sqlite"> & { close(): void };

/**
 * The export reads rows with raw SQL: for tens of thousands of rows, Prisma's model results and
 * per-query work cost more memory than the rows. On SQLite it reads through a read-only connection
 * of its own (openSqliteReader, as the public passport pages do), with a small page cache since
 * every page is read once. On PostgreSQL, the client's raw queries. Every query names the shop.
 */
function openReader(db: ShopDb): Reader {
  const sqlite = openSqliteReader(15_000);
  sqlite?.pragma("cache_size = -2000"); // 2 MB instead of better-sqlite3's 16 MB
  return { $queryRawUnsafe: (sql, ...params) => db.$queryRawUnsafe(sql, ...params), sqlite, close: () => sqlite?.close() };
}

/** The filtered catalog as ExportProducts, page by page. */
export async function* exportProducts(db: ShopDb, filter: ExportFilter, onProgress?: (products: number) => void): AsyncGenerator<ExportProduct> {
  const variants = filter.archived ?? "include";
  // The filters stay with Prisma, in one query for the ids of the matching products (faster than a
  // query per page, and a few MB for 100,000 products); the pages are read raw.
  const where = await productWhere(db, filter);
  const ids = (await db.product.findMany({ where, orderBy: { id: "asc" }, select: { id: true } })).map((p) => p.id);
  const reader = openReader(db);
  try {
    for (let start = 0; start < ids.length; start += PAGE) {
      yield* pageProducts(reader, db.shopDomain, ids.slice(start, start + PAGE), variants);
      onProgress?.(Math.min(start + PAGE, ids.length));
    }
  } finally {
    reader.close();
  }
}

/** The variant fields that tell variants apart in the file (the reader's SKU, barcode and options). */
const SKU = FIELDS.find((f) => f.key === "sku")?.key;
const GTIN = FIELDS.find((f) => f.level === "variant" && f.kind === "gtin")?.key;
const OPTIONS = FIELDS.find((f) => f.level === "variant" && f.kind === "options")?.key;

/**
 * Whether a variant's row has a SKU, barcode or option value. The reader names a variant with none
 * by its place among its product's variants with none, archived rows included; in doubt, no.
 */
function hasIdentifier(fields: Record<string, unknown>): boolean {
  const filled = (value: unknown) => typeof value === "string" && value.trim() !== "";
  if ((SKU && filled(fields[SKU])) || (GTIN && filled(fields[GTIN]))) return true;
  const options = OPTIONS ? fields[OPTIONS] : undefined;
  return Array.isArray(options) && options.some((o) => filled((o as { value?: unknown } | null)?.value));
}

/**
 * The products of one page in the order of `productIds`, each with its variants by position. With
 * archived "exclude", only the variants sold now: a product kept for them lists only those, and
 * one left with none is left out. Except an archived variant without SKU, barcode or options: it
 * is written, marked archived (not imported), since the reader counts it when it names the
 * variants after it that have none either ("<handle>#3"); left out, they would take its id.
 */
async function* pageProducts(reader: Reader, shop: string, productIds: string[], archived: NonNullable<ExportFilter["archived"]>): AsyncGenerator<ExportProduct> {
  const ids = JSON.stringify(productIds);
  const products = await queryRows<{ id: string; handle: string; archived: SqlFlag }>(
    reader,
    `SELECT "id", "handle", "archivedAt" IS NOT NULL AS "archived" FROM "Product" WHERE ${inShopAndJsonList(`"id"`)}`,
    shop,
    ids,
  );
  const variants = await queryRows<{ id: string; productId: string; archived: SqlFlag }>(
    reader,
    `SELECT "id", "productId", "archivedAt" IS NOT NULL AS "archived" FROM "Variant" WHERE ${inShopAndJsonList(`"productId"`)} ORDER BY "position", "id"`,
    shop,
    ids,
  );
  const values = await queryRows<{ entityId: string; field: string; locale: string; value: string }>(
    reader,
    `SELECT "entityId", "field", "locale", "value" FROM "FieldValue" WHERE ${inShopAndJsonList(`"entityId"`)}`,
    shop,
    JSON.stringify([...productIds, ...variants.map((v) => v.id)]),
  );
  const valuesByEntity = groupRowsByEntity(values);
  const variantsByProduct = new Map<string, ExportVariant[]>();
  const withArchivedVariants = new Set<string>();
  const sold = new Set<string>(); // products with a variant not archived
  for (const v of variants) {
    const variant = { archived: isSet(v.archived), fields: assembleFieldValues(valuesByEntity.get(v.id) ?? []) };
    if (variant.archived) withArchivedVariants.add(v.productId);
    else sold.add(v.productId);
    if (archived === "exclude" && variant.archived && hasIdentifier(variant.fields)) continue;
    const list = variantsByProduct.get(v.productId);
    if (list) list.push(variant);
    else variantsByProduct.set(v.productId, [variant]);
  }
  const productById = new Map(products.map((p) => [p.id, p]));
  for (const id of productIds) {
    const product = productById.get(id);
    if (!product) continue; // deleted since the export began
    if (archived === "exclude" && withArchivedVariants.has(id) && !sold.has(id)) continue; // every variant archived
    yield {
      handle: product.handle,
      archived: isSet(product.archived),
      fields: assembleFieldValues(valuesByEntity.get(id) ?? []),
      variants: variantsByProduct.get(id) ?? [],
    };
  }
}

/** Translation locales present in the catalog, for the "Title [de]" columns. */
export async function catalogLocales(db: ShopDb, primaryLocale: string): Promise<string[]> {
  const localized = FIELDS.filter((f) => f.kind === "localizedText").map((f) => f.key);
  // Raw too: this reads the values of every product and variant of the shop, and through Prisma
  // it would fill the page cache of the app's connection. Values are found by entity: no index
  // leads with the shop (see FieldValue in the schema).
  const reader = openReader(db);
  try {
    const shop = db.shopDomain;
    const rows = await queryRows<{ locale: string }>(
      reader,
      `SELECT DISTINCT "locale" FROM "FieldValue" WHERE ${inShopAndJsonList(`"field"`)}
         AND "entityId" IN (SELECT "id" FROM "Product" WHERE "shop" = ${sqlParam(3)} UNION ALL SELECT "id" FROM "Variant" WHERE "shop" = ${sqlParam(4)})`,
      shop,
      JSON.stringify(localized),
      shop,
      shop,
    );
    return rows.map((r) => r.locale).filter((l) => l && l !== primaryLocale).sort();
  } finally {
    reader.close();
  }
}

/**
 * Column groups per repeated kind: as many as the catalog's longest list (materials,
 * certifications), never fewer than the template's. Fewer would cut lists off, and importing the
 * file back would then delete what was cut.
 */
export async function catalogGroupCounts(db: ShopDb): Promise<Record<GroupKind, number>> {
  const groupFields = FIELDS.filter((f) => isGroupKind(f.kind));
  const reader = openReader(db);
  try {
    const shop = db.shopDomain;
    // Values are found by entity, as in catalogLocales.
    const length = reader.sqlite ? `json_array_length("value")` : `CASE WHEN json_typeof("value"::json) = 'array' THEN json_array_length("value"::json) END`;
    const rows = await queryRows<{ field: string; longest: number | null }>(
      reader,
      `SELECT "field", MAX(${length}) AS "longest" FROM "FieldValue" WHERE ${inShopAndJsonList(`"field"`)}
         AND "entityId" IN (SELECT "id" FROM "Product" WHERE "shop" = ${sqlParam(3)} UNION ALL SELECT "id" FROM "Variant" WHERE "shop" = ${sqlParam(4)})
         GROUP BY "field"`,
      shop,
      JSON.stringify(groupFields.map((f) => f.key)),
      shop,
      shop,
    );
    const counts = { ...DEFAULT_GROUP_COUNTS };
    for (const row of rows) {
      const kind = groupFields.find((f) => f.key === row.field)?.kind;
      if (!kind || !isGroupKind(kind)) continue;
      counts[kind] = Math.min(Math.max(counts[kind], Number(row.longest ?? 0)), MAX_GROUPS[kind] ?? Infinity);
    }
    return counts;
  } finally {
    reader.close();
  }
}

export async function writeCatalogWorkbook(db: ShopDb, output: Writable, filter: ExportFilter = {}, onProgress?: (products: number) => void): Promise<WriteResult & { products: number }> {
  const settings = await shopSettings(db);
  const locales = await catalogLocales(db, settings.primaryLocale);
  const groups = await catalogGroupCounts(db);
  let products = 0;
  const result = await writeProductsWorkbook(
    output,
    exportProducts(db, filter, (n) => {
      products = n;
      onProgress?.(n);
    }),
    { primaryLocale: settings.primaryLocale, locales, groups },
  );
  return { ...result, products };
}
