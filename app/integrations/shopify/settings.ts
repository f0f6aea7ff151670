// The Shopify integration's settings (Integration.settings, JSON):
//   metafieldMap: { [field]: "namespace.key" } — catalog fields read from product/variant metafields
//   subset: { query?: string; first?: number } — "test before going live": sync only these products
// Parsing never throws: an entry that makes no sense is left out with a warning the UI can show.
import { fieldDef, isFieldKey, type FieldKey } from "../../catalog/fields";

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
