// Shopify products → the sync engine's SourceRecord (pure, no I/O). Two inputs, one result:
// - GraphQL product nodes (the bulk export's JSONL, assembled; the paginated subset queries),
// - the REST-shaped payload of products/create and products/update webhooks.
// The same product gives the same record either way (records.test.ts proves it), so a webhook
// that reports what a sync already has merges to nothing.
//
// Conventions:
// - externalId: the product / variant GID; updatedAt: the product's updatedAt (out-of-order guard).
// - A value Shopify has empty (description, vendor, product type, category, tags, images, weight
//   (0), SKU, barcode, a mapped metafield that is gone) is left out of the fields and listed in
//   emptyFields: where Shopify owns the field its value is cleared in the catalog too (the barcode
//   removed in Shopify leaves the passport); where another integration owns it, it stays. A field
//   the input does not carry at all (a payload without metafields; one without media or images) is
//   neither: Shopify says nothing about it. Images are empty when the media (or the webhook's
//   images) are carried and none is an image with a URL.
//   (The Excel import differs: an empty cell means "no value in this file".)
// - Barcode: passed to the engine exactly as Shopify has it, even when it is not a valid GTIN.
//   The engine then fails that one variant with the reason ("Barcode (GTIN): … wrong check digit"),
//   which the run reports, and the merchant fixes it in Shopify. Dropping it with a warning would
//   publish passports without the identifier a customs officer looks for, and hide the problem.
// - Options: Shopify's placeholder of products without options (Title = "Default Title") is no option.
// - Weight: converted to grams from the variant's unit, rounded to 0.01 g.
// - Status: Shopify's ProductStatus (GraphQL ACTIVE/DRAFT/ARCHIVED/UNLISTED, the webhook's lower
//   case) as the catalog's product status; a status this app does not know is left out.
// - Metafields mapped in the integration's settings feed catalog fields; a value that does not fit
//   its field is left out with a warning, and the record still comes through.
import { fieldDef, parseFieldValue, PRODUCT_STATUSES, type FieldKey, type FieldValues, type Image, type OptionValue, type ProductStatus } from "../../catalog/fields";
import type { RecordRef, SourceRecord, SourceVariant } from "../../sync/records";
import { metafieldToFieldValue, type MetafieldValue } from "./metafield-values";
import { metafieldRefText, type ShopifySettings } from "./settings";

export type WeightUnit = "GRAMS" | "KILOGRAMS" | "OUNCES" | "POUNDS";

export const GRAMS_PER_UNIT: Record<WeightUnit, number> = {
  GRAMS: 1,
  KILOGRAMS: 1000,
  OUNCES: 28.349523125,
  POUNDS: 453.59237,
};

/** REST weight units (webhook payloads) to GraphQL ones. */
const REST_WEIGHT_UNITS: Record<string, WeightUnit> = { g: "GRAMS", kg: "KILOGRAMS", oz: "OUNCES", lb: "POUNDS" };

/** Grams, rounded to 0.01 g; null for no weight (Shopify's 0) or an unknown unit. */
export function weightInGrams(value: number | null | undefined, unit: string | null | undefined): number | null {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || !unit) return null;
  const normalized = (REST_WEIGHT_UNITS[unit.toLowerCase()] ?? unit.toUpperCase()) as WeightUnit;
  const factor = GRAMS_PER_UNIT[normalized];
  if (factor === undefined) return null;
  return Math.round(value * factor * 100) / 100;
}

export const productGid = (id: number | string) => `gid://shopify/Product/${id}`;
export const variantGid = (id: number | string) => `gid://shopify/ProductVariant/${id}`;

/** The numeric id at the end of a GID. */
export function legacyId(gid: string): string {
  return gid.slice(gid.lastIndexOf("/") + 1);
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** A media node of the GraphQL documents (MediaImage fields only on images). */
export interface GqlMediaNode {
  id?: string;
  mediaContentType?: string;
  alt?: string | null;
  image?: { url: string; altText?: string | null } | null;
}

export interface GqlVariantNode {
  id: string;
  position?: number | null;
  sku?: string | null;
  barcode?: string | null;
  selectedOptions?: { name: string; value: string }[];
  inventoryItem?: { measurement?: { weight?: { unit: string; value: number } | null } | null } | null;
  metafields?: MetafieldValue[];
}

/** A product as the GraphQL documents select it, connections flattened into arrays. */
export interface GqlProductNode {
  id: string;
  handle: string;
  title: string;
  /** ProductStatus: ACTIVE, DRAFT, ARCHIVED, UNLISTED. */
  status?: string | null;
  descriptionHtml?: string | null;
  vendor?: string | null;
  productType?: string | null;
  tags?: string[];
  updatedAt?: string | null;
  category?: { fullName: string } | null;
  media?: GqlMediaNode[];
  variants: GqlVariantNode[];
  metafields?: MetafieldValue[];
}

/** The products/create and products/update webhook payload (REST product resource). */
export interface ProductWebhookPayload {
  id: number | string;
  admin_graphql_api_id?: string;
  title: string;
  /** "active", "draft", "archived" (and "unlisted"). */
  status?: string | null;
  body_html?: string | null;
  vendor?: string | null;
  product_type?: string | null;
  handle: string;
  updated_at?: string | null;
  tags?: string | null;
  category?: { full_name?: string | null } | null;
  options?: { name: string; position?: number; values?: string[] }[];
  variants?: {
    id: number | string;
    admin_graphql_api_id?: string;
    position?: number | null;
    sku?: string | null;
    barcode?: string | null;
    option1?: string | null;
    option2?: string | null;
    option3?: string | null;
    grams?: number | null;
    weight?: number | null;
    weight_unit?: string | null;
    metafields?: MetafieldValue[];
  }[];
  images?: { src?: string | null; alt?: string | null; position?: number | null }[];
  media?: { media_content_type?: string; alt?: string | null; position?: number | null; preview_image?: { src?: string | null } | null }[];
  /** Present when the webhook subscription includes metafield namespaces. */
  metafields?: MetafieldValue[];
  /** Every variant of the product; `variants` holds the first 100 only (Shopify, 2024-04 on). */
  variant_gids?: { admin_graphql_api_id?: string; updated_at?: string | null }[];
}

// ---------------------------------------------------------------------------------------------
// Output

export interface MappingContext {
  primaryLocale: string;
  metafieldMap?: ShopifySettings["metafieldMap"];
}

/** A value left out of a record (a metafield that does not fit its field), for the run to report. */
export interface RecordWarning {
  externalId: string;
  ref?: RecordRef;
  message: string;
}

export interface MappedRecord {
  record: SourceRecord;
  warnings: RecordWarning[];
}

/** What both inputs are brought to before building the record. Values: null or empty when Shopify has none, undefined when the input does not carry them. */
interface Normalized {
  id: string;
  handle: string;
  title: string;
  status: ProductStatus | null;
  descriptionHtml: string | null | undefined;
  vendor: string | null | undefined;
  productType: string | null | undefined;
  tags: string[] | undefined;
  updatedAt: string | null;
  category: string | null | undefined;
  /** Empty when Shopify has none; undefined when the input carries neither media nor images. */
  images: Image[] | undefined;
  metafields: MetafieldValue[] | undefined;
  variants: {
    id: string;
    position: number | null;
    sku: string | null | undefined;
    barcode: string | null | undefined;
    options: OptionValue[];
    grams: number | null | undefined;
    metafields: MetafieldValue[] | undefined;
  }[];
  /** Every variant's id, when `variants` lists only some (a webhook of a product with 101+ variants). */
  allVariantIds?: string[];
}

const PLACEHOLDER_OPTION = { name: "Title", value: "Default Title" };

function realOptions(options: OptionValue[]): OptionValue[] {
  return options.filter((o) => !(o.name === PLACEHOLDER_OPTION.name && o.value === PLACEHOLDER_OPTION.value) && o.value !== "");
}

/** Shopify's product status, in either spelling, as the catalog's; null when absent or unknown. */
function productStatus(status: string | null | undefined): ProductStatus | null {
  const lower = status?.trim().toLowerCase();
  return PRODUCT_STATUSES.find((s) => s === lower) ?? null;
}

/** Grams of a weight the input carries: null for Shopify's "no weight" (none or 0), undefined when not carried or in a unit this app does not know. */
function givenWeight(value: number | null | undefined, unit: string | null | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === 0) return null;
  return weightInGrams(value, unit) ?? undefined;
}

function image(url: string | null | undefined, alt: string | null | undefined): Image | null {
  if (!url) return null;
  return alt ? { url, alt } : { url };
}

function normalizeGraphql(node: GqlProductNode): Normalized {
  return {
    id: node.id,
    handle: node.handle,
    title: node.title,
    status: productStatus(node.status),
    descriptionHtml: node.descriptionHtml,
    vendor: node.vendor,
    productType: node.productType,
    tags: node.tags,
    updatedAt: node.updatedAt ?? null,
    category: node.category === undefined ? undefined : (node.category?.fullName ?? null),
    images: node.media
      ?.filter((m) => m.mediaContentType === "IMAGE" || (m.mediaContentType === undefined && m.image))
      .map((m) => image(m.image?.url, m.alt ?? m.image?.altText))
      .filter((i): i is Image => i !== null),
    metafields: node.metafields,
    variants: node.variants.map((v) => {
      const weight = v.inventoryItem?.measurement?.weight;
      return {
        id: v.id,
        position: v.position ?? null,
        sku: v.sku,
        barcode: v.barcode,
        options: realOptions((v.selectedOptions ?? []).map((o) => ({ name: o.name, value: o.value }))),
        grams: weight === null ? null : givenWeight(weight?.value, weight?.unit),
        metafields: v.metafields,
      };
    }),
  };
}

function byPosition<T extends { position?: number | null }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.position ?? a.index + 1) - (b.item.position ?? b.index + 1) || a.index - b.index)
    .map((x) => x.item);
}

/**
 * The ids of all the product's variants when the payload lists only some: Shopify's webhook carries
 * the first 100 variants of a product, and the ids of all in variant_gids. Undefined when it lists
 * every one (then the record is as it always was, hash included).
 */
function allVariantIdsOf(p: ProductWebhookPayload): string[] | undefined {
  const ids = (p.variant_gids ?? []).map((v) => v.admin_graphql_api_id).filter((id): id is string => typeof id === "string" && id !== "");
  const listed = new Set((p.variants ?? []).map((v) => v.admin_graphql_api_id ?? variantGid(v.id)));
  return ids.some((id) => !listed.has(id)) ? ids : undefined;
}

function normalizeWebhook(p: ProductWebhookPayload): Normalized {
  const optionNames = byPosition(p.options ?? []).map((o) => o.name);
  const images = p.media
    ? byPosition(p.media)
        .filter((m) => (m.media_content_type ?? "IMAGE") === "IMAGE")
        .map((m) => image(m.preview_image?.src, m.alt))
    : p.images && byPosition(p.images).map((i) => image(i.src, i.alt));
  return {
    id: p.admin_graphql_api_id ?? productGid(p.id),
    handle: p.handle,
    title: p.title,
    status: productStatus(p.status),
    descriptionHtml: p.body_html,
    vendor: p.vendor,
    productType: p.product_type,
    tags: p.tags === undefined ? undefined : (p.tags ?? "").split(",").map((t) => t.trim()).filter(Boolean),
    updatedAt: p.updated_at ?? null,
    category: p.category === undefined ? undefined : (p.category?.full_name ?? null),
    images: images?.filter((i): i is Image => i !== null),
    metafields: p.metafields,
    allVariantIds: allVariantIdsOf(p),
    variants: (p.variants ?? []).map((v) => {
      const values = [v.option1, v.option2, v.option3];
      const options: OptionValue[] = [];
      values.forEach((value, i) => {
        if (value !== null && value !== undefined && optionNames[i] !== undefined) options.push({ name: optionNames[i], value });
      });
      const grams = v.weight_unit && v.weight !== undefined ? givenWeight(v.weight, v.weight_unit) : givenWeight(v.grams, "GRAMS");
      return {
        id: v.admin_graphql_api_id ?? variantGid(v.id),
        position: v.position ?? null,
        sku: v.sku,
        barcode: v.barcode,
        options: realOptions(options),
        grams,
        metafields: v.metafields,
      };
    }),
  };
}

const nonEmpty = (text: string | null | undefined): string | null => (typeof text === "string" && text.trim() !== "" ? text : null);

/** A text the input carries: its value when Shopify has one, else listed as empty. */
function putText(fields: FieldValues, empty: FieldKey[], field: "vendor" | "productType" | "category", text: string | null | undefined): void {
  const value = nonEmpty(text);
  if (value !== null) fields[field] = value;
  else if (text !== undefined) empty.push(field);
}

/** The metafields of one owner by "namespace.key". */
function metafieldIndex(metafields: MetafieldValue[]): Map<string, MetafieldValue> {
  return new Map(metafields.map((m) => [`${m.namespace}.${m.key}`, m]));
}

/** Mapped metafields as field values; a mapped one the owner does not have (or has empty) is listed as empty. */
function applyMetafields(
  level: "product" | "variant",
  metafields: MetafieldValue[] | undefined,
  ctx: MappingContext,
  fields: FieldValues,
  empty: FieldKey[],
  warn: (message: string) => void,
): void {
  const map = ctx.metafieldMap;
  if (!map || metafields === undefined) return;
  const index = metafieldIndex(metafields);
  for (const [field, ref] of Object.entries(map) as [FieldKey, NonNullable<(typeof map)[FieldKey]>][]) {
    const def = fieldDef(field);
    const fits = level === "product" ? def.level === "product" : def.level === "variant" || def.variantOverride === true;
    if (!fits) continue;
    const refText = metafieldRefText(ref);
    const mf = index.get(refText);
    if (!mf || mf.value === "") {
      empty.push(field);
      continue;
    }
    const converted = metafieldToFieldValue(field, mf, ctx.primaryLocale);
    if (!converted.ok) {
      warn(`${def.label}: metafield ${refText} ${converted.error}; the value was left out`);
      continue;
    }
    const parsed = parseFieldValue(field, converted.value);
    if (!parsed.ok) {
      warn(`${parsed.error} (metafield ${refText}); the value was left out`);
      continue;
    }
    (fields as Record<string, unknown>)[field] = converted.value;
  }
}

function toRecord(n: Normalized, ctx: MappingContext): MappedRecord {
  const warnings: RecordWarning[] = [];
  const locale = ctx.primaryLocale;
  const ref: RecordRef = { label: `Shopify product "${n.title}"` };
  const fields: FieldValues = { title: { [locale]: n.title } };
  const empty: FieldKey[] = [];
  const description = nonEmpty(n.descriptionHtml);
  if (description !== null) fields.description = { [locale]: description };
  else if (n.descriptionHtml !== undefined) empty.push("description");
  if (n.images?.length) fields.images = n.images;
  else if (n.images !== undefined) empty.push("images");
  putText(fields, empty, "vendor", n.vendor);
  putText(fields, empty, "productType", n.productType);
  putText(fields, empty, "category", n.category);
  if (n.tags?.length) fields.tags = n.tags;
  else if (n.tags !== undefined) empty.push("tags");
  if (n.status !== null) fields.status = n.status;
  applyMetafields("product", n.metafields, ctx, fields, empty, (message) => warnings.push({ externalId: n.id, ref, message }));

  const variants: SourceVariant[] = byPosition(n.variants).map((v, index) => {
    const vf: FieldValues = {};
    const vEmpty: FieldKey[] = [];
    const sku = nonEmpty(v.sku);
    if (sku !== null) vf.sku = sku.trim();
    else if (v.sku !== undefined) vEmpty.push("sku");
    const barcode = nonEmpty(v.barcode);
    if (barcode !== null) vf.barcode = barcode.trim();
    else if (v.barcode !== undefined) vEmpty.push("barcode");
    if (v.options.length) vf.options = v.options;
    if (typeof v.grams === "number") vf.weight = v.grams;
    else if (v.grams === null) vEmpty.push("weight");
    const label = sku !== null ? `SKU ${sku.trim()}` : v.options.length ? v.options.map((o) => o.value).join(" / ") : "default variant";
    const vref: RecordRef = { label: `Shopify product "${n.title}", variant ${label}` };
    applyMetafields("variant", v.metafields, ctx, vf, vEmpty, (message) => warnings.push({ externalId: v.id, ref: vref, message }));
    return { externalId: v.id, fields: vf, ...(vEmpty.length ? { emptyFields: vEmpty } : {}), position: v.position ?? index + 1, ref: vref };
  });

  const record: SourceRecord = {
    externalId: n.id,
    handle: n.handle,
    fields,
    ...(empty.length ? { emptyFields: empty } : {}),
    variants,
    ...(n.allVariantIds ? { allVariantIds: n.allVariantIds } : {}),
    ref,
  };
  if (n.updatedAt) {
    const at = new Date(n.updatedAt);
    if (!Number.isNaN(at.getTime())) record.updatedAt = at;
  }
  return { record, warnings };
}

/** A record from a GraphQL product node (bulk export or paginated query). */
export function recordFromGraphql(node: GqlProductNode, ctx: MappingContext): MappedRecord {
  return toRecord(normalizeGraphql(node), ctx);
}

/** A record from a products/create or products/update webhook payload. */
export function recordFromWebhook(payload: ProductWebhookPayload, ctx: MappingContext): MappedRecord {
  return toRecord(normalizeWebhook(payload), ctx);
}
