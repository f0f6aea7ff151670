// The merge: records from one integration + its role + field ownership + the current catalog slice
// → the change set that brings the catalog up to date. No I/O: the rules of GUIDE §2 live here and
// are unit-tested as a table (merge.test.ts). apply.server.ts writes the change set.
import { sha256 } from "../crypto/sha256";
import {
  canonicalJson,
  FIELD_KEYS,
  fieldDef,
  isFieldKey,
  parseFieldValue,
  type FieldDef,
  type FieldKey,
  type FieldValues,
  type ParseResult,
} from "../catalog/fields";
import { effectiveWriter, type EntityProvenance, type IntegrationRole, type OwnershipMap } from "../ownership/ownership";
import type { RecordRef, SourceRecord, SourceVariant } from "./records";

export type EntityType = "product" | "variant";
export type MatchBy = "sku" | "barcode";

export interface MergeIntegration {
  id: string;
  role: IntegrationRole;
  /** Identifier a secondary matches variants by (a primary uses it to adopt unlinked variants). */
  matchBy: MatchBy;
  /** Secondary only: records that match nothing create products instead of being reported. */
  createUnmatched: boolean;
}

export interface MergeContext {
  integration: MergeIntegration;
  /** The shop's primary integration (for the ownership rule on products only another system has). */
  primaryId: string | null;
  ownership: OwnershipMap;
  newId: () => string;
  /** The records' values went through parseFieldValue already (SourceBatch.valuesChecked). */
  valuesChecked?: boolean;
}

/** A stored value: canonical JSON, and the integration that wrote it (null: a manual edit). */
export interface StoredValue {
  value: string;
  sourceId: string | null;
}

export interface CatalogEntity extends EntityProvenance {
  id: string;
  archived: boolean;
  /** Values by `valueKey(field, locale)`. */
  values: ReadonlyMap<string, StoredValue>;
}

/**
 * What an entity has until its values and links are loaded (or when it is new): one shared empty
 * map and set. A full sync holds every entity of the catalog, most of them unchanged and never
 * looked at in detail; a map and a set of their own were 100,000 collections to allocate and
 * collect for 50,000 variants.
 */
export const NO_VALUES: ReadonlyMap<string, StoredValue> = Object.freeze(new (class extends Map<string, StoredValue> {
  // Shared by every such entity: a write into it (through a cast) would give every one of them the value.
  override set(): this {
    throw new TypeError("NO_VALUES is shared and stays empty: give the entity a map of its own");
  }
})());
export const NO_LINKS: ReadonlySet<string> = Object.freeze(new (class extends Set<string> {
  override add(): this {
    throw new TypeError("NO_LINKS is shared and stays empty: give the entity a set of its own");
  }
})());

export interface CatalogProduct extends CatalogEntity {
  handle: string;
}
export interface CatalogVariant extends CatalogEntity {
  productId: string;
  position: number;
  /** The SKU and GTIN-14 its structural source gave it, whoever owns those fields (for matching). */
  sourceSku: string | null;
  sourceGtin: string | null;
}
export interface LinkState {
  entityId: string;
  hash: string | null;
  sourceUpdatedAt: Date | null;
}

/** The part of the catalog a batch of records can touch, loaded by the caller. */
export interface CatalogSlice {
  products: Map<string, CatalogProduct>;
  variants: Map<string, CatalogVariant>;
  /** This integration's links, by external id (all of them for a full run). */
  productLinks: Map<string, LinkState>;
  variantLinks: Map<string, LinkState>;
  /**
   * Variant ids by identifier value (SKU, or GTIN-14 for barcodes) per the integration's matchBy:
   * the variant's own value where it has one, else the one its structural source gave it.
   */
  variantsByIdentifier: Map<string, string[]>;
  /** Variant ids per product, for the products in the slice. */
  variantIdsByProduct: Map<string, string[]>;
  /** Every product handle in the shop. */
  takenHandles: Set<string>;
}

export interface FieldWrite {
  entityType: EntityType;
  entityId: string;
  field: FieldKey;
  locale: string;
  oldValue: string | null;
  /** null: the field's owner cleared the value (the stored value is deleted). */
  newValue: string | null;
  ref?: RecordRef;
}

export interface RecordError {
  externalId: string;
  ref?: RecordRef;
  message: string;
}

export interface RunCounts {
  /** Variants (one passport each) created, updated, unchanged, archived; records unmatched or failed. */
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
  unmatched: number;
  failed: number;
  /** Field values not written because another integration owns the field (or nobody does). */
  skipped: number;
}

export interface ProductCounts {
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
}

/** What a run reports: counts, records that failed, records that matched nothing. */
export interface RunReport {
  counts: RunCounts;
  products: ProductCounts;
  skippedByField: Partial<Record<FieldKey, number>>;
  errors: RecordError[];
  unmatched: { externalId: string; ref?: RecordRef; identifier: string | null }[];
}

type VariantMove = ChangeSet["variantMoves"][number];

/** The variants a primary record lists for its product, as primaryVariant finds them. */
interface ListedVariants {
  ids: Set<string>;
  /** Whether it adds a variant to the catalog. */
  created: boolean;
  /** The positions the product's listed variants have now, in the record's order. */
  positionsBefore: number[];
  /** Variants it brings from another product or lists at another position. */
  moves: VariantMove[];
}

/**
 * The moves of a record's variants that change something. Positions only order a product's
 * variants, so a record listing the product's variants in the order they have keeps their numbers:
 * an export that left archived variants out, or a source that numbers again after a deletion,
 * would otherwise move every variant after the gap (and the archived one would share a number).
 */
function movesThatReorder(listed: ListedVariants, productId: string): VariantMove[] {
  const regroups = listed.moves.some((m) => m.fromProductId !== productId);
  const sameOrder = listed.positionsBefore.every((p, i) => i === 0 || p > listed.positionsBefore[i - 1]);
  return listed.created || regroups || !sameOrder ? listed.moves : [];
}

/** The changes that bring the catalog up to date with (a batch of) records, and their report. */
export interface ChangeSet extends RunReport {
  newProducts: { id: string; handle: string; originId: string }[];
  newVariants: { id: string; productId: string; position: number; originId: string }[];
  /** Existing variants regrouped under another product, or moved in position. */
  variantMoves: { id: string; fromProductId: string; productId: string; position: number }[];
  archive: { entityType: EntityType; id: string }[];
  unarchive: { entityType: EntityType; id: string }[];
  writes: FieldWrite[];
  links: { entityType: EntityType; externalId: string; entityId: string; hash: string | null; sourceUpdatedAt: Date | null; isNew: boolean }[];
  /** This integration's links to records its source deleted (a secondary's: see finishRun). */
  unlinks: { entityType: EntityType; externalId: string }[];
  /** A structural source's identifiers of its variants (new ones, and existing ones where they changed). */
  sourceIdentifiers: { variantId: string; sku: string | null; gtin: string | null }[];
}

/** State carried across the batches of one run. */
export interface RunState {
  scope: "full" | "partial";
  seenProducts: Set<string>;
  seenVariants: Set<string>;
  /** Our product / variant ids a record of this run resolved to (the rest of the catalog it did not cover). */
  claimedProducts: Set<string>;
  claimedVariants: Set<string>;
  /** Secondary: product values records of this run gave, to catch records that disagree. */
  productWrites: Map<string, { value: string; externalId: string }>;
  /** Secondary: products a record of this run changed (each product is counted once per run). */
  changedProducts: Set<string>;
  /** Primary: variants a record no longer lists (archived at the end unless seen elsewhere). */
  droppedVariants: Set<string>;
}

export function newRunState(scope: "full" | "partial"): RunState {
  return {
    scope,
    seenProducts: new Set(),
    seenVariants: new Set(),
    claimedProducts: new Set(),
    claimedVariants: new Set(),
    productWrites: new Map(),
    changedProducts: new Set(),
    droppedVariants: new Set(),
  };
}

export function emptyReport(): RunReport {
  return {
    counts: { created: 0, updated: 0, unchanged: 0, archived: 0, unmatched: 0, failed: 0, skipped: 0 },
    products: { created: 0, updated: 0, unchanged: 0, archived: 0 },
    skippedByField: {},
    errors: [],
    unmatched: [],
  };
}

export function emptyChangeSet(): ChangeSet {
  return { ...emptyReport(), newProducts: [], newVariants: [], variantMoves: [], archive: [], unarchive: [], writes: [], links: [], unlinks: [], sourceIdentifiers: [] };
}

/** Adds the report of one batch to the report of its run. */
export function addToReport(total: RunReport, part: RunReport): void {
  for (const key of Object.keys(part.counts) as (keyof RunCounts)[]) total.counts[key] += part.counts[key];
  for (const key of Object.keys(part.products) as (keyof ProductCounts)[]) total.products[key] += part.products[key];
  for (const [field, n] of Object.entries(part.skippedByField) as [FieldKey, number][]) total.skippedByField[field] = (total.skippedByField[field] ?? 0) + n;
  for (const error of part.errors) total.errors.push(error);
  for (const record of part.unmatched) total.unmatched.push(record);
}

export const valueKey = (field: string, locale: string) => `${field}|${locale}`;

/** The stored form of a field value: one canonical JSON string per locale ("" when not localized). */
export function encodeFieldValue(field: FieldKey, value: unknown): [locale: string, json: string][] {
  if (fieldDef(field).kind === "localizedText") {
    return Object.entries(value as Record<string, string>).map(([locale, text]) => [locale, canonicalJson(text)]);
  }
  return [["", canonicalJson(value)]];
}

/** Records' hashes: the catalog slice's loader asks for one to decide what to load, then the merge. */
const recordHashes = new WeakMap<SourceRecord, string>();

/**
 * Hash of everything a record says, to skip records unchanged since the last run (records are not
 * changed once read). Stored in links and compared with them: the text hashed must never change
 * (merge-hash.test.ts pins it), or every record would look changed on the next run.
 */
export function recordHash(record: SourceRecord): string {
  let hash = recordHashes.get(record);
  if (hash === undefined) {
    // Empty fields count only where there are any: hashes of records without them stay as they were.
    const body = canonicalJson({
      h: record.handle ?? null,
      f: record.fields,
      ...(record.emptyFields?.length ? { e: record.emptyFields } : {}),
      // (A variant removed among those a record could not list changes only this list.)
      ...(record.allVariantIds ? { a: record.allVariantIds } : {}),
      v: record.variants.map((v) => (v.emptyFields?.length ? [v.externalId, v.position ?? null, v.fields, v.emptyFields] : [v.externalId, v.position ?? null, v.fields])),
    });
    hash = sha256(body, "base64url");
    recordHashes.set(record, hash);
  }
  return hash;
}

/** Identifier of a record variant for matching, normalized as the catalog stores it. */
export function identifierOf(fields: FieldValues, matchBy: MatchBy): string | null {
  return identifierOfValue(fields[matchBy], matchBy, parseFieldValue);
}

/** identifierOf of the SKU or barcode value itself (`parse`: parseFieldValue, or one that remembers its last result). */
function identifierOfValue(raw: unknown, matchBy: MatchBy, parse: (field: "barcode", raw: string) => ParseResult<string>): string | null {
  if (typeof raw !== "string" || raw.trim() === "") return null;
  if (matchBy === "sku") return raw.trim();
  const parsed = parse("barcode", raw);
  return parsed.ok ? parsed.value : null;
}

/** The value of a field the source has and that is empty there (see planFields). */
const EMPTY: unique symbol = Symbol("empty");

/** A record's fields, each named once, in order, and their values (EMPTY for the source's empty fields). */
interface NamedFields {
  keys: FieldKey[];
  values: unknown[];
}

/** The value a record gives a field (undefined: none). */
function namedValue(fields: NamedFields, key: FieldKey): unknown {
  const i = fields.keys.indexOf(key);
  return i < 0 ? undefined : fields.values[i];
}

type Checked = { ok: true; fields: NamedFields } | { ok: false; error: string };

/**
 * Checks that a record only names known fields at their level. Values are checked later, and only
 * where this integration may write them: a value another integration owns is not ours to judge.
 * Empty fields join the values as EMPTY (a field with a value is not also empty).
 */
function checkFieldNames(fields: FieldValues, level: "product" | "variant", emptyFields: readonly FieldKey[] = []): Checked {
  const out: NamedFields = { keys: [], values: [] };
  const given = fields as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(given)) {
    const raw = given[key];
    if (raw === undefined) continue;
    const error = fieldNameError(key, level);
    if (error !== null) return { ok: false, error };
    out.keys.push(key as FieldKey);
    out.values.push(raw);
  }
  for (const key of emptyFields) {
    if (given[key] !== undefined) continue;
    const error = fieldNameError(key, level);
    if (error !== null) return { ok: false, error };
    if (out.keys.includes(key)) continue; // named twice
    out.keys.push(key);
    out.values.push(EMPTY);
  }
  return { ok: true, fields: out };
}

/** Why a record cannot name this field at its level (null: it can). */
function fieldNameError(key: string, level: "product" | "variant"): string | null {
  if (!isFieldKey(key)) return `unknown field "${key}"`;
  const def = fieldDef(key);
  const allowed = def.level === level || (level === "variant" && def.variantOverride === true);
  return allowed ? null : `${def.label} is a ${def.level} field and cannot be set on a ${level}`;
}

/** What a record would change on one entity: writes, and values skipped by ownership. */
type FieldPlan = { ok: true; entity: CatalogEntity; writes: FieldWrite[]; skipped: FieldKey[] } | { ok: false; error: string };

/** Fields a product cannot be created without (its title). A record that updates a product may leave them out. */
const REQUIRED_TO_CREATE: readonly FieldKey[] = FIELD_KEYS.filter((key) => fieldDef(key).requiredToCreate);

function isFilled(field: FieldDef, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  // A text in any language will do: a product with a translation only is listed under it.
  if (field.kind === "localizedText") return Object.values(value as Record<string, unknown>).some((text) => typeof text === "string" && text.trim() !== "");
  return typeof value !== "string" || value.trim() !== "";
}

/** A field a new product needs that the record leaves empty (the product it describes cannot be created). */
function missingToCreate(record: SourceRecord): FieldDef | undefined {
  const missing = REQUIRED_TO_CREATE.find((key) => !isFilled(fieldDef(key), record.fields[key]));
  return missing && fieldDef(missing);
}

/** A handle slugify gives back as it is (most handles a source sends). */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function slugify(text: string): string {
  if (text.length <= 80 && SLUG.test(text)) return text;
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return slug || "product";
}

function uniqueHandle(base: string, taken: Set<string>): string {
  const slug = slugify(base);
  let handle = slug;
  for (let n = 2; taken.has(handle); n++) handle = `${slug}-${n}`;
  taken.add(handle);
  return handle;
}

/**
 * Merges one batch of records into a change set. Call `finishRun` once after the last batch.
 * `state` carries what spans batches; `out` accumulates (pass the same one for every batch).
 */
export function mergeRecords(
  records: Iterable<SourceRecord>,
  ctx: MergeContext,
  slice: CatalogSlice,
  state: RunState,
  out: ChangeSet = emptyChangeSet(),
): ChangeSet {
  const merger = new Merger(ctx, slice, state, out);
  for (const record of records) {
    if (ctx.integration.role === "primary") merger.primaryRecord(record);
    else merger.secondaryRecord(record);
  }
  return out;
}

/**
 * End of a run: a primary archives variants its records dropped; a full run also archives what
 * it did not see. Deleted ids (a source's delete events) are archived in any run of the product's
 * structural source (see below). Never deletes catalog data.
 */
export function finishRun(ctx: MergeContext, slice: CatalogSlice, state: RunState, out: ChangeSet, deletedExternalIds: string[] = []): ChangeSet {
  const archivedNow = new Set(out.archive.map((a) => a.id));
  const archiveVariant = (id: string) => {
    const v = slice.variants.get(id);
    if (!v || v.archived || archivedNow.has(id) || state.claimedVariants.has(id)) return;
    archivedNow.add(id);
    out.archive.push({ entityType: "variant", id });
    out.counts.archived++;
  };
  const archiveProduct = (id: string) => {
    const p = slice.products.get(id);
    if (!p || state.claimedProducts.has(id)) return;
    if (!p.archived && !archivedNow.has(id)) {
      archivedNow.add(id);
      out.archive.push({ entityType: "product", id });
      out.products.archived++;
    }
    for (const vid of slice.variantIdsByProduct.get(id) ?? []) {
      if (slice.variants.get(vid)?.linkedIntegrationIds.has(ctx.integration.id)) archiveVariant(vid);
    }
  };

  for (const vid of state.droppedVariants) archiveVariant(vid);
  for (const externalId of deletedExternalIds) {
    const link = slice.productLinks.get(externalId);
    if (!link || state.seenProducts.has(externalId)) continue;
    if (isStructuralSource(ctx, slice.products.get(link.entityId))) archiveProduct(link.entityId);
    else unlinkDeleted(slice, state, out, externalId, link.entityId);
  }
  // Only a full run of the structural source can tell that something vanished.
  if (state.scope === "full" && ctx.integration.role === "primary") {
    for (const [externalId, link] of slice.productLinks) if (!state.seenProducts.has(externalId)) archiveProduct(link.entityId);
    for (const [externalId, link] of slice.variantLinks) if (!state.seenVariants.has(externalId)) archiveVariant(link.entityId);
  }
  return out;
}

/**
 * Whether an integration decides that a product exists: the primary does (GUIDE §2), and so does a
 * secondary for a product it created itself (create-unmatched) that the primary has never linked.
 */
function isStructuralSource(ctx: MergeContext, product: CatalogProduct | undefined): boolean {
  if (!product || ctx.integration.role === "primary") return true;
  return product.originId === ctx.integration.id && !(ctx.primaryId !== null && product.linkedIntegrationIds.has(ctx.primaryId));
}

/**
 * A secondary's record was deleted in its source (a Shopify product, Shopify being secondary): the
 * primary's product and variants stay as they are, since only the primary defines structure. Only
 * this integration's links to them go: the ids are dead, and write-back must not address them. A
 * variant of the product that another of its records still has is linked again when that record
 * next syncs (a secondary matches afresh every time).
 */
function unlinkDeleted(slice: CatalogSlice, state: RunState, out: ChangeSet, externalId: string, productId: string): void {
  out.unlinks.push({ entityType: "product", externalId });
  const variantIds = new Set(slice.variantIdsByProduct.get(productId) ?? []);
  for (const [variantExternalId, link] of slice.variantLinks) {
    if (variantIds.has(link.entityId) && !state.seenVariants.has(variantExternalId) && !state.claimedVariants.has(link.entityId)) {
      out.unlinks.push({ entityType: "variant", externalId: variantExternalId });
    }
  }
}

/** A record's value of a field in the stored form (one per locale), under its valueKey. */
interface GivenValue {
  field: FieldKey;
  key: string;
  json: string;
}

/** The values a secondary's record gives its products, as stored (empty fields left out: a clear plans against the values kept in the slice). */
function givenValues(fields: NamedFields): GivenValue[] {
  const given: GivenValue[] = [];
  for (let i = 0; i < fields.keys.length; i++) {
    const field = fields.keys[i];
    const value = fields.values[i];
    if (value === EMPTY) continue;
    for (const [locale, json] of encodeFieldValue(field, value)) given.push({ field, key: valueKey(field, locale), json });
  }
  return given;
}

/** Whether a valid value differs from what is stored (in any of its locales). */
function differsFromStored(field: FieldKey, localized: boolean, value: unknown, stored: (field: FieldKey, locale: string) => StoredValue | undefined): boolean {
  if (!localized) return stored(field, "")?.value !== canonicalJson(value);
  const texts = value as Record<string, string>;
  return Object.keys(texts).some((locale) => stored(field, locale)?.value !== canonicalJson(texts[locale]));
}

/** Writes that clear every stored locale of a field of an entity (none when nothing is stored). */
function clearsOf(entityType: EntityType, entity: CatalogEntity, field: FieldKey, ref: RecordRef | undefined): FieldWrite[] {
  const prefix = valueKey(field, "");
  const clears: FieldWrite[] = [];
  for (const [key, stored] of entity.values) {
    if (key.startsWith(prefix)) clears.push({ entityType, entityId: entity.id, field, locale: key.slice(prefix.length), oldValue: stored.value, newValue: null, ref });
  }
  return clears;
}

/**
 * A link whose hash is its record's, computed when the hash is first read: a run's apply reads
 * every link's, while a preview writes no link and never reads one, which spares it a canonical
 * JSON and a sha256 of every record it creates or changes. Readers see a plain property.
 */
function linkHashing(record: SourceRecord, entityType: EntityType, externalId: string, entityId: string, sourceUpdatedAt: Date | null, isNew: boolean): ChangeSet["links"][number] {
  let source: SourceRecord | null = record;
  let hash: string | null = null;
  return {
    entityType,
    externalId,
    entityId,
    get hash(): string | null {
      if (source !== null) {
        hash = recordHash(source);
        source = null;
      }
      return hash;
    },
    set hash(value: string | null) {
      source = null;
      hash = value;
    },
    sourceUpdatedAt,
    isNew,
  };
}

class Merger {
  /** What a product or variant this merge creates is linked to: this integration (one set for all of them, never written). */
  private readonly ownLinks: ReadonlySet<string>;
  /**
   * The integrations the ownership rules take as connected (effectiveWriter): this one, which runs
   * (a disconnected integration does not sync). The merge only asks whether this integration
   * writes a field, so the others' status changes nothing here: where another integration writes
   * a field, or nobody does (its creator was disconnected), this one skips it all the same.
   */
  private readonly running: ReadonlySet<string>;
  /** The last value parsed per field and what it gave: a value several steps look at is checked once (a barcode: matched, planned, noted). */
  private readonly lastParsed = new Map<FieldKey, { raw: unknown; result: ParseResult<unknown> }>();
  private readonly parseBarcode = (field: "barcode", raw: string) => this.parse(field, raw) as ParseResult<string>;

  constructor(
    private readonly ctx: MergeContext,
    private readonly slice: CatalogSlice,
    private readonly state: RunState,
    private readonly out: ChangeSet,
  ) {
    this.ownLinks = new Set([ctx.integration.id]);
    this.running = this.ownLinks;
  }

  private get integrationId() {
    return this.ctx.integration.id;
  }

  /** parseFieldValue, once for the same value given again (records are not changed once read, and parsing has no side effects). */
  private parse(field: FieldKey, raw: unknown): ParseResult<unknown> {
    if (this.ctx.valuesChecked) return { ok: true, value: raw };
    const last = this.lastParsed.get(field);
    if (last !== undefined && last.raw === raw) return last.result;
    const result = parseFieldValue(field, raw);
    if (last !== undefined) {
      last.raw = raw;
      last.result = result;
    } else this.lastParsed.set(field, { raw, result });
    return result;
  }

  /** The catalog variants linked to these external ids of the integration's. */
  private linkedVariantIds(externalIds: readonly string[]): Set<string> {
    const ids = new Set<string>();
    for (const externalId of externalIds) {
      const link = this.slice.variantLinks.get(externalId);
      if (link) ids.add(link.entityId);
    }
    return ids;
  }

  /** identifierOf, through this merge's parse. */
  private identifierOf(raw: unknown, matchBy: MatchBy): string | null {
    return identifierOfValue(raw, matchBy, this.parseBarcode);
  }

  primaryRecord(record: SourceRecord): void {
    const { slice, state, out } = this;
    state.seenProducts.add(record.externalId);
    for (const v of record.variants) state.seenVariants.add(v.externalId);

    const link = slice.productLinks.get(record.externalId);
    const linked = link ? slice.products.get(link.entityId) : undefined;
    if (link?.sourceUpdatedAt && record.updatedAt && record.updatedAt < link.sourceUpdatedAt) {
      // An older copy of the record (out-of-order delivery): newer data is already in.
      this.keepAsIs(linked, record);
      return;
    }
    // The hash only where there is one to compare with: a record without one is looked at anyway.
    if (link && linked && link.hash !== null && !linked.archived && link.hash === recordHash(record)) {
      this.keepAsIs(linked, record);
      return;
    }

    const productFields = checkFieldNames(record.fields, "product", record.emptyFields);
    const { product, created } = this.resolvePrimaryProduct(record, linked);
    const missing = created ? missingToCreate(record) : undefined;
    if (missing) {
      slice.takenHandles.delete(product.handle); // not created: its handle stays free
      this.failCreation(record, missing, record.variants.length, `The product "${record.handle ?? record.externalId}" is new, so it needs a ${missing.label}: add one, or remove its rows.`);
      return;
    }
    const plan = productFields.ok ? this.planFields("product", product, productFields.fields, record.ref) : productFields;
    if (!plan.ok) {
      this.fail(record.externalId, record.ref, plan.error, record.variants.length);
      if (linked) this.keepVariantsClaimed(record);
      return;
    }
    state.claimedProducts.add(product.id);
    if (created) this.commitProduct(product);
    this.commitPlan(plan);
    const productChanged = plan.writes.length > 0 || created;
    if (!created && product.archived) out.unarchive.push({ entityType: "product", id: product.id });
    const productUpdated = !created && (productChanged || product.archived);

    let allVariantsOk = true;
    const listed: ListedVariants = { ids: new Set(), created: false, positionsBefore: [], moves: [] };
    record.variants.forEach((sv, index) => {
      const ok = this.primaryVariant(sv, index, product, productUpdated || created, listed);
      allVariantsOk &&= ok;
    });
    out.variantMoves.push(...movesThatReorder(listed, product.id));
    const stillInSource = record.allVariantIds && this.linkedVariantIds(record.allVariantIds);
    for (const vid of slice.variantIdsByProduct.get(product.id) ?? []) {
      const v = slice.variants.get(vid);
      if (v && !listed.ids.has(vid) && !stillInSource?.has(vid) && v.linkedIntegrationIds.has(this.integrationId)) state.droppedVariants.add(vid);
    }

    if (created) out.products.created++;
    else if (productUpdated) out.products.updated++;
    else out.products.unchanged++;
    // A record with a failed variant is looked at again next run.
    this.link("product", record.externalId, product.id, allVariantsOk ? record : null, record.updatedAt ?? null);
  }

  private primaryVariant(sv: SourceVariant, index: number, product: CatalogProduct, productChanged: boolean, listed: ListedVariants): boolean {
    const { slice, state, out } = this;
    const fields = checkFieldNames(sv.fields, "variant", sv.emptyFields);
    const position = sv.position ?? index + 1;
    const link = slice.variantLinks.get(sv.externalId);
    let variant = link ? slice.variants.get(link.entityId) : undefined;
    if (!variant && fields.ok) variant = this.adoptByIdentifier(fields.fields);
    const created = !variant;
    variant ??= this.planVariant(product.id, position);
    const plan = fields.ok ? this.planFields("variant", variant, fields.fields, sv.ref) : fields;
    if (!created && variant.productId === product.id) listed.positionsBefore.push(variant.position);
    if (!plan.ok) {
      this.fail(sv.externalId, sv.ref, plan.error, 1);
      if (!created) {
        listed.ids.add(variant.id);
        state.claimedVariants.add(variant.id);
      }
      return false;
    }
    if (created) {
      this.commitVariant(variant);
      listed.created = true;
    } else {
      if (variant.productId !== product.id || variant.position !== position) {
        listed.moves.push({ id: variant.id, fromProductId: variant.productId, productId: product.id, position });
      }
      if (variant.archived) out.unarchive.push({ entityType: "variant", id: variant.id });
    }
    listed.ids.add(variant.id);
    state.claimedVariants.add(variant.id);
    this.commitPlan(plan);
    this.noteSourceIdentifiers(variant, sv.fields, sv.emptyFields);
    const regrouped = !created && variant.productId !== product.id;
    if (created) out.counts.created++;
    else if (plan.writes.length > 0 || productChanged || regrouped || variant.archived) out.counts.updated++;
    else out.counts.unchanged++;
    this.link("variant", sv.externalId, variant.id, null, null);
    return true;
  }

  /** The product a primary record describes: its link, else the product most of its variants are in, else a new one. */
  private resolvePrimaryProduct(record: SourceRecord, linked: CatalogProduct | undefined): { product: CatalogProduct; created: boolean } {
    const { slice, state } = this;
    let product = linked && !state.claimedProducts.has(linked.id) ? linked : undefined;
    if (!product) {
      const votes = new Map<string, number>();
      for (const sv of record.variants) {
        const vl = slice.variantLinks.get(sv.externalId);
        const v = vl ? slice.variants.get(vl.entityId) : this.findByIdentifier(sv.fields[this.ctx.integration.matchBy]);
        if (v && !state.claimedProducts.has(v.productId)) votes.set(v.productId, (votes.get(v.productId) ?? 0) + 1);
      }
      const best = [...votes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      const candidate = best ? slice.products.get(best[0]) : undefined;
      // A product this integration already links to another record of its own keeps that record.
      if (candidate && !candidate.linkedIntegrationIds.has(this.integrationId)) product = candidate;
    }
    if (product) return { product, created: false };
    const title = record.fields.title ? Object.values(record.fields.title)[0] : undefined;
    return { product: this.planProduct(record.handle ?? title ?? record.externalId), created: true };
  }

  /** The one variant the identifier (a record's SKU or barcode value, by matchBy) matches. */
  private findByIdentifier(raw: unknown): CatalogVariant | undefined {
    // Nothing to match (a catalog being created): not even a barcode to check.
    if (this.slice.variantsByIdentifier.size === 0) return undefined;
    const id = this.identifierOf(raw, this.ctx.integration.matchBy);
    const candidates = id ? this.variantsWithIdentifier(id) : [];
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /**
   * The variants an identifier matches. Live variants come first: an archived one is never deleted,
   * so a product deleted in the source and made again with the same SKU would otherwise match
   * twice for good. Archived variants match only when no live one does (to update or restore them).
   */
  private variantsWithIdentifier(identifier: string): CatalogVariant[] {
    const ids = this.slice.variantsByIdentifier.get(identifier);
    if (ids === undefined) return [];
    const all = ids.map((id) => this.slice.variants.get(id)).filter((v): v is CatalogVariant => v !== undefined);
    const live = all.filter((v) => !v.archived);
    return live.length > 0 ? live : all;
  }

  /** A primary takes over an existing variant with the same identifier that it has no link to yet. */
  private adoptByIdentifier(fields: NamedFields): CatalogVariant | undefined {
    const v = this.findByIdentifier(namedValue(fields, this.ctx.integration.matchBy));
    if (!v || v.linkedIntegrationIds.has(this.integrationId) || this.state.claimedVariants.has(v.id)) return undefined;
    return v;
  }

  secondaryRecord(record: SourceRecord): void {
    const { slice, state, out, ctx } = this;
    state.seenProducts.add(record.externalId);
    const productFields = checkFieldNames(record.fields, "product", record.emptyFields);
    if (!productFields.ok) {
      this.fail(record.externalId, record.ref, productFields.error, record.variants.length);
      return;
    }

    type Matched = { variant: CatalogVariant; changed: boolean };
    const matched: Matched[] = [];
    const unmatched: { sv: SourceVariant; fields: NamedFields; identifier: string | null }[] = [];
    for (const sv of record.variants) {
      state.seenVariants.add(sv.externalId);
      const fields = checkFieldNames(sv.fields, "variant", sv.emptyFields);
      if (!fields.ok) {
        this.fail(sv.externalId, sv.ref, fields.error, 1);
        continue;
      }
      const identifier = this.identifierOf(sv.fields[ctx.integration.matchBy], ctx.integration.matchBy);
      const byLink = slice.variantLinks.get(sv.externalId);
      const byLinkVariant = byLink ? slice.variants.get(byLink.entityId) : undefined;
      const candidates = identifier ? this.variantsWithIdentifier(identifier) : byLinkVariant ? [byLinkVariant] : [];
      if (candidates.length > 1) {
        const what = ctx.integration.matchBy === "sku" ? "SKU" : "barcode";
        this.fail(sv.externalId, sv.ref, `${what} ${identifier} matches ${candidates.length} variants in the catalog; make it unique to update them`, 1);
        continue;
      }
      const variant = candidates.length === 1 ? candidates[0] : undefined;
      if (!variant) {
        unmatched.push({ sv, fields: fields.fields, identifier });
        continue;
      }
      if (state.claimedVariants.has(variant.id)) {
        this.fail(sv.externalId, sv.ref, `another row of this import already updates the same variant (${identifier ?? sv.externalId})`, 1);
        continue;
      }
      const plan = this.planFields("variant", variant, fields.fields, sv.ref);
      if (!plan.ok) {
        this.fail(sv.externalId, sv.ref, plan.error, 1);
        continue;
      }
      state.claimedVariants.add(variant.id);
      this.commitPlan(plan);
      matched.push({ variant, changed: plan.writes.length > 0 });
      this.link("variant", sv.externalId, variant.id, null, null);
    }

    // Product-level values go to every product the record's variants belong to. Several records
    // may update one product (a supplier sheet with a row per colour): the first one's values are
    // planned and kept in the slice, so an equal value from the next one plans no second write;
    // a different value is reported.
    const productIds = new Set(matched.map((m) => m.variant.productId));
    let given: GivenValue[] | undefined; // the record's product values as stored, encoded once for all its products
    for (const productId of productIds) {
      const product = slice.products.get(productId);
      if (!product) continue;
      given ??= givenValues(productFields.fields);
      const conflict = this.conflictingProductWrite(product, given);
      const plan = conflict ? ({ ok: false, error: conflict } as const) : this.planFields("product", product, productFields.fields, record.ref);
      if (!plan.ok) {
        this.fail(record.externalId, record.ref, plan.error, 0);
        continue;
      }
      this.commitPlan(plan);
      this.rememberProductValues(product, given, record.externalId);
      this.countSecondaryProduct(productId, plan.writes.length > 0);
    }
    for (const m of matched) {
      if (m.changed || state.changedProducts.has(m.variant.productId)) out.counts.updated++;
      else out.counts.unchanged++;
    }
    if (matched.length > 0) this.link("product", record.externalId, matched[0].variant.productId, null, record.updatedAt ?? null);

    if (unmatched.length === 0) return;
    // The product the record is linked to takes its new variants only if this secondary created it
    // and the primary never linked it (isStructuralSource). A record whose rows matched a product of
    // the primary's before is linked to that product (above): it exists in another system, whose
    // structure only the primary defines (GUIDE §2), so a new row of it is reported unmatched. It
    // is not made a product of its own either: that would be a second copy of the primary's product.
    const productLink = slice.productLinks.get(record.externalId);
    const linked = productLink ? slice.products.get(productLink.entityId) : undefined;
    if (ctx.integration.createUnmatched && matched.length === 0 && (linked === undefined || isStructuralSource(ctx, linked))) {
      this.createFromSecondary(record, productFields.fields, unmatched, linked);
      return;
    }
    for (const u of unmatched) {
      out.counts.unmatched++;
      out.unmatched.push({ externalId: u.sv.externalId, ref: u.sv.ref, identifier: u.identifier });
    }
  }

  /**
   * A product that exists nowhere else, created by a secondary at the merchant's request (all of
   * it, or none), or new variants of one it created before (`existing`, which only it defines).
   */
  private createFromSecondary(
    record: SourceRecord,
    productFields: NamedFields,
    variants: { sv: SourceVariant; fields: NamedFields }[],
    existing: CatalogProduct | undefined,
  ): void {
    const { out } = this;
    const missing = existing ? undefined : missingToCreate(record);
    if (missing) {
      // The merchant may have meant the record to update a product: say why it is new.
      const what = this.ctx.integration.matchBy === "sku" ? "SKU" : "barcode";
      this.failCreation(
        record,
        missing,
        variants.length,
        `The product "${record.handle ?? record.externalId}" matches no variant in the catalog by ${what}, so it is new and needs a ${missing.label}: add one, correct its ${what}s, or remove its rows.`,
      );
      return;
    }
    const product = existing ?? this.planProduct(record.handle ?? record.externalId);
    const productPlan = this.planFields("product", product, productFields, record.ref);
    if (!productPlan.ok) {
      this.fail(record.externalId, record.ref, productPlan.error, variants.length);
      return;
    }
    const variantPlans = variants.map(({ sv, fields }, index) => {
      const variant = this.planVariant(product.id, sv.position ?? index + 1);
      return { sv, variant, plan: this.planFields("variant", variant, fields, sv.ref) };
    });
    const failed = variantPlans.find((v) => !v.plan.ok);
    if (failed && !failed.plan.ok) {
      this.fail(failed.sv.externalId, failed.sv.ref, failed.plan.error, variants.length);
      return;
    }
    this.state.claimedProducts.add(product.id);
    if (!existing) this.commitProduct(product);
    this.commitPlan(productPlan);
    if (existing) {
      if (productPlan.writes.length > 0) out.products.updated++;
    } else out.products.created++;
    for (const { sv, variant, plan } of variantPlans) {
      this.state.claimedVariants.add(variant.id);
      this.commitVariant(variant);
      if (plan.ok) this.commitPlan(plan);
      this.noteSourceIdentifiers(variant, sv.fields);
      out.counts.created++;
      this.link("variant", sv.externalId, variant.id, null, null);
    }
    this.link("product", record.externalId, product.id, null, record.updatedAt ?? null);
  }

  /** A value for this product that differs from the one another record of this run gave it. */
  private conflictingProductWrite(product: CatalogProduct, given: readonly GivenValue[]): string | null {
    for (const { field, key, json } of given) {
      const prior = this.state.productWrites.get(`${product.id}|${key}`);
      if (prior && prior.value !== json) {
        return `${fieldDef(field).label} differs from "${prior.externalId}", which updates the same product; give both the same value`;
      }
    }
    return null;
  }

  private rememberProductValues(product: CatalogProduct, given: readonly GivenValue[], externalId: string): void {
    for (const { key, json } of given) {
      const productKey = `${product.id}|${key}`;
      if (!this.state.productWrites.has(productKey)) this.state.productWrites.set(productKey, { value: json, externalId });
    }
  }

  /** A product a secondary's record updated: counted once per run, as updated if any record changed it. */
  private countSecondaryProduct(productId: string, changed: boolean): void {
    const { state, out } = this;
    if (!state.claimedProducts.has(productId)) {
      state.claimedProducts.add(productId);
      if (changed) out.products.updated++;
      else out.products.unchanged++;
    } else if (changed && !state.changedProducts.has(productId)) {
      // Counted unchanged by an earlier record (perhaps of an earlier batch: the run's total is right).
      out.products.unchanged--;
      out.products.updated++;
    }
    if (changed) state.changedProducts.add(productId);
  }

  /**
   * The writes a record makes on one entity: fields this integration may write (ownership) whose
   * value differs from the catalog, checked and normalized; values it may not write are counted
   * as skipped when they differ. An empty field (EMPTY) clears every stored locale of the field
   * when this integration writes it (GUIDE §2: the owner's value, here none, is written on every
   * sync); anyone else's empty field says nothing and is not counted.
   * Nothing is recorded until commitPlan.
   */
  private planFields(entityType: EntityType, entity: CatalogEntity, fields: NamedFields, ref: RecordRef | undefined): FieldPlan {
    const writes: FieldWrite[] = [];
    const skipped: FieldKey[] = [];
    const { values } = entity;
    // (An entity with no values, one being created above all, has nothing to look up.)
    const stored = (field: FieldKey, locale: string) => (values.size === 0 ? undefined : values.get(valueKey(field, locale)));
    for (let i = 0; i < fields.keys.length; i++) {
      const field = fields.keys[i];
      const raw = fields.values[i];
      const writer = effectiveWriter(this.ctx.ownership, field, entity, this.ctx.primaryId, this.running);
      if (raw === EMPTY) {
        if (writer === this.integrationId) writes.push(...clearsOf(entityType, entity, field, ref));
        continue;
      }
      const localized = fieldDef(field).kind === "localizedText";
      if (writer !== this.integrationId) {
        // A value of one locale where nothing is stored differs, valid or not (a stored value is a
        // string; an encoded value always is one too): no need to check it. A localized text may
        // be an empty one, which differs from nothing: that one is checked.
        if (!localized && stored(field, "") === undefined) {
          skipped.push(field);
          continue;
        }
        const parsed = this.parse(field, raw);
        if (!parsed.ok || differsFromStored(field, localized, parsed.value, stored)) skipped.push(field);
        continue;
      }
      const parsed = this.parse(field, raw);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      if (!localized) {
        const json = canonicalJson(parsed.value);
        const current = stored(field, "");
        if (current?.value !== json) writes.push({ entityType, entityId: entity.id, field, locale: "", oldValue: current?.value ?? null, newValue: json, ref });
        continue;
      }
      const texts = parsed.value as Record<string, string>;
      for (const locale of Object.keys(texts)) {
        const json = canonicalJson(texts[locale]);
        const current = stored(field, locale);
        if (current?.value === json) continue;
        writes.push({ entityType, entityId: entity.id, field, locale, oldValue: current?.value ?? null, newValue: json, ref });
      }
    }
    return { ok: true, entity, writes, skipped };
  }

  private commitPlan(plan: { entity: CatalogEntity; writes: FieldWrite[]; skipped: FieldKey[] }): void {
    const { out } = this;
    out.writes.push(...plan.writes);
    for (const field of plan.skipped) {
      out.counts.skipped++;
      out.skippedByField[field] = (out.skippedByField[field] ?? 0) + 1;
    }
    this.keepWrittenValues(plan.entity, plan.writes);
  }

  /**
   * The slice's entity takes the values this run writes, so that a later record of the run (in
   * this batch or a later one) plans against them: an equal value is no second write of the same
   * value (which would be inserted twice), and history's old value is the one this run wrote.
   * Entities this run creates are in no slice and no other record finds them.
   */
  private keepWrittenValues(entity: CatalogEntity, writes: readonly FieldWrite[]): void {
    if (writes.length === 0 || (this.slice.products.get(entity.id) ?? this.slice.variants.get(entity.id)) !== entity) return;
    const values = new Map(entity.values);
    for (const w of writes) {
      if (w.newValue === null) values.delete(valueKey(w.field, w.locale));
      else values.set(valueKey(w.field, w.locale), { value: w.newValue, sourceId: this.integrationId });
    }
    entity.values = values;
  }

  /**
   * Records a link unless it is already stored exactly so (unchanged records write nothing).
   * `hashed`: the record whose hash (recordHash) the link keeps, null for none. The hash is
   * computed only to compare it with a stored one, or when the new link's is read.
   */
  private link(entityType: EntityType, externalId: string, entityId: string, hashed: SourceRecord | null, sourceUpdatedAt: Date | null): void {
    const current = (entityType === "product" ? this.slice.productLinks : this.slice.variantLinks).get(externalId);
    if (
      current &&
      current.entityId === entityId &&
      current.sourceUpdatedAt?.getTime() === sourceUpdatedAt?.getTime() &&
      (hashed === null ? current.hash === null : current.hash !== null && current.hash === recordHash(hashed))
    ) {
      return;
    }
    if (hashed === null) this.out.links.push({ entityType, externalId, entityId, hash: null, sourceUpdatedAt, isNew: !current });
    else this.out.links.push(linkHashing(hashed, entityType, externalId, entityId, sourceUpdatedAt, !current));
  }

  /** A product this record would create (recorded by commitProduct once the record is valid). */
  private planProduct(handleBase: string): CatalogProduct {
    const handle = uniqueHandle(handleBase, this.slice.takenHandles);
    return { id: this.ctx.newId(), handle, archived: false, originId: this.integrationId, linkedIntegrationIds: this.ownLinks, values: NO_VALUES };
  }

  private commitProduct(product: CatalogProduct): void {
    this.out.newProducts.push({ id: product.id, handle: product.handle, originId: this.integrationId });
  }

  private planVariant(productId: string, position: number): CatalogVariant {
    return {
      id: this.ctx.newId(),
      productId,
      position,
      archived: false,
      originId: this.integrationId,
      linkedIntegrationIds: this.ownLinks,
      values: NO_VALUES,
      sourceSku: null,
      sourceGtin: null,
    };
  }

  /**
   * The SKU and GTIN a structural source gives a variant, kept apart from the field values, which
   * their owner writes: an integration that owns them finds the variant by them before it has
   * written them. A record that leaves a field out keeps what was there, one that has it empty has
   * none; an unchanged pair is not written.
   */
  private noteSourceIdentifiers(variant: CatalogVariant, fields: FieldValues, emptyFields: readonly FieldKey[] = []): void {
    const given = (field: "sku" | "barcode") => fields[field] !== undefined || emptyFields.includes(field);
    const sku = given("sku") ? this.identifierOf(fields.sku, "sku") : variant.sourceSku;
    const gtin = given("barcode") ? this.identifierOf(fields.barcode, "barcode") : variant.sourceGtin;
    if (sku === variant.sourceSku && gtin === variant.sourceGtin) return;
    this.out.sourceIdentifiers.push({ variantId: variant.id, sku, gtin });
    variant.sourceSku = sku;
    variant.sourceGtin = gtin;
  }

  private commitVariant(variant: CatalogVariant): void {
    this.out.newVariants.push({ id: variant.id, productId: variant.productId, position: variant.position, originId: this.integrationId });
  }

  /** The record is as last synced: count it unchanged and keep its entities from being archived. */
  private keepAsIs(product: CatalogProduct | undefined, record: SourceRecord): void {
    this.out.counts.unchanged += record.variants.length;
    this.out.products.unchanged++;
    if (product) this.state.claimedProducts.add(product.id);
    this.keepVariantsClaimed(record);
  }

  private keepVariantsClaimed(record: SourceRecord): void {
    for (const sv of record.variants) {
      const link = this.slice.variantLinks.get(sv.externalId);
      if (link) this.state.claimedVariants.add(link.entityId);
    }
  }

  /** A record whose product would be created without a field it needs: its variants fail, and the error points at the field. */
  private failCreation(record: SourceRecord, missing: FieldDef, variants: number, message: string): void {
    this.fail(record.externalId, { ...record.ref, column: missing.label }, message, variants);
  }

  private fail(externalId: string, ref: RecordRef | undefined, message: string, variants: number): void {
    this.out.errors.push({ externalId, ref, message });
    this.out.counts.failed += variants;
  }
}
