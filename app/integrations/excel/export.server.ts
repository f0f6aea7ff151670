// Export of the catalog to the template's workbook format, streamed: products are read in pages
// and written row by row, so memory stays flat for any catalog size.
import type { Writable } from "node:stream";
import { FIELDS } from "../../catalog/fields";
import { assembleFieldValues, groupRowsByEntity } from "../../catalog/stored-values";
import { productSearch } from "../../catalog/catalog.server";
import type { ShopDb } from "../../db/scoped.server";
import { shopSettings } from "../../shop-settings.server";
import { chunks } from "../../sync/slice.server";
import { writeProductsWorkbook, type ExportProduct, type WriteResult } from "./writer";

export interface ExportFilter {
  search?: string;
  /** "include" (default: every product), "exclude" (only what is sold now), or "only" archived-in-source products. */
  archived?: "exclude" | "include" | "only";
  /** Only products whose passports miss data. */
  missingPassportData?: boolean;
}

const PAGE = 500;

async function productWhere(db: ShopDb, filter: ExportFilter) {
  return {
    ...(filter.archived === "only" ? { archivedAt: { not: null } } : filter.archived === "exclude" ? { archivedAt: null } : {}),
    ...(filter.missingPassportData ? { completeness: { lt: 100 } } : {}),
    ...(await productSearch(db, filter.search)),
  };
}

/** The filtered catalog as ExportProducts, page by page. */
export async function* exportProducts(db: ShopDb, filter: ExportFilter, onProgress?: (products: number) => void): AsyncGenerator<ExportProduct> {
  let cursor: string | undefined;
  let done = 0;
  const where = await productWhere(db, filter);
  for (;;) {
    const products = await db.product.findMany({
      where,
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true, handle: true, archivedAt: true },
    });
    if (products.length === 0) return;
    cursor = products[products.length - 1].id;
    const variants = await db.variant.findMany({
      where: { productId: { in: products.map((p) => p.id) } },
      orderBy: [{ productId: "asc" }, { position: "asc" }, { id: "asc" }],
      select: { id: true, productId: true, archivedAt: true },
    });
    const ids = [...products.map((p) => p.id), ...variants.map((v) => v.id)];
    const rows = [];
    for (const part of chunks(ids)) rows.push(...(await db.fieldValue.findMany({ where: { entityId: { in: part } }, select: { entityId: true, field: true, locale: true, value: true } })));
    const byEntity = groupRowsByEntity(rows);
    for (const p of products) {
      yield {
        handle: p.handle,
        archived: p.archivedAt !== null,
        fields: assembleFieldValues(byEntity.get(p.id) ?? []),
        variants: variants.filter((v) => v.productId === p.id).map((v) => ({ archived: v.archivedAt !== null, fields: assembleFieldValues(byEntity.get(v.id) ?? []) })),
      };
    }
    done += products.length;
    onProgress?.(done);
  }
}

/** Translation locales present in the catalog, for the "Title [de]" columns. */
async function catalogLocales(db: ShopDb, primaryLocale: string): Promise<string[]> {
  const localized = FIELDS.filter((f) => f.kind === "localizedText").map((f) => f.key);
  const rows = await db.fieldValue.groupBy({ by: ["locale"], where: { field: { in: localized } } });
  return rows.map((r) => r.locale).filter((l) => l && l !== primaryLocale).sort();
}

export async function writeCatalogWorkbook(db: ShopDb, output: Writable, filter: ExportFilter = {}, onProgress?: (products: number) => void): Promise<WriteResult & { products: number }> {
  const settings = await shopSettings(db);
  const locales = await catalogLocales(db, settings.primaryLocale);
  let products = 0;
  const result = await writeProductsWorkbook(
    output,
    exportProducts(db, filter, (n) => {
      products = n;
      onProgress?.(n);
    }),
    { primaryLocale: settings.primaryLocale, locales },
  );
  return { ...result, products };
}
