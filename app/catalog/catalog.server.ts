// Reading the catalog for the admin (product list and product page) and manual edits, which obey
// field ownership: a field an integration owns is locked; unowned fields are edited by hand.
import { isPostgres } from "../db.server";
import { rowIdAt } from "../db/ids";
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { integrationKind, kindLabel } from "../integrations/kinds";
import { loadOwnership } from "../ownership/ownership.server";
import { connectedIntegrationIds, effectiveWriter } from "../ownership/ownership";
import { regeneratePassports } from "../passports/passports.server";
import { denormalizedColumns, updateListingColumns, writeFieldValues } from "../sync/apply.server";
import { chunks } from "../sync/slice.server";
import { encodeFieldValue, type FieldWrite } from "../sync/merge";
import { shopSettings } from "../shop-settings.server";
import { htmlToPlainText } from "../passports/content";
import { normalizeGtin } from "../passports/gs1";
import { FIELDS, fieldDef, isFieldKey, parseFieldValue, type FieldDef, type FieldKey } from "./fields";

export const PAGE_SIZE = 50;

export type ProductFilter = "all" | "active" | "archived" | "missing";

export interface ProductListItem {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  variants: number;
  archived: boolean;
  completeness: number;
  held: boolean;
}

export interface ProductList {
  items: ProductListItem[];
  total: number;
  page: number;
  pages: number;
}

/** Products with search (title, handle, SKU, GTIN), filters and pages. Indexed for large catalogs. */
export async function listProducts(db: ShopDb, options: { search?: string; filter?: ProductFilter; page?: number } = {}): Promise<ProductList> {
  const where = {
    ...(options.filter === "archived" ? { archivedAt: { not: null } } : options.filter === "active" ? { archivedAt: null } : {}),
    ...(options.filter === "missing" ? { completeness: { lt: 100 } } : {}),
    ...(await productSearch(db, options.search)),
  };
  const total = await db.product.count({ where });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const rows = await db.product.findMany({
    where,
    orderBy: [{ title: "asc" }, { id: "asc" }],
    skip: (page - 1) * PAGE_SIZE,
    take: PAGE_SIZE,
    select: { id: true, handle: true, title: true, vendor: true, archivedAt: true, completeness: true, passportHeld: true, _count: { select: { variants: true } } },
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      handle: r.handle,
      title: r.title || r.handle,
      vendor: r.vendor,
      variants: r._count.variants,
      archived: r.archivedAt !== null,
      completeness: r.completeness,
      held: r.passportHeld,
    })),
    total,
    page,
    pages,
  };
}

/**
 * The where-clause of a product search: title or handle containing the text, or a variant whose
 * SKU starts with it or whose barcode is the searched GTIN (any length). The text is literal (`%`,
 * `_` and `\` match themselves) and letters match in any case, accented ones too, on both
 * databases: on PostgreSQL by ILIKE, on SQLite by the LIKE its connection is given (db/sqlite-like.ts).
 */
export async function productSearch(db: ShopDb, text: string | undefined) {
  const search = text?.trim();
  if (!search) return {};
  const pattern = search.replace(/[\\%_]/g, "\\$&");
  const insensitive = isPostgres() ? ({ mode: "insensitive" } as const) : {};
  const gtin = normalizeGtin(search);
  return {
    OR: [
      { title: { contains: pattern, ...insensitive } },
      { handle: { contains: pattern, ...insensitive } },
      // A subquery on the variants, however many match (not a list of their products' ids). It
      // names the shop, which the client adds to the outer query only, so that it reads the shop's
      // rows of the (shop, sku) and (shop, gtin) indexes.
      { variants: { some: { shop: db.shopDomain, OR: [{ sku: { startsWith: pattern, ...insensitive } }, ...(gtin.ok ? [{ gtin: gtin.gtin }] : [])] } } },
    ],
  };
}

/** One field of a product or variant as the product page shows it. */
export interface FieldState {
  field: FieldKey;
  label: string;
  help: string;
  kind: FieldDef["kind"];
  unit?: string;
  /**
   * Values per locale ("" when not localized), as JSON values; `text` is how a value reads where
   * it is shown, when that is not the value itself (textOf).
   */
  values: { locale: string; value: unknown; text?: string; source: string; sourceId: string | null; editedBy: string | null; updatedAt: string }[];
  /** Integration whose values the field takes (locked), or null (edited by hand). */
  writer: { id: string; label: string } | null;
}

export interface EntityView {
  id: string;
  title: string;
  archived: boolean;
  fields: FieldState[];
}

export interface ProductDetail extends EntityView {
  handle: string;
  held: boolean;
  /** A draft (Product status): its passports are not published until it is active. */
  draft: boolean;
  primaryLocale: string;
  variants: (EntityView & { sku: string | null; gtin: string | null; passport: { publicId: string; version: number; completeness: number } | null })[];
}

function sourceLabel(sourceId: string | null, editedBy: string | null, labels: Map<string, string>): string {
  if (!sourceId) return editedBy ? `Manual edit by ${editedBy}` : "Manual edit";
  return labels.get(sourceId) ?? "Removed integration";
}

export async function productDetail(db: ShopDb, productId: string): Promise<ProductDetail> {
  const product = await db.product.findUnique({ where: { id: productId } });
  if (!product) throw new Response("This product does not exist in your catalog.", { status: 404 });
  const variants = await db.variant.findMany({ where: { productId }, orderBy: [{ position: "asc" }, { id: "asc" }] });
  const entityIds = [productId, ...variants.map((v) => v.id)];
  const [values, links, integrations, ownership, settings, passports] = await Promise.all([
    db.fieldValue.findMany({ where: { entityId: { in: entityIds } } }),
    db.externalLink.findMany({ where: { entityId: { in: entityIds } }, select: { entityId: true, integrationId: true } }),
    db.integration.findMany({ select: { id: true, kind: true, status: true, primaryOfShop: true } }),
    loadOwnership(db),
    shopSettings(db),
    db.passport.findMany({ where: { variantId: { in: variants.map((v) => v.id) } } }),
  ]);
  const labels = new Map(integrations.map((i) => [i.id, kindLabel(i.kind)]));
  const connected = connectedIntegrationIds(integrations);
  const primaryId = integrations.find((i) => i.primaryOfShop !== null)?.id ?? null;
  const linked = (entityId: string) => new Set(links.filter((l) => l.entityId === entityId).map((l) => l.integrationId));

  const view = (entity: { id: string; originId: string | null }, level: "product" | "variant"): FieldState[] =>
    FIELDS.filter((f) => f.level === level || (level === "variant" && "variantOverride" in f && f.variantOverride)).map((f) => {
      const writerId = effectiveWriter(ownership, f.key, { originId: entity.originId, linkedIntegrationIds: linked(entity.id) }, primaryId, connected);
      return {
        field: f.key,
        label: f.label,
        help: f.help,
        kind: f.kind,
        unit: "unit" in f ? f.unit : undefined,
        values: values
          .filter((v) => v.entityId === entity.id && v.field === f.key)
          .map((v) => ({
            locale: v.locale,
            ...valueAndText(f.key, v.value),
            source: sourceLabel(v.sourceId, v.editedBy, labels),
            sourceId: v.sourceId,
            editedBy: v.editedBy,
            updatedAt: v.updatedAt.toISOString(),
          })),
        writer: writerId ? { id: writerId, label: labels.get(writerId) ?? "an integration" } : null,
      };
    });

  const passportByVariant = new Map(passports.map((p) => [p.variantId, p]));
  return {
    id: product.id,
    handle: product.handle,
    title: product.title || product.handle,
    archived: product.archivedAt !== null,
    held: product.passportHeld,
    draft: values.some((v) => v.entityId === product.id && v.field === "status" && v.value === JSON.stringify("draft")),
    primaryLocale: settings.primaryLocale,
    fields: view(product, "product"),
    variants: variants.map((v) => {
      const passport = passportByVariant.get(v.id);
      return {
        id: v.id,
        title: v.title || v.sku || "Default",
        archived: v.archivedAt !== null,
        sku: v.sku,
        gtin: v.gtin,
        fields: view(v, "variant"),
        passport: passport ? { publicId: passport.publicId, version: passport.currentVersion, completeness: passport.completeness } : null,
      };
    }),
  };
}

export interface FieldEdit {
  entityId: string;
  field: string;
  /** For localized text: the locale edited (default: the shop's primary locale). */
  locale?: string;
  /** The new value (validated like any import); null clears the field. */
  value: unknown;
}

/**
 * A manual edit from the product page. Refused for fields an integration writes ("owned by X —
 * changes come from X"); otherwise validated, stored with its author, recorded in the history,
 * and the affected passports get a new version. Returns the change made (null when the value was
 * already so, or was cleared), for what follows a change (the write-back).
 */
export async function editField(db: ShopDb, edit: FieldEdit, user: string): Promise<FieldWrite | null> {
  if (!isFieldKey(edit.field)) throw new MerchantError(`There is no field called "${edit.field}".`, true);
  const def = fieldDef(edit.field);
  const [product, variant] = await Promise.all([
    db.product.findUnique({ where: { id: edit.entityId } }),
    db.variant.findUnique({ where: { id: edit.entityId } }),
  ]);
  const entity = product ?? variant;
  if (!entity) throw new MerchantError("This product or variant does not exist in your catalog.", true);
  const level = product ? "product" : "variant";
  if (!(def.level === level || (level === "variant" && def.variantOverride))) {
    throw new MerchantError(`${def.label} cannot be set on a ${level}.`, true);
  }
  const [ownership, links, integrations, settings] = await Promise.all([
    loadOwnership(db),
    db.externalLink.findMany({ where: { entityId: entity.id }, select: { integrationId: true } }),
    db.integration.findMany({ select: { id: true, kind: true, status: true, primaryOfShop: true } }),
    shopSettings(db),
  ]);
  const primaryId = integrations.find((i) => i.primaryOfShop !== null)?.id ?? null;
  const provenance = { originId: entity.originId, linkedIntegrationIds: new Set(links.map((l) => l.integrationId)) };
  const writer = effectiveWriter(ownership, edit.field, provenance, primaryId, connectedIntegrationIds(integrations));
  if (writer) {
    const owner = integrations.find((i) => i.id === writer);
    const name = integrationKind(owner?.kind ?? "")?.label ?? "an integration";
    throw new MerchantError(`${def.label} is owned by ${name}: changes come from ${name} and would be overwritten on its next sync. Edit it in ${name}, or switch off its ownership in Field ownership.`, true);
  }

  const locale = def.kind === "localizedText" ? (edit.locale ?? settings.primaryLocale) : "";
  const value = def.kind === "localizedText" && typeof edit.value === "string" ? { [locale]: edit.value } : edit.value;
  const current = await db.fieldValue.findUnique({ where: { entityId_field_locale: { entityId: entity.id, field: edit.field, locale } } });
  const now = new Date();
  return db.$transaction(async (tx): Promise<FieldWrite | null> => {
    let write: FieldWrite;
    if (edit.value === null || edit.value === "") {
      if (!current) return null;
      // A clear goes the engine's way (writeFieldValues): the value's first write becomes a
      // history row before the value goes, then the clearing is recorded.
      write = { entityType: level, entityId: entity.id, field: edit.field as FieldKey, locale, oldValue: current.value, newValue: null };
    } else {
      const parsed = parseFieldValue(edit.field as FieldKey, value);
      if (!parsed.ok) throw new MerchantError(parsed.error, true);
      const [[, json]] = encodeFieldValue(edit.field as FieldKey, parsed.value).filter(([l]) => l === locale);
      if (current?.value === json) return null;
      write = { entityType: level, entityId: entity.id, field: edit.field as FieldKey, locale, oldValue: current?.value ?? null, newValue: json };
    }
    await writeFieldValues(tx, [write], {
      shop: tx.shopDomain,
      sourceId: null,
      sourceLabel: `Manual edit by ${user}`,
      editedBy: user,
      runId: null,
      primaryLocale: settings.primaryLocale,
      now,
    });
    await updateListingColumns(tx, denormalizedColumns([write], settings.primaryLocale), now);
    await regeneratePassports(tx, tx.shopDomain, level === "product" ? { productIds: new Set([entity.id]), variantIds: new Set() } : { productIds: new Set(), variantIds: new Set([entity.id]) }, now);
    // A cleared value has nothing to push; the passport's links do not depend on it.
    return write.newValue === null ? null : write;
  });
}

export interface HistoryEntry {
  field: string;
  label: string;
  locale: string;
  oldValue: unknown;
  newValue: unknown;
  /** How the values read where that is not the values themselves (textOf). */
  oldText?: string;
  newText?: string;
  source: string;
  changedAt: string;
}

/**
 * How a value reads where the admin shows it, when that is not the value itself: an HTML field's
 * value (a Shopify description) as the text the passport shows, tags dropped. Undefined for other
 * values, which the page writes out itself (displayValue). Where a value is edited, its source is.
 */
export function textOf(field: string, value: unknown): string | undefined {
  if (typeof value !== "string" || !isFieldKey(field)) return undefined;
  const def: FieldDef = fieldDef(field);
  return def.html ? htmlToPlainText(value) : undefined;
}

/** A stored value (JSON) parsed, with its text (textOf). */
function valueAndText(field: string, json: string): { value: unknown; text?: string } {
  const value = JSON.parse(json) as unknown;
  const text = textOf(field, value);
  return text === undefined ? { value } : { value, text };
}

/** A field value as stored, with its first write (what firstWrites reads). */
export interface StoredValue {
  entityId: string;
  field: string;
  locale: string;
  value: string;
  createdAt: Date | null;
  createdSource: string | null;
  createdSourceId: string | null;
  createdRunId: string | null;
}

/** A history row as stored (FieldChange, without its shop). */
interface ChangeRow {
  id: string;
  entityId: string;
  field: string;
  locale: string;
  oldValue: string | null;
  newValue: string | null;
  sourceId: string | null;
  source: string;
  runId: string | null;
  changedAt: Date;
}

/** A stored value's key (entity, field, locale) as one string, for sets and maps of values. */
export function storedValueKey(v: { entityId: string; field: string; locale: string }): string {
  return `${v.entityId}|${v.field}|${v.locale}`;
}

/**
 * The history rows of values' first writes, kept on the values (none for values written before
 * that, whose rows are stored). What was written first is what the value's first change replaced;
 * with no change since, the value itself. One query per few thousand entities, however many values.
 */
export async function firstWrites(db: ShopDb | ShopTx, values: readonly StoredValue[]): Promise<ChangeRow[]> {
  const kept = values.filter((v): v is StoredValue & { createdAt: Date } => v.createdAt !== null);
  if (kept.length === 0) return [];
  const createdAt = new Map(kept.map((v) => [storedValueKey(v), v.createdAt]));
  // Each value's first change at or after its first write (changes come oldest first).
  const firstChange = new Map<string, string | null>();
  const fields = [...new Set(kept.map((v) => v.field))];
  for (const part of chunks([...new Set(kept.map((v) => v.entityId))])) {
    const changes = await db.fieldChange.findMany({
      where: { entityId: { in: part }, field: { in: fields } },
      orderBy: [{ changedAt: "asc" }, { id: "asc" }],
      select: { entityId: true, field: true, locale: true, oldValue: true, changedAt: true },
    });
    for (const change of changes) {
      const key = storedValueKey(change);
      const since = createdAt.get(key);
      if (since && !firstChange.has(key) && change.changedAt >= since) firstChange.set(key, change.oldValue);
    }
  }
  return kept.map((value) => {
    const { entityId, field, locale } = value;
    const key = storedValueKey(value);
    return {
      id: rowIdAt(value.createdAt.getTime(), key),
      entityId,
      field,
      locale,
      oldValue: null,
      newValue: firstChange.get(key) ?? value.value,
      sourceId: value.createdSourceId,
      source: value.createdSource ?? "",
      runId: value.createdRunId,
      changedAt: value.createdAt,
    };
  });
}

/**
 * Who changed what, and when: the append-only history of an entity's fields (newest first): the
 * stored changes and each current value's first write.
 */
export async function fieldHistory(db: ShopDb, entityId: string, field?: string, take = 100): Promise<HistoryEntry[]> {
  const where = { entityId, ...(field ? { field } : {}) };
  const [changes, values] = await Promise.all([
    db.fieldChange.findMany({ where, orderBy: [{ changedAt: "desc" }, { id: "desc" }], take }),
    db.fieldValue.findMany({ where: { ...where, createdAt: { not: null } } }),
  ]);
  const firsts = await firstWrites(db, values);
  // Newest first. Within a millisecond the ids order them (ids made one after another sort one
  // after another, app/db/ids.ts); a first write's id sorts before those of its millisecond.
  const newestFirst = [...changes, ...firsts].sort((a, b) => b.changedAt.getTime() - a.changedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return newestFirst.slice(0, take).map((r) => {
    const old = r.oldValue === null ? { value: null } : valueAndText(r.field, r.oldValue);
    const next = r.newValue === null ? { value: null } : valueAndText(r.field, r.newValue);
    return {
      field: r.field,
      label: isFieldKey(r.field) ? fieldDef(r.field).label : r.field,
      locale: r.locale,
      oldValue: old.value,
      newValue: next.value,
      ...(old.text === undefined ? {} : { oldText: old.text }),
      ...(next.text === undefined ? {} : { newText: next.text }),
      source: r.source,
      changedAt: r.changedAt.toISOString(),
    };
  });
}

/**
 * Holds a product's passports back from publication (or publishes them again). A draft product's
 * passports stay unpublished whatever the merchant chooses here: the passports decide that from
 * both (regeneratePassports). The caller writes Shopify's passport links after it
 * (afterCatalogChange): they are removed while the passports are not published.
 */
export async function setPassportHeld(db: ShopDb, productId: string, held: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    const updated = await tx.product.updateMany({ where: { id: productId }, data: { passportHeld: held } });
    if (updated.count === 0) throw new MerchantError("This product does not exist in your catalog.", true);
    await regeneratePassports(tx, tx.shopDomain, { productIds: new Set([productId]), variantIds: new Set() });
  });
}

