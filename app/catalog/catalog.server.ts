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
import { isSet, queryRows, sqlParam, type SqlFlag } from "../sync/bulk-insert.server";
import { chunks } from "../sync/slice.server";
import { encodeFieldValue, type FieldWrite } from "../sync/merge";
import { shopSettings } from "../shop-settings.server";
import { htmlToPlainText } from "../passports/content";
import { normalizeGtin } from "../passports/gs1";
import { passportCompleteness } from "../passports/completeness";
import type { PassportContent } from "../passports/content";
import { missingPassportData, type MissingPassportData } from "../passports/missing-data";
import { passportPublication, type PassportPublication } from "../passports/publication";
import { manualEditLabel, manualEditSource, shownSource, type Editor } from "./source-labels";
import { FIELDS, fieldDef, isFieldKey, parseFieldValue, type FieldDef, type FieldKey, type ProductStatus } from "./fields";

export const PAGE_SIZE = 50;

/** The product list's filters: every product, those whose passports have one publication, or those missing passport data. */
export type ProductFilter = "all" | PassportPublication | "missing";

export interface ProductListItem {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  variants: number;
  /** Vanished from its source (soft delete). */
  archived: boolean;
  completeness: number;
  held: boolean;
  /** Whether its passports are public, and if not why (passportPublication). */
  publication: PassportPublication;
}

export interface ProductList {
  items: ProductListItem[];
  total: number;
  page: number;
  pages: number;
}

/** A raw statement's parameters, numbered as they are added ($n on PostgreSQL, ? in order on SQLite). */
class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return sqlParam(this.values.length);
  }
}

/** The product's status (its JSON text, as stored) in SQL, for a product aliased `p`: NULL without one. */
const STATUS_SQL = `(SELECT f."value" FROM "FieldValue" f WHERE f."entityId" = p."id" AND f."field" = 'status' AND f."locale" = '' AND f."shop" = p."shop")`;
const DRAFT = `'${JSON.stringify("draft" satisfies ProductStatus)}'`;
const ARCHIVED = `'${JSON.stringify("archived" satisfies ProductStatus)}'`;

/**
 * passportPublication's rule as a SQL condition on a product aliased `p`, for the list's filters
 * (listing.test.ts checks both agree). The status is a value, not a column: a status filter reads
 * each listed product's status by its key, as the passports do.
 */
function publicationSql(publication: PassportPublication): string {
  const notHeld = `NOT p."passportHeld"`;
  const status = `COALESCE(${STATUS_SQL}, '')`;
  switch (publication) {
    case "held":
      return `p."passportHeld"`;
    case "draft":
      return `${notHeld} AND ${status} = ${DRAFT}`;
    case "archived":
      return `${notHeld} AND ${status} <> ${DRAFT} AND (p."archivedAt" IS NOT NULL OR ${status} = ${ARCHIVED})`;
    case "published":
      return `${notHeld} AND ${status} NOT IN (${DRAFT}, ${ARCHIVED}) AND p."archivedAt" IS NULL`;
  }
}

/**
 * Products with search (title, handle, SKU, GTIN), filters and pages. Indexed for large catalogs.
 * Raw SQL: a publication filter reads the product's status, a field value Prisma has no relation to.
 */
export async function listProducts(db: ShopDb, options: { search?: string; filter?: ProductFilter; page?: number } = {}): Promise<ProductList> {
  const params = new SqlParams();
  const conditions = [`p."shop" = ${params.add(db.shopDomain)}`];
  const filter = options.filter ?? "all";
  if (filter === "missing") conditions.push(`p."completeness" < 100`);
  else if (filter !== "all") conditions.push(publicationSql(filter));
  const search = searchTerms(options.search);
  if (search) conditions.push(productSearchSql(search, db.shopDomain, params));
  const where = conditions.map((c) => `(${c})`).join(" AND ");

  const [{ total }] = await queryRows<{ total: number }>(db, `SELECT CAST(COUNT(*) AS INTEGER) AS "total" FROM "Product" p WHERE ${where}`, ...params.values);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const limit = params.add(PAGE_SIZE);
  const offset = params.add((page - 1) * PAGE_SIZE);
  const rows = await queryRows<{ id: string; handle: string; title: string; vendor: string; archived: SqlFlag; completeness: number; passportHeld: SqlFlag; status: string | null; variants: number }>(
    db,
    `SELECT p."id", p."handle", p."title", p."vendor", p."archivedAt" IS NOT NULL AS "archived", p."completeness", p."passportHeld", ${STATUS_SQL} AS "status",
       (SELECT CAST(COUNT(*) AS INTEGER) FROM "Variant" v WHERE v."shop" = p."shop" AND v."productId" = p."id") AS "variants"
     FROM "Product" p WHERE ${where} ORDER BY p."title" ASC, p."id" ASC LIMIT ${limit} OFFSET ${offset}`,
    ...params.values,
  );
  return {
    items: rows.map((r) => {
      const archived = isSet(r.archived);
      const held = isSet(r.passportHeld);
      const status = r.status === null ? undefined : (JSON.parse(r.status) as ProductStatus);
      return {
        id: r.id,
        handle: r.handle,
        title: r.title || r.handle,
        vendor: r.vendor,
        variants: r.variants,
        archived,
        completeness: r.completeness,
        held,
        publication: passportPublication({ passportHeld: held, archivedInSource: archived, values: { status } }),
      };
    }),
    total,
    page,
    pages,
  };
}

/** What a product search looks for: the text as a literal LIKE pattern (`%`, `_` and `\` escaped), and the GTIN it is, if it is one. */
interface SearchTerms {
  pattern: string;
  gtin: string | null;
}

function searchTerms(text: string | undefined): SearchTerms | null {
  const search = text?.trim();
  if (!search) return null;
  const gtin = normalizeGtin(search);
  return { pattern: search.replace(/[\\%_]/g, "\\$&"), gtin: gtin.ok ? gtin.gtin : null };
}

/**
 * The where-clause of a product search: title or handle containing the text, or a variant whose
 * SKU starts with it or whose barcode is the searched GTIN (any length). The text is literal (`%`,
 * `_` and `\` match themselves) and letters match in any case, accented ones too, on both
 * databases: on PostgreSQL by ILIKE, on SQLite by the LIKE its connection is given (db/sqlite-like.ts).
 * (The product list runs the same search in SQL, productSearchSql.)
 */
export async function productSearch(db: ShopDb, text: string | undefined) {
  const search = searchTerms(text);
  if (!search) return {};
  const { pattern, gtin } = search;
  const insensitive = isPostgres() ? ({ mode: "insensitive" } as const) : {};
  return {
    OR: [
      { title: { contains: pattern, ...insensitive } },
      { handle: { contains: pattern, ...insensitive } },
      // A subquery on the variants, however many match (not a list of their products' ids). It
      // names the shop, which the client adds to the outer query only, so that it reads the shop's
      // rows of the (shop, sku) and (shop, gtin) indexes.
      { variants: { some: { shop: db.shopDomain, OR: [{ sku: { startsWith: pattern, ...insensitive } }, ...(gtin ? [{ gtin }] : [])] } } },
    ],
  };
}

/** productSearch as a SQL condition on a product aliased `p`: the same LIKE (ILIKE) and variant subquery Prisma writes for it. */
function productSearchSql({ pattern, gtin }: SearchTerms, shop: string, params: SqlParams): string {
  const like = isPostgres() ? "ILIKE" : "LIKE";
  // Parameters are added in the order the condition reads them (SQLite takes `?` in order).
  const title = `p."title" ${like} ${params.add(`%${pattern}%`)}`;
  const handle = `p."handle" ${like} ${params.add(`%${pattern}%`)}`;
  const variantShop = params.add(shop);
  const sku = `v."sku" ${like} ${params.add(`${pattern}%`)}`;
  const barcode = gtin ? ` OR v."gtin" = ${params.add(gtin)}` : "";
  return `${title} OR ${handle} OR p."id" IN (SELECT v."productId" FROM "Variant" v WHERE v."shop" = ${variantShop} AND (${sku}${barcode}))`;
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
  variants: (EntityView & {
    /** How the page names the variant to assistive technology and in lists ("Size M, Colour Blue"). */
    name: string;
    sku: string | null;
    gtin: string | null;
    passport: { publicId: string; version: number; completeness: number } | null;
  })[];
  /** The integrations that own fields shown on the page, each once (the page explains ownership once per owner). */
  owners: { id: string; label: string }[];
  /** What the passports miss, from their current versions (what their completeness was scored on). */
  missing: MissingPassportData;
}

/**
 * A variant's name: its option values with their names ("Size M, Colour Blue"), else "variant"
 * and its title, so that a label naming it reads as a variant ("History of SKU, variant Default").
 */
export function variantName(options: unknown, title: string): string {
  const pairs = Array.isArray(options) ? (options as { name?: unknown; value?: unknown }[]).filter((o) => typeof o?.value === "string" && o.value !== "") : [];
  if (pairs.length) return pairs.map((o) => (typeof o.name === "string" && o.name ? `${o.name} ${String(o.value)}` : String(o.value))).join(", ");
  return `variant ${title}`;
}

function sourceLabel(value: { sourceId: string | null; editedBy: string | null }, labels: Map<string, string>, manualLabel: string | undefined): string {
  if (!value.sourceId) return manualLabel !== undefined ? shownSource(manualLabel) : manualEditLabel(value.editedBy);
  return labels.get(value.sourceId) ?? "Removed integration";
}

interface CurrentValue {
  entityId: string;
  field: string;
  locale: string;
  sourceId: string | null;
  updatedAt: Date;
  createdAt: Date | null;
  createdSource: string | null;
}

/**
 * The labels the last writes of values edited by hand were recorded with ("Manual edit by Jane
 * Doe"), by value (storedValueKey): editedBy keeps only the editor's id. A value written once
 * carries its label; a value changed since has it on the history row of that change. Values whose
 * row is not found (none expected) are left out: their editor's id labels them.
 */
async function manualEditLabels(db: ShopDb, values: readonly CurrentValue[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const changed: CurrentValue[] = [];
  for (const v of values) {
    if (v.sourceId !== null) continue;
    if (v.createdAt !== null && v.createdSource !== null && v.createdAt.getTime() === v.updatedAt.getTime()) labels.set(storedValueKey(v), v.createdSource);
    else changed.push(v);
  }
  if (changed.length === 0) return labels;
  const rows = await db.fieldChange.findMany({
    where: { entityId: { in: [...new Set(changed.map((v) => v.entityId))] }, sourceId: null, changedAt: { in: [...new Set(changed.map((v) => v.updatedAt.getTime()))].map((t) => new Date(t)) } },
    orderBy: [{ changedAt: "asc" }, { id: "asc" }],
    select: { entityId: true, field: true, locale: true, source: true, changedAt: true },
  });
  const lastWrite = new Map(changed.map((v) => [storedValueKey(v), v.updatedAt.getTime()]));
  for (const row of rows) {
    if (lastWrite.get(storedValueKey(row)) === row.changedAt.getTime()) labels.set(storedValueKey(row), row.source);
  }
  return labels;
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
  const manualLabels = await manualEditLabels(db, values);
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
            source: sourceLabel(v, labels, manualLabels.get(storedValueKey(v))),
            sourceId: v.sourceId,
            editedBy: v.editedBy,
            updatedAt: v.updatedAt.toISOString(),
          })),
        writer: writerId ? { id: writerId, label: labels.get(writerId) ?? "an integration" } : null,
      };
    });

  const passportByVariant = new Map(passports.map((p) => [p.variantId, p]));
  // Each passport's current content, scored again: its unmet rules are what its score misses.
  const currentVersions = passports.length
    ? await db.passportVersion.findMany({ where: { OR: passports.map((p) => ({ passportId: p.id, version: p.currentVersion })) }, select: { passportId: true, content: true } })
    : [];
  const missingByPassport = new Map(currentVersions.map((v) => [v.passportId, passportCompleteness(JSON.parse(v.content) as PassportContent).missing]));
  const fields = view(product, "product");
  const variantViews = variants.map((v) => {
    const passport = passportByVariant.get(v.id);
    const title = v.title || v.sku || "Default";
    const options = values.find((fv) => fv.entityId === v.id && fv.field === "options" && fv.locale === "");
    return {
      id: v.id,
      title,
      name: variantName(options ? JSON.parse(options.value) : null, title),
      archived: v.archivedAt !== null,
      sku: v.sku,
      gtin: v.gtin,
      fields: view(v, "variant"),
      passport: passport ? { publicId: passport.publicId, version: passport.currentVersion, completeness: passport.completeness } : null,
    };
  });
  const writers = [...fields, ...variantViews.flatMap((v) => v.fields)].flatMap((f) => (f.writer ? [f.writer] : []));
  return {
    id: product.id,
    handle: product.handle,
    title: product.title || product.handle,
    archived: product.archivedAt !== null,
    held: product.passportHeld,
    draft: values.some((v) => v.entityId === product.id && v.field === "status" && v.value === JSON.stringify("draft")),
    primaryLocale: settings.primaryLocale,
    fields,
    variants: variantViews,
    owners: [...new Map(writers.map((w) => [w.id, w])).values()],
    missing: missingPassportData(
      variantViews.flatMap((v) => {
        const passport = passportByVariant.get(v.id);
        const missing = passport && missingByPassport.get(passport.id);
        return missing ? [{ variantId: v.id, name: v.name, missing }] : [];
      }),
    ),
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
 * changes come from X"); otherwise validated, stored with its editor (their id on the value, a
 * label naming them in the history: manualEditSource), recorded in the history, and the affected
 * passports get a new version. Returns the change made (null when the value was already so, or
 * was cleared), for what follows a change (the write-back).
 */
export async function editField(db: ShopDb, edit: FieldEdit, editor: string | Editor | (() => Promise<Editor>)): Promise<FieldWrite | null> {
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
  // Asked for only now, for an edit that will be saved: naming the editor may cost a call to Shopify.
  const by = manualEditSource(typeof editor === "function" ? await editor() : editor);
  const now = new Date();
  return db.$transaction(async (tx): Promise<FieldWrite | null> => {
    await writeFieldValues(tx, [write], {
      shop: tx.shopDomain,
      sourceId: null,
      // editedBy keeps who it was (a stable id); the label names them where a merchant would know them.
      ...by,
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
      source: shownSource(r.source),
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

