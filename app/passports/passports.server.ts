// Passports in the database: one per variant, with a random public id that never changes, and an
// immutable version for every change of what the passport shows (same content → no new version).
import { inShopAndJsonList, insertRows, isSet, queryRows, updateRows, type SqlFlag } from "../sync/bulk-insert.server";
import { assembleFieldValuesFromList } from "../catalog/stored-values";
import { isPostgres } from "../db.server";
import { newPublicId, newRowId } from "../db/ids";
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { shopSettings } from "../shop-settings.server";
import type { ChangeSet } from "../sync/merge";
import { chunks } from "../sync/slice.server";
import { passportCompleteness } from "./completeness";
import { passportsPublished } from "./publication";
import { diffPassportContent, productPassport, variantPassport, type PassportContent, type ProductPassport } from "./content";

export interface AffectedEntities {
  variantIds: Set<string>;
  productIds: Set<string>;
}

/** An empty set of entities to regenerate passports for. */
export function noAffectedEntities(): AffectedEntities {
  return { variantIds: new Set(), productIds: new Set() };
}

/** Adds the entities whose passports may show something new after a change set (directly or via their product). */
export function addAffectedEntities(affected: AffectedEntities, changes: Pick<ChangeSet, "newVariants" | "variantMoves" | "writes" | "archive" | "unarchive">): AffectedEntities {
  const { variantIds, productIds } = affected;
  for (const v of changes.newVariants) variantIds.add(v.id);
  for (const m of changes.variantMoves) {
    variantIds.add(m.id);
    // The product it left: its completeness (the lowest of its passports) may rise.
    productIds.add(m.fromProductId);
  }
  for (const w of changes.writes) (w.entityType === "product" ? productIds : variantIds).add(w.entityId);
  for (const a of [...changes.archive, ...changes.unarchive]) (a.entityType === "product" ? productIds : variantIds).add(a.id);
  return affected;
}

/**
 * Passports built per step. Small on purpose: a step's rows live until its passports are written,
 * and fewer of them outlive V8's young generation (peak memory of a large run).
 */
const BATCH = 200;

/**
 * Brings the passports of the affected variants up to date: creates missing passports and adds a
 * version where the content changed. Runs inside the caller's transaction.
 */
export async function regeneratePassports(tx: ShopTx, shop: string, affected: AffectedEntities, now = new Date()): Promise<{ created: number; versioned: number }> {
  const variantIds = new Set(affected.variantIds);
  for (const part of chunks([...affected.productIds])) {
    const rows = await queryRows<{ id: string }>(tx, `SELECT "id" FROM "Variant" WHERE ${inShopAndJsonList(`"productId"`)}`, shop, JSON.stringify(part));
    for (const r of rows) variantIds.add(r.id);
  }
  const settings = await shopSettings(tx);
  let created = 0;
  let versioned = 0;
  const productIds = new Set<string>();
  for (const part of chunks([...variantIds], BATCH)) {
    const result = await regenerateBatch(tx, shop, settings, part, now);
    created += result.created;
    versioned += result.versioned;
    for (const id of result.productIds) productIds.add(id);
  }
  await updateProductCompleteness(tx, shop, [...productIds]);
  return { created, versioned };
}

/** Product.completeness: the lowest score of the product's passports (what the product list filters on). */
async function updateProductCompleteness(tx: ShopTx, shop: string, productIds: string[]): Promise<void> {
  // A variant without a passport counts as 0; a product without variants keeps its score. (The
  // shop condition lets the database use the (shop, productId) index.)
  for (const part of chunks(productIds)) {
    await tx.$executeRawUnsafe(
      `UPDATE "Product" SET "completeness" = (SELECT MIN(COALESCE(p."completeness", 0)) FROM "Variant" v LEFT JOIN "Passport" p ON p."variantId" = v."id" WHERE v."shop" = "Product"."shop" AND v."productId" = "Product"."id")
       WHERE ${inShopAndJsonList(`"id"`)} AND EXISTS (SELECT 1 FROM "Variant" v WHERE v."shop" = "Product"."shop" AND v."productId" = "Product"."id")`,
      shop,
      JSON.stringify(part),
    );
  }
}

/** Every passport of the shop (after the shop's name or locale changed, or a new content format). */
export async function regenerateAllPassports(db: ShopDb): Promise<{ created: number; versioned: number }> {
  const variants = await db.variant.findMany({ select: { id: true } });
  return db.$transaction((tx) => regeneratePassports(tx, db.shopDomain, { variantIds: new Set(variants.map((v) => v.id)), productIds: new Set() }), {
    timeout: 30 * 60_000,
  });
}

async function regenerateBatch(
  tx: ShopTx,
  shop: string,
  settings: { name: string; primaryLocale: string },
  variantIds: string[],
  now: Date,
): Promise<{ created: number; versioned: number; productIds: string[] }> {
  // Raw reads: for thousands of rows Prisma's model results cost more than the queries.
  const ids = JSON.stringify(variantIds);
  const variants = await queryRows<{ id: string; productId: string; title: string; archived: SqlFlag }>(
    tx,
    `SELECT "id", "productId", "title", "archivedAt" IS NOT NULL AS "archived" FROM "Variant" WHERE ${inShopAndJsonList(`"id"`)}`,
    shop,
    ids,
  );
  const productIds = [...new Set(variants.map((v) => v.productId))];
  const [products, valueRows, passports] = await Promise.all([
    queryRows<{ id: string; handle: string; archived: SqlFlag; passportHeld: SqlFlag }>(
      tx,
      `SELECT "id", "handle", "archivedAt" IS NOT NULL AS "archived", "passportHeld" FROM "Product" WHERE ${inShopAndJsonList(`"id"`)}`,
      shop,
      JSON.stringify(productIds),
    ),
    queryRows<{ entityId: string; values: string }>(tx, storedValuesSql(), shop, JSON.stringify([...productIds, ...variantIds])),
    queryRows<{ id: string; variantId: string; currentVersion: number; contentHash: string | null; gtin: string | null; held: SqlFlag }>(
      tx,
      `SELECT "id", "variantId", "currentVersion", "contentHash", "gtin", "held" FROM "Passport" WHERE ${inShopAndJsonList(`"variantId"`)}`,
      shop,
      ids,
    ),
  ]);
  const productById = new Map(products.map((p) => [p.id, p]));
  const storedValues = new Map(valueRows.map((v) => [v.entityId, v.values]));
  const passportByVariant = new Map(passports.map((p) => [p.variantId, p]));

  const newPassports: { id: string; shop: string; variantId: string; publicId: string; currentVersion: number; contentHash: string; gtin: string | null; completeness: number; held: boolean }[] = [];
  const heldChanged: { id: string; held: boolean }[] = [];
  const newVersions: { shop: string; passportId: string; version: number; contentHash: string; content: string; changes: string; createdAt: Date }[] = [];
  const changed: { passportId: string; version: number; content: PassportContent; json: string; hash: string }[] = [];
  const formerGtins: { id: string; shop: string; passportId: string; gtin: string; replacedAt: Date }[] = [];
  // What a product gives its variants' passports (and whether they are published), once per product.
  const shopInfo = { domain: shop, name: settings.name, primaryLocale: settings.primaryLocale };
  const productParts = new Map<string, { passport: ProductPassport; held: boolean }>();
  const partOfProduct = (product: (typeof products)[number]) => {
    let part = productParts.get(product.id);
    if (!part) {
      const values = assembleFieldValuesFromList(storedValues.get(product.id));
      part = {
        passport: productPassport(shopInfo, { handle: product.handle, archived: isSet(product.archived), values }),
        // Not published (public routes answer 404): held back by the merchant, or a draft product.
        held: !passportsPublished({ passportHeld: isSet(product.passportHeld), values }),
      };
      productParts.set(product.id, part);
    }
    return part;
  };

  for (const variant of variants) {
    const product = productById.get(variant.productId);
    if (!product) continue;
    const { passport: productPart, held } = partOfProduct(product);
    const { content, json, hash } = variantPassport(productPart, {
      title: variant.title,
      archived: isSet(variant.archived),
      values: assembleFieldValuesFromList(storedValues.get(variant.id)),
    });
    const existing = passportByVariant.get(variant.id);
    if (!existing) {
      const id = newRowId();
      newPassports.push({ id, shop, variantId: variant.id, publicId: newPublicId(), currentVersion: 1, contentHash: hash, gtin: content.gtin ?? null, completeness: passportCompleteness(content).score, held });
      // A first version's changes (every key, added) are derived from its content when read
      // (passportVersions): stored, they would double the row.
      newVersions.push({ shop, passportId: id, version: 1, contentHash: hash, content: json, changes: "", createdAt: now });
    } else if (existing.contentHash !== hash) {
      changed.push({ passportId: existing.id, version: existing.currentVersion + 1, content, json, hash });
      // Labels printed with the GTIN it had keep opening this passport (findPublicIdByGtin).
      if (existing.gtin && existing.gtin !== (content.gtin ?? null)) formerGtins.push({ id: newRowId(), shop, passportId: existing.id, gtin: existing.gtin, replacedAt: now });
    }
    if (existing && isSet(existing.held) !== held) heldChanged.push({ id: existing.id, held });
  }

  if (changed.length) {
    // Each passport's current version (the one the new version follows).
    const previous = await queryRows<{ passportId: string; content: string }>(
      tx,
      `SELECT "passportId", "content" FROM "PassportVersion" AS v
       WHERE ${inShopAndJsonList(`"passportId"`)} AND "version" = (SELECT p."currentVersion" FROM "Passport" AS p WHERE p."id" = v."passportId")`,
      shop,
      JSON.stringify(changed.map((c) => c.passportId)),
    );
    const previousContent = new Map(previous.map((p) => [p.passportId, JSON.parse(p.content) as PassportContent]));
    for (const c of changed) {
      newVersions.push({
        shop,
        passportId: c.passportId,
        version: c.version,
        contentHash: c.hash,
        content: c.json,
        changes: JSON.stringify(diffPassportContent(previousContent.get(c.passportId) ?? null, c.content)),
        createdAt: now,
      });
    }
  }
  await insertRows(tx, "Passport", newPassports.map((p) => ({ ...p, publishedUrls: null, createdAt: now, updatedAt: now })));
  await insertRows(tx, "PassportVersion", newVersions.map((v) => ({ id: newRowId(), ...v })));
  await insertRows(tx, "PassportFormerGtin", formerGtins);
  await updateRows(
    tx,
    "Passport",
    ["id"],
    changed.map((c) => ({ shop, id: c.passportId, currentVersion: c.version, contentHash: c.hash, gtin: c.content.gtin ?? null, completeness: passportCompleteness(c.content).score, updatedAt: now })),
  );
  await updateRows(tx, "Passport", ["id"], heldChanged.map((h) => ({ shop, id: h.id, held: h.held, updatedAt: now })));
  return { created: newPassports.length, versioned: changed.length, productIds };
}

/**
 * The stored values of the listed entities (parameters: the shop, the ids as a JSON array), one
 * row per entity: its values as one JSON array the database writes, [[field, locale], value, …],
 * each value the stored JSON text as it is. One row and one JSON.parse per entity instead of one
 * per value: the passports of a large sync read hundreds of thousands of values.
 */
function storedValuesSql(): string {
  const member = isPostgres() ? `json_build_array("field", "locale")::text || ',' || "value"` : `json_array("field", "locale") || ',' || "value"`;
  const members = isPostgres() ? `string_agg(${member}, ',')` : `group_concat(${member}, ',')`;
  return `SELECT "entityId", '[' || ${members} || ']' AS "values" FROM "FieldValue" WHERE ${inShopAndJsonList(`"entityId"`)} GROUP BY "entityId"`;
}

export interface PassportSummary {
  passports: number;
  /** Passports the public can open: not held back by the merchant, not of a draft product. */
  published: number;
  averageCompleteness: number;
  /** Passports below 100 % complete. */
  incomplete: number;
}

export async function passportSummary(db: ShopDb): Promise<PassportSummary> {
  const [count, held, avg, incomplete] = await Promise.all([
    db.passport.count(),
    db.passport.count({ where: { held: true } }),
    db.passport.aggregate({ _avg: { completeness: true } }),
    db.passport.count({ where: { completeness: { lt: 100 } } }),
  ]);
  return { passports: count, published: count - held, averageCompleteness: Math.round(avg._avg.completeness ?? 0), incomplete };
}
