// The Shopify integration's settings (Integration.settings, JSON):
//   metafieldMap: { [field]: "namespace.key" } — catalog fields read from product/variant metafields
//   subset: { query?: string; first?: number } — "test before going live": sync only these products
//   pushFields: [field] — values owned by another integration that are also written to Shopify
// Parsing what is stored never throws: an entry that makes no sense is left out with a warning the
// UI can show. What the merchant submits is checked first (checkShopifySettings): every problem is
// reported, on its setting, and nothing is saved until there are none.
import { FIELDS, fieldDef, isFieldKey, type FieldKey } from "../../catalog/fields";

export interface MetafieldRef {
  namespace: string;
  key: string;
}

export interface SubsetSettings {
  /** Shopify product search syntax, e.g. `tag:dpp-pilot`. */
  query?: string;
  /** At most this many products (the first ones by id). */
  first?: number;
}

export interface ShopifySettings {
  metafieldMap: Partial<Record<FieldKey, MetafieldRef>>;
  subset: SubsetSettings | null;
}

/** Largest subset: a pilot, not a catalog (use a full sync for more). */
export const MAX_SUBSET = 5000;

const METAFIELD_REF = /^([$A-Za-z0-9_:-]{1,255})\.([A-Za-z0-9_-]{1,64})$/;

/** Fields a metafield cannot feed: structure and identity come from Shopify's own fields. */
const NOT_MAPPABLE = new Set<FieldKey>(["title", "options"]);

/** Whether a catalog field can be read from a metafield. */
function isMappable(field: string): field is FieldKey {
  return isFieldKey(field) && !NOT_MAPPABLE.has(field);
}

/**
 * The fields the settings form offers to read from metafields: passport data that has no default
 * owner (structure and core fields come from Shopify's own product data).
 */
export const METAFIELD_FORM_FIELDS = FIELDS.filter((f) => f.passport && !("defaultOwner" in f && f.defaultOwner) && isMappable(f.key));

export function parseMetafieldRef(value: string): MetafieldRef | null {
  const match = METAFIELD_REF.exec(value.trim());
  return match ? { namespace: match[1], key: match[2] } : null;
}

export function metafieldRefText(ref: MetafieldRef): string {
  return `${ref.namespace}.${ref.key}`;
}

export function parseShopifySettings(raw: string | null | undefined): { settings: ShopifySettings; warnings: string[] } {
  const warnings: string[] = [];
  const settings: ShopifySettings = { metafieldMap: {}, subset: null };
  let json: unknown = {};
  try {
    json = raw ? JSON.parse(raw) : {};
  } catch {
    warnings.push("The Shopify integration's settings could not be read; the defaults are used.");
    return { settings, warnings };
  }
  if (typeof json !== "object" || json === null) return { settings, warnings };
  const { metafieldMap, subset } = json as { metafieldMap?: unknown; subset?: unknown };

  if (metafieldMap && typeof metafieldMap === "object") {
    for (const [field, value] of Object.entries(metafieldMap as Record<string, unknown>)) {
      if (!isFieldKey(field)) {
        warnings.push(`Metafield mapping: "${field}" is not a catalog field; the mapping is ignored.`);
        continue;
      }
      if (NOT_MAPPABLE.has(field)) {
        warnings.push(`Metafield mapping: ${fieldDef(field).label} always comes from Shopify's own product data; the mapping is ignored.`);
        continue;
      }
      const ref = typeof value === "string" ? parseMetafieldRef(value) : null;
      if (!ref) {
        warnings.push(`Metafield mapping for ${fieldDef(field).label}: "${String(value)}" is not a metafield (write it as namespace.key, e.g. custom.material).`);
        continue;
      }
      settings.metafieldMap[field] = ref;
    }
  }

  if (subset && typeof subset === "object") {
    const { query, first } = subset as { query?: unknown; first?: unknown };
    const out: SubsetSettings = {};
    if (typeof query === "string" && query.trim()) out.query = query.trim();
    if (first !== undefined && first !== null) {
      const n = Number(first);
      if (Number.isInteger(n) && n > 0) out.first = Math.min(n, MAX_SUBSET);
      else warnings.push(`Test subset: "${String(first)}" is not a number of products; all products matching the query are synced.`);
    }
    if (out.query !== undefined || out.first !== undefined) settings.subset = out;
  }
  return { settings, warnings };
}

/** The distinct metafields to fetch for a mapping, as "namespace.key". */
export function mappedMetafieldKeys(map: ShopifySettings["metafieldMap"]): string[] {
  return [...new Set(Object.values(map).map((ref) => metafieldRefText(ref!)))].sort();
}

/** The settings form as the merchant filled it in: every value as typed. */
export interface ShopifySettingsForm {
  subsetQuery: string;
  subsetFirst: string;
  /** Metafield names by catalog field, as typed (an empty one: no metafield). */
  metafields: Record<string, string>;
  pushFields: string[];
}

/** The settings to store (Integration.settings), every value checked. */
export interface CheckedShopifySettings {
  subset: SubsetSettings | null;
  metafieldMap: Partial<Record<FieldKey, string>>;
  pushFields: string[];
}

/**
 * What is wrong with each setting that cannot be saved, by the setting's path in the stored
 * settings ("subset.first", "subset.query", "metafieldMap.materials", "pushFields"): the form names
 * its inputs the same, so each message goes on its field.
 */
export type SettingsErrors = Record<string, string>;

/** The path of the setting that holds a field's metafield (its form input's name too). */
export const metafieldSettingPath = (field: string): string => `metafieldMap.${field}`;

const formatCount = (n: number) => n.toLocaleString("en");

/**
 * The product limit as typed: empty is no limit. Anything else must be a whole number from 1 to
 * MAX_SUBSET; "-5" or "2.5" is a mistake to report, never taken for "no limit".
 */
function checkSubsetFirst(typed: string): { first?: number } | { error: string } {
  const text = typed.trim();
  if (text === "") return {};
  const range = `a whole number from 1 to ${formatCount(MAX_SUBSET)}`;
  if (!/^\d+$/.test(text) || Number(text) < 1) return { error: `"${text}" is not a number of products. Enter ${range}, or leave it empty for no limit.` };
  const first = Number(text);
  if (first > MAX_SUBSET) return { error: `A test syncs at most ${formatCount(MAX_SUBSET)} products. Enter ${range}, or leave it empty to sync every product that matches.` };
  return { first };
}

/**
 * Checks the Shopify settings the merchant submitted, all of them: either the settings to store, or
 * every problem, each on its setting (nothing is saved while there is one). `pushable`: the fields
 * that can be pushed to Shopify.
 */
export function checkShopifySettings(form: ShopifySettingsForm, pushable: readonly string[]): { ok: true; settings: CheckedShopifySettings } | { ok: false; errors: SettingsErrors } {
  const errors: SettingsErrors = {};

  const query = form.subsetQuery.trim();
  const limit = checkSubsetFirst(form.subsetFirst);
  if ("error" in limit) errors["subset.first"] = limit.error;

  const metafieldMap: Partial<Record<FieldKey, string>> = {};
  for (const [field, typed] of Object.entries(form.metafields)) {
    const text = typed.trim();
    if (!text) continue;
    if (!isMappable(field)) {
      errors[metafieldSettingPath(field)] = isFieldKey(field) ? `${fieldDef(field).label} always comes from Shopify's own product data, not from a metafield.` : `"${field}" is not a catalog field.`;
      continue;
    }
    const ref = parseMetafieldRef(text);
    if (ref) metafieldMap[field] = metafieldRefText(ref);
    else errors[metafieldSettingPath(field)] = `"${text}" is not a metafield name. Write it as namespace.key, for example custom.material.`;
  }

  const unknown = form.pushFields.filter((f) => !pushable.includes(f));
  if (unknown.length) {
    const names = pushable.map((f) => (isFieldKey(f) ? fieldDef(f).label : f)).join(", ");
    errors.pushFields = `${unknown.map((f) => (isFieldKey(f) ? fieldDef(f).label : `"${f}"`)).join(", ")} cannot be pushed to Shopify. Only these can: ${names}.`;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const first = "first" in limit ? limit.first : undefined;
  const subset = query || first ? { ...(query ? { query } : {}), ...(first ? { first } : {}) } : null;
  return { ok: true, settings: { subset, metafieldMap, pushFields: [...new Set(form.pushFields)] } };
}

/** What a save that found problems says, beside the Save button and at the top of the page. */
export function settingsNotSavedMessage(errors: SettingsErrors): string {
  const n = Object.keys(errors).length;
  return `Nothing was saved: ${n === 1 ? "1 setting needs" : `${formatCount(n)} settings need`} fixing. Each is marked on its field.`;
}
