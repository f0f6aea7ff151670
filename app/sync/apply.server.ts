// Writes a change set inside one transaction: new products and variants, regrouping, soft
// deletes, field values with their provenance and history, links. New and changed rows go
// through bulk-insert.server.ts (insertRows, updateRows).
import { firstWrites, storedValueKey, type StoredValue } from "../catalog/catalog.server";
import { newRowId } from "../db/ids";
import type { ShopTx } from "../db/scoped.server";
import { insertRows, updateRows, type Row } from "./bulk-insert.server";
import { chunks } from "./slice.server";
import type { ChangeSet, EntityType, FieldWrite } from "./merge";

export interface ApplyContext {
  shop: string;
  /** The integration writing (null: a manual edit). */
  sourceId: string | null;
  /** How the history names the writer ("Shopify", "Excel upload", "Manual edit by …"). */
  sourceLabel: string;
  editedBy?: string | null;
  runId: string | null;
  primaryLocale: string;
  now: Date;
}

interface ProductColumns {
  title?: string;
  vendor?: string;
}
interface NewProductColumns extends ProductColumns {
  /** A title in another language, for a new product that has none in the primary locale. */
  otherTitle?: string;
}
interface VariantColumns {
  sku?: string | null;
  gtin?: string | null;
  title?: string;
}

/** Text of the options of a variant, as its title ("M / Blue"). */
export function variantTitle(optionsJson: string): string {
  const options = JSON.parse(optionsJson) as { value: string }[];
  return options.map((o) => o.value).join(" / ");
}

/** Fields copied into listing/matching columns. */
const LISTING_FIELDS: ReadonlySet<string> = new Set(["title", "vendor", "sku", "barcode", "options"]);

/** The listing/matching columns copied from field values (see schema.prisma); a cleared value empties its column. */
export function denormalizedColumns(writes: readonly FieldWrite[], primaryLocale: string) {
  const products = new Map<string, NewProductColumns>();
  const variants = new Map<string, VariantColumns>();
  const productCols = (id: string) => products.get(id) ?? products.set(id, {}).get(id)!;
  const variantCols = (id: string) => variants.get(id) ?? variants.set(id, {}).get(id)!;
  for (const w of writes) {
    if (!LISTING_FIELDS.has(w.field)) continue;
    if (w.newValue === null) {
      if (w.entityType === "product") {
        if (w.field === "title" && w.locale === primaryLocale) productCols(w.entityId).title = "";
        if (w.field === "vendor") productCols(w.entityId).vendor = "";
      } else {
        if (w.field === "sku") variantCols(w.entityId).sku = null;
        if (w.field === "barcode") variantCols(w.entityId).gtin = null;
        if (w.field === "options") variantCols(w.entityId).title = "";
      }
      continue;
    }
    const value = JSON.parse(w.newValue) as unknown;
    if (w.entityType === "product") {
      if (w.field === "title" && w.locale === primaryLocale) productCols(w.entityId).title = String(value);
      else if (w.field === "title") productCols(w.entityId).otherTitle ??= String(value);
      if (w.field === "vendor") productCols(w.entityId).vendor = String(value);
    } else {
      if (w.field === "sku") variantCols(w.entityId).sku = String(value).trim() || null;
      if (w.field === "barcode") variantCols(w.entityId).gtin = String(value) || null;
      if (w.field === "options") variantCols(w.entityId).title = variantTitle(w.newValue);
    }
  }
  return { products, variants };
}

/** Listing/matching columns of existing entities (a translation alone leaves the listing title). */
export async function updateListingColumns(tx: ShopTx, columns: ReturnType<typeof denormalizedColumns>, now: Date, created: ReadonlySet<string> = new Set()): Promise<void> {
  const shop = tx.shopDomain;
  const products: Row[] = [];
  for (const [id, { title, vendor }] of columns.products) {
    if (created.has(id) || (title === undefined && vendor === undefined)) continue;
    products.push({ shop, id, ...(title !== undefined ? { title } : {}), ...(vendor !== undefined ? { vendor } : {}), updatedAt: now });
  }
  const variants: Row[] = [];
  for (const [id, { title, sku, gtin }] of columns.variants) {
    if (!created.has(id)) variants.push({ shop, id, ...(title !== undefined ? { title } : {}), ...(sku !== undefined ? { sku } : {}), ...(gtin !== undefined ? { gtin } : {}), updatedAt: now });
  }
  for (const rows of bySetColumns(products)) await updateRows(tx, "Product", ["id"], rows);
  for (const rows of bySetColumns(variants)) await updateRows(tx, "Variant", ["id"], rows);
}

/** Rows grouped by the columns they set (updateRows takes rows that all set the same ones). */
function bySetColumns(rows: readonly Row[]): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = Object.keys(row).join(",");
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()];
}

export async function applyChangeSet(tx: ShopTx, changes: ChangeSet, ctx: ApplyContext): Promise<void> {
  const { shop, now } = ctx;
  const columns = denormalizedColumns(changes.writes, ctx.primaryLocale);
  const newProductIds = new Set(changes.newProducts.map((p) => p.id));
  const newVariantIds = new Set(changes.newVariants.map((v) => v.id));
  const sourceIdentifiers = new Map(changes.sourceIdentifiers.map((s) => [s.variantId, s]));
  await insertRows(tx, "Product", newProductRows(changes.newProducts, columns.products, shop, now));
  await insertRows(tx, "Variant", newVariantRows(changes.newVariants, columns.variants, sourceIdentifiers, shop, now));
  await updateRows(
    tx,
    "Variant",
    ["id"],
    changes.sourceIdentifiers.filter((s) => !newVariantIds.has(s.variantId)).map((s) => ({ shop, id: s.variantId, sourceSku: s.sku, sourceGtin: s.gtin })),
  );
  await updateRows(tx, "Variant", ["id"], changes.variantMoves.map((m) => ({ shop, id: m.id, productId: m.productId, position: m.position, updatedAt: now })));
  await setArchived(tx, changes.archive, now);
  await setArchived(tx, changes.unarchive, null);

  await updateListingColumns(tx, columns, now, new Set([...newProductIds, ...newVariantIds]));

  await writeFieldValues(tx, changes.writes, ctx);
  await writeLinks(tx, changes, ctx);
}

function* newProductRows(products: ChangeSet["newProducts"], columns: Map<string, NewProductColumns>, shop: string, now: Date): Generator<Row> {
  for (const p of products) {
    const cols = columns.get(p.id);
    yield { id: p.id, shop, handle: p.handle, title: cols?.title ?? cols?.otherTitle ?? "", vendor: cols?.vendor ?? "", archivedAt: null, passportHeld: false, originId: p.originId, completeness: 0, createdAt: now, updatedAt: now };
  }
}

function* newVariantRows(
  variants: ChangeSet["newVariants"],
  columns: Map<string, VariantColumns>,
  sourceIdentifiers: Map<string, ChangeSet["sourceIdentifiers"][number]>,
  shop: string,
  now: Date,
): Generator<Row> {
  for (const v of variants) {
    const cols = columns.get(v.id);
    const source = sourceIdentifiers.get(v.id);
    yield {
      id: v.id,
      shop,
      productId: v.productId,
      position: v.position,
      title: cols?.title ?? "",
      sku: cols?.sku ?? null,
      gtin: cols?.gtin ?? null,
      sourceSku: source?.sku ?? null,
      sourceGtin: source?.gtin ?? null,
      archivedAt: null,
      originId: v.originId,
      createdAt: now,
      updatedAt: now,
    };
  }
}

async function setArchived(tx: ShopTx, entities: readonly { entityType: EntityType; id: string }[], archivedAt: Date | null): Promise<void> {
  const products = entities.filter((e) => e.entityType === "product").map((e) => e.id);
  const variants = entities.filter((e) => e.entityType === "variant").map((e) => e.id);
  for (const part of chunks(products)) await tx.product.updateMany({ where: { id: { in: part } }, data: { archivedAt } });
  for (const part of chunks(variants)) await tx.variant.updateMany({ where: { id: { in: part } }, data: { archivedAt } });
}

/**
 * Current values with provenance, plus one history row per change of a value. A value's first
 * write is kept on the value itself (its created* columns), not as a history row: fieldHistory
 * derives that entry. A cleared value is deleted, its first write becoming a history row first.
 */
export async function writeFieldValues(tx: ShopTx, writes: readonly FieldWrite[], ctx: ApplyContext): Promise<void> {
  await deleteClearedValues(tx, writes);
  await insertRows(tx, "FieldValue", newFieldValueRows(writes, ctx));
  await updateRows(tx, "FieldValue", ["entityId", "field", "locale"], changedFieldValueRows(writes, ctx));
  await insertRows(tx, "FieldChange", fieldChangeRows(writes, ctx));
}

/**
 * Deletes the values the writes clear. A value keeps its first write on itself (created*): that
 * entry becomes a history row before the value goes, as fieldHistory showed it, so the history
 * reads "set by …, changed by …, cleared by …".
 */
async function deleteClearedValues(tx: ShopTx, writes: readonly FieldWrite[]): Promise<void> {
  const clears = writes.filter((w) => w.newValue === null && w.oldValue !== null);
  if (clears.length === 0) return;
  const cleared = new Set(clears.map(storedValueKey));
  const fields = [...new Set(clears.map((w) => w.field))];
  const values: StoredValue[] = [];
  for (const part of chunks([...new Set(clears.map((w) => w.entityId))])) {
    const stored = await tx.fieldValue.findMany({ where: { entityId: { in: part }, field: { in: fields } } });
    values.push(...stored.filter((v) => cleared.has(storedValueKey(v))));
  }
  await insertRows(tx, "FieldChange", (await firstWrites(tx, values)).map((first) => ({ shop: tx.shopDomain, ...first })));
  for (const part of chunks(clears, CLEARS_PER_DELETE)) {
    await tx.fieldValue.deleteMany({ where: { OR: part.map(({ entityId, field, locale }) => ({ entityId, field, locale })) } });
  }
}

/** Values deleted per statement: three parameters each, well within SQLite's and PostgreSQL's limits. */
const CLEARS_PER_DELETE = 500;

function* changedFieldValueRows(writes: readonly FieldWrite[], ctx: ApplyContext): Generator<Row> {
  const { shop, now, sourceId } = ctx;
  const editedBy = ctx.editedBy ?? null;
  for (const w of writes) {
    if (w.oldValue !== null && w.newValue !== null) yield { shop, entityId: w.entityId, field: w.field, locale: w.locale, value: w.newValue, sourceId, editedBy, updatedAt: now };
  }
}

function* newFieldValueRows(writes: readonly FieldWrite[], ctx: ApplyContext): Generator<Row> {
  const { shop, now, sourceId } = ctx;
  const editedBy = ctx.editedBy ?? null;
  for (const w of writes) {
    if (w.oldValue !== null || w.newValue === null) continue;
    yield {
      shop,
      entityId: w.entityId,
      field: w.field,
      locale: w.locale,
      value: w.newValue,
      sourceId,
      editedBy,
      updatedAt: now,
      createdAt: now,
      createdSource: ctx.sourceLabel,
      createdSourceId: sourceId,
      createdRunId: ctx.runId,
    };
  }
}

function* fieldChangeRows(writes: readonly FieldWrite[], ctx: ApplyContext): Generator<Row> {
  const { shop, now, sourceId } = ctx;
  for (const w of writes) {
    if (w.oldValue !== null) yield { id: newRowId(), shop, entityId: w.entityId, field: w.field, locale: w.locale, oldValue: w.oldValue, newValue: w.newValue, sourceId, source: ctx.sourceLabel, runId: ctx.runId, changedAt: now };
  }
}

function* newLinkRows(links: ChangeSet["links"], shop: string, integrationId: string): Generator<Row> {
  for (const l of links) {
    if (l.isNew) yield { id: newRowId(), shop, integrationId, entityType: l.entityType, externalId: l.externalId, entityId: l.entityId, hash: l.hash, sourceUpdatedAt: l.sourceUpdatedAt };
  }
}

async function writeLinks(tx: ShopTx, changes: ChangeSet, ctx: ApplyContext): Promise<void> {
  if (!ctx.sourceId) return;
  const integrationId = ctx.sourceId;
  await insertRows(tx, "ExternalLink", newLinkRows(changes.links, ctx.shop, integrationId));
  await updateRows(tx, "ExternalLink", ["integrationId", "entityType", "externalId"], changedLinkRows(changes.links, ctx.shop, integrationId));
  for (const entityType of ["product", "variant"] as const) {
    const externalIds = changes.unlinks.filter((u) => u.entityType === entityType).map((u) => u.externalId);
    for (const part of chunks(externalIds)) await tx.externalLink.deleteMany({ where: { integrationId, entityType, externalId: { in: part } } });
  }
}

function* changedLinkRows(links: ChangeSet["links"], shop: string, integrationId: string): Generator<Row> {
  for (const l of links) {
    if (!l.isNew) yield { shop, integrationId, entityType: l.entityType, externalId: l.externalId, entityId: l.entityId, hash: l.hash, sourceUpdatedAt: l.sourceUpdatedAt };
  }
}

