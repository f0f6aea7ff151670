// The content of a passport: exactly what the public passport shows, built from the catalog.
//
// A passport version is immutable and identified by the hash of this content, so the builder is
// deterministic: no timestamps, no generated ids, keys in a fixed order, locale keys sorted,
// absent data left out (never `undefined`, never empty arrays or strings).
//
// Only catalog fields marked `passport: true` in the registry are read (see `readPublicValue`);
// admin data such as SKU, tags and product type can therefore never reach a public page. Besides
// registry fields, the content holds: the brand fallback (the shop name), the shop's primary locale
// (default language of the texts), the variant title and `noLongerSold` (product or variant
// archived in its source, or the product's status is "archived": no longer sold).
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import sanitizeHtml from "sanitize-html";
import { canonicalJson, fieldDef, salesStatusOf, type FieldKey, type FieldValues, type LocalizedText } from "../catalog/fields";
import { normalizeGtin } from "./gs1";

export interface PassportSource {
  shop: { domain: string; name: string; primaryLocale: string };
  /** Product-level values. */
  product: { handle: string; archived: boolean; values: FieldValues };
  /** Variant-level values, including overrides of product fields. */
  variant: { title: string; archived: boolean; values: FieldValues };
}

export interface PassportImage {
  url: string;
  alt?: string;
}

export interface PassportOption {
  name: string;
  value: string;
}

export interface PassportMaterial {
  material: string;
  /** Share of the product's mass, 0–100. */
  massPercent: number;
  /** Share of this material that is recycled, 0–100. */
  recycledPercent?: number;
  /** ISO 3166-1 alpha-2 code. */
  originCountry?: string;
}

export interface PassportCertification {
  name: string;
  body?: string;
  /** YYYY-MM-DD */
  validUntil?: string;
  url?: string;
}

/** Version of the content's shape; bump it when the shape changes (it is part of the hash). */
export const PASSPORT_CONTENT_FORMAT = 1;

export interface PassportContent {
  format: typeof PASSPORT_CONTENT_FORMAT;
  /** The shop's primary locale: the default language of the localized texts. */
  locale: string;
  /** The vendor, else the shop name. */
  brand: string;
  /** Never empty: falls back to the product handle when the catalog has no title. */
  title: LocalizedText;
  /** Plain text (HTML stripped), per locale. */
  description?: LocalizedText;
  variantTitle?: string;
  options?: PassportOption[];
  category?: string;
  /** The main (first) image. */
  image?: PassportImage;
  /** GTIN-14, from the variant's barcode. */
  gtin?: string;
  /** Sorted by share, largest first (as textile labels list fibres). */
  materials?: PassportMaterial[];
  /** ISO 3166-1 alpha-2 code. */
  countryOfProduction?: string;
  manufacturer?: string;
  facility?: string;
  careInstructions?: LocalizedText;
  repairInstructions?: LocalizedText;
  recyclingInstructions?: LocalizedText;
  /** kg CO2e per item. */
  carbonFootprint?: number;
  /** Litres per item. */
  waterUse?: number;
  /** Grams per item. */
  weight?: number;
  certifications?: PassportCertification[];
  /**
   * No longer sold: the product or the variant is archived in its source, or the product's status
   * is "archived" (Shopify's archived products). The passport stays, with a notice.
   */
  noLongerSold: boolean;
}

export type PassportContentKey = Exclude<keyof PassportContent, "format">;

// ---------------------------------------------------------------------------------------------
// Reading catalog values

/**
 * Reads a field's effective value for the variant: the variant's value where the registry lets a
 * variant override the field (or where the field is variant-level), else the product's. Refuses
 * fields that are not public: this is the one gate between admin data and the passport.
 */
function readPublicValue(source: PassportSource, key: FieldKey): unknown {
  const def = fieldDef(key);
  if (!def) throw new Error(`Unknown catalog field "${key}"`);
  if (!def.passport) throw new Error(`Field "${key}" is not public and cannot appear on a passport`);
  if (def.level === "variant") return source.variant.values[key];
  const override = def.variantOverride ? source.variant.values[key] : undefined;
  // An empty override (blank text, empty list) means "not set on the variant", not "erase".
  return hasData(override) ? override : source.product.values[key];
}

function hasData(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cleanText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text === "" ? undefined : text;
}

function cleanNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function cleanCountry(value: unknown): string | undefined {
  const code = cleanText(value)?.toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(value);
}

/** Localized text with blank entries dropped and locales sorted; undefined when nothing is left. */
function cleanLocalized(value: unknown, transform: (text: string) => string = (t) => t): LocalizedText | undefined {
  if (!isRecord(value)) return undefined;
  let out: LocalizedText | undefined;
  for (const locale of Object.keys(value).sort()) {
    const raw = value[locale];
    const text = cleanText(typeof raw === "string" ? transform(raw) : undefined);
    if (text !== undefined) (out ??= {})[locale] = text;
  }
  return out;
}

/** Entities sanitize-html writes into text; decoded so the content holds plain text. */
const SANITIZER_ENTITIES: [RegExp, string][] = [
  [/&lt;/g, "<"],
  [/&gt;/g, ">"],
  [/&quot;/g, '"'],
  [/&#39;/g, "'"],
  [/&amp;/g, "&"], // last, so "&amp;lt;" becomes "&lt;" and not "<"
];

/** Product descriptions are shared by all variants of a product: remember recent conversions. */
const plainTextCache = new LRUCache<string, string>({ max: 500 });

/**
 * HTML (a Shopify description) to plain text. sanitize-html does the parsing and drops every tag
 * and the contents of script/style-like elements; line breaks are kept at block boundaries so
 * paragraphs and list items stay readable. The result is text, to be escaped wherever it is shown.
 */
export function htmlToPlainText(html: string): string {
  const cached = plainTextCache.get(html);
  if (cached !== undefined) return cached;
  const text = convertHtmlToPlainText(html);
  plainTextCache.set(html, text);
  return text;
}

function convertHtmlToPlainText(html: string): string {
  const withBreaks = html
    .replace(/<br\b[^>]*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n• ")
    .replace(/<\/(p|div|h[1-6]|tr|blockquote|section|article|ul|ol|table|pre)\s*>/gi, "\n");
  const stripped = sanitizeHtml(withBreaks, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "head", "iframe", "object"],
  });
  const decoded = SANITIZER_ENTITIES.reduce((text, [pattern, char]) => text.replace(pattern, char), stripped);
  return decoded
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map((line) => line.replace(/[ \t\r\f\v]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Building the content, one small function per part

function buildTitle(source: PassportSource, locale: string): LocalizedText {
  return cleanLocalized(readPublicValue(source, "title")) ?? { [locale]: source.product.handle };
}

function buildImage(source: PassportSource): PassportImage | undefined {
  const images = readPublicValue(source, "images");
  if (!Array.isArray(images)) return undefined;
  const first = images.find((img) => isRecord(img) && typeof img.url === "string" && isHttpUrl(img.url.trim()));
  if (!isRecord(first)) return undefined;
  const alt = cleanText(first.alt);
  return { url: String(first.url).trim(), ...(alt ? { alt } : {}) };
}

/** Shopify names the single variant of a product "Default Title": not worth showing. */
const DEFAULT_VARIANT_TITLE = "Default Title";

function buildVariantTitle(source: PassportSource): string | undefined {
  const title = cleanText(source.variant.title);
  return title && title !== DEFAULT_VARIANT_TITLE ? title : undefined;
}

function buildOptions(source: PassportSource): PassportOption[] | undefined {
  const options = readPublicValue(source, "options");
  if (!Array.isArray(options)) return undefined;
  const cleaned = options
    .filter(isRecord)
    .map((o) => ({ name: cleanText(o.name), value: cleanText(o.value) }))
    .filter((o): o is PassportOption => !!o.name && !!o.value && o.value !== DEFAULT_VARIANT_TITLE);
  return cleaned.length ? cleaned : undefined;
}

function buildGtin(source: PassportSource): string | undefined {
  const raw = readPublicValue(source, "barcode");
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const result = normalizeGtin(raw);
  return result.ok ? result.gtin : undefined;
}

function buildMaterials(source: PassportSource): PassportMaterial[] | undefined {
  const raw = readPublicValue(source, "materials");
  if (!Array.isArray(raw)) return undefined;
  const materials: PassportMaterial[] = [];
  for (const m of raw) {
    if (!isRecord(m)) continue;
    const material = cleanText(m.material);
    const massPercent = cleanNumber(m.massPercent);
    if (!material || massPercent === undefined) continue;
    const recycledPercent = cleanNumber(m.recycledPercent);
    const originCountry = cleanCountry(m.originCountry);
    materials.push({
      material,
      massPercent,
      ...(recycledPercent !== undefined ? { recycledPercent } : {}),
      ...(originCountry ? { originCountry } : {}),
    });
  }
  // Largest share first, as the EU textile labelling rules list fibres (the sort is stable, so
  // equal shares keep the merchant's order).
  materials.sort((a, b) => b.massPercent - a.massPercent);
  return materials.length ? materials : undefined;
}

function buildCertifications(source: PassportSource): PassportCertification[] | undefined {
  const raw = readPublicValue(source, "certifications");
  if (!Array.isArray(raw)) return undefined;
  const certifications: PassportCertification[] = [];
  for (const c of raw) {
    if (!isRecord(c)) continue;
    const name = cleanText(c.name);
    if (!name) continue;
    const body = cleanText(c.body);
    const validUntil = cleanText(c.validUntil);
    const url = cleanText(c.url);
    certifications.push({
      name,
      ...(body ? { body } : {}),
      ...(validUntil && /^\d{4}-\d{2}-\d{2}$/.test(validUntil) ? { validUntil } : {}),
      ...(url && isHttpUrl(url) ? { url } : {}),
    });
  }
  return certifications.length ? certifications : undefined;
}

/** Drops undefined members, keeping the insertion order (which is the fixed key order). */
function compact<T extends object>(obj: T): T {
  // (A plain loop: this runs for every passport a sync builds, and entries/filter/fromEntries
  // made three arrays each time.)
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const value = (obj as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/** The public content of a variant's passport. Pure and deterministic. */
export function buildPassportContent(source: PassportSource): PassportContent {
  const locale = cleanText(source.shop.primaryLocale) ?? "en";
  return compact<PassportContent>({
    format: PASSPORT_CONTENT_FORMAT,
    locale,
    brand: cleanText(readPublicValue(source, "vendor")) ?? cleanText(source.shop.name) ?? source.shop.domain,
    title: buildTitle(source, locale),
    description: cleanLocalized(readPublicValue(source, "description"), htmlToPlainText),
    variantTitle: buildVariantTitle(source),
    options: buildOptions(source),
    category: cleanText(readPublicValue(source, "category")),
    image: buildImage(source),
    gtin: buildGtin(source),
    materials: buildMaterials(source),
    countryOfProduction: cleanCountry(readPublicValue(source, "countryOfProduction")),
    manufacturer: cleanText(readPublicValue(source, "manufacturer")),
    facility: cleanText(readPublicValue(source, "facility")),
    careInstructions: cleanLocalized(readPublicValue(source, "careInstructions")),
    repairInstructions: cleanLocalized(readPublicValue(source, "repairInstructions")),
    recyclingInstructions: cleanLocalized(readPublicValue(source, "recyclingInstructions")),
    carbonFootprint: cleanNumber(readPublicValue(source, "carbonFootprint")),
    waterUse: cleanNumber(readPublicValue(source, "waterUse")),
    weight: cleanNumber(readPublicValue(source, "weight")),
    certifications: buildCertifications(source),
    noLongerSold: source.product.archived || source.variant.archived || salesStatusOf(source.product.values).noLongerSold,
  });
}

// ---------------------------------------------------------------------------------------------
// Hash and diff (version history)

/**
 * A version's content as it is stored: its canonical JSON (keys sorted, so equal content is equal
 * text), and the sha256 (hex) of that text, the version's content hash. Anyone holding a version's
 * JSON can check it against its hash.
 */
export function serializePassportContent(content: PassportContent): { json: string; hash: string } {
  const json = canonicalJson(content);
  return { json, hash: createHash("sha256").update(json).digest("hex") };
}

/** Content keys in display order, with the labels the admin's version history shows. */
export const PASSPORT_CONTENT_LABELS: Readonly<Record<PassportContentKey, string>> = {
  locale: "Default language",
  brand: fieldDef("vendor").label,
  title: fieldDef("title").label,
  description: fieldDef("description").label,
  variantTitle: "Variant",
  options: fieldDef("options").label,
  category: fieldDef("category").label,
  image: "Main image",
  gtin: fieldDef("barcode").label,
  materials: fieldDef("materials").label,
  countryOfProduction: fieldDef("countryOfProduction").label,
  manufacturer: fieldDef("manufacturer").label,
  facility: fieldDef("facility").label,
  careInstructions: fieldDef("careInstructions").label,
  repairInstructions: fieldDef("repairInstructions").label,
  recyclingInstructions: fieldDef("recyclingInstructions").label,
  carbonFootprint: fieldDef("carbonFootprint").label,
  waterUse: fieldDef("waterUse").label,
  weight: fieldDef("weight").label,
  certifications: fieldDef("certifications").label,
  noLongerSold: "No longer sold",
};

export interface PassportChange {
  key: PassportContentKey;
  label: string;
}

/**
 * What changed between two versions (added, removed or modified), in display order. With no
 * previous version every part the new content has counts as changed.
 */
export function diffPassportContent(prev: PassportContent | null, next: PassportContent): PassportChange[] {
  const keys = Object.keys(PASSPORT_CONTENT_LABELS) as PassportContentKey[];
  const changed = prev
    ? (key: PassportContentKey) => canonicalJson(prev[key]) !== canonicalJson(next[key])
    : (key: PassportContentKey) => next[key] !== undefined && next[key] !== false;
  return keys.filter(changed).map((key) => ({ key, label: PASSPORT_CONTENT_LABELS[key] }));
}

// ---------------------------------------------------------------------------------------------
// Choosing a locale

function language(locale: string): string {
  return locale.toLowerCase().split(/[-_]/)[0];
}

/**
 * Picks the text for the first preferred locale that has one: an exact match first, then the same
 * language ("de-CH" → "de", "de" → "de-AT"), then any locale (sorted, so the choice is stable).
 * Returns the locale actually used so a page can mark text in another language (`lang`).
 */
export function pickLocalized(
  text: LocalizedText | undefined,
  preferred: readonly (string | undefined)[],
): { locale: string; text: string } | undefined {
  if (!text) return undefined;
  const locales = Object.keys(text).filter((l) => text[l]).sort();
  if (!locales.length) return undefined;
  for (const wanted of preferred) {
    if (!wanted) continue;
    const exact = locales.find((l) => l.toLowerCase() === wanted.toLowerCase());
    const sameLanguage = locales.find((l) => language(l) === language(wanted));
    const found = exact ?? sameLanguage;
    if (found) return { locale: found, text: text[found] };
  }
  return { locale: locales[0], text: text[locales[0]] };
}

/** The locales to try for a reader who asked for `requested`: theirs, then the shop's default. */
export function localePreference(content: PassportContent, requested?: string): string[] {
  return [requested, content.locale].filter((l): l is string => !!l);
}
