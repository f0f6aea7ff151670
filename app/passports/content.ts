// The content of a passport: exactly what the public passport shows, built from the catalog.
//
// A passport version is immutable and identified by the hash of this content, so the builder is
// deterministic: no timestamps, no generated ids, keys in a fixed order, locale keys sorted,
// absent data left out (never `undefined`, never empty arrays or strings).
//
// Only catalog fields marked `passport: true` in the registry are read (see `publicFieldOrigin`);
// admin data such as SKU, tags and product type can therefore never reach a public page. Besides
// registry fields, the content holds: the brand fallback (the shop name), the shop's primary locale
// (default language of the texts), the variant title and `noLongerSold` (product or variant
// archived in its source, or the product's status is "archived": no longer sold).
import { LRUCache } from "lru-cache";
import sanitizeHtml from "sanitize-html";
import { canonicalJson, fieldDef, normalizeHttpUrl, salesStatusOf, type FieldKey, type FieldValues, type LocalizedText } from "../catalog/fields";
import { normalizeGtin } from "./gs1";
import { sha256 } from "../crypto/sha256";

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

/** Where the value a variant's passport shows for a catalog field comes from. */
type FieldOrigin =
  /** The product's value: a product-level field. */
  | "product"
  /** The variant's value: a variant-level field. */
  | "variant"
  /** The variant's value where it has one, else the product's: a product field a variant may override. */
  | "override";

/**
 * Where a field's effective value for a variant comes from, as the registry says. Refuses fields
 * that are not public: this is the one gate between admin data and the passport. (Every field
 * the content is built from passes it when this module loads: see CONTENT_FIELDS.)
 */
function publicFieldOrigin(key: FieldKey): FieldOrigin {
  const def = fieldDef(key);
  if (!def) throw new Error(`Unknown catalog field "${key}"`);
  if (!def.passport) throw new Error(`Field "${key}" is not public and cannot appear on a passport`);
  if (def.level === "variant") return "variant";
  return def.variantOverride ? "override" : "product";
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
 * paragraphs, list items and table rows stay readable, and the cells of a row are a space apart.
 * The result is text, to be escaped wherever it is shown.
 */
export function htmlToPlainText(html: string): string {
  const cached = plainTextCache.get(html);
  if (cached !== undefined) return cached;
  const text = convertHtmlToPlainText(html);
  plainTextCache.set(html, text);
  return text;
}

/**
 * Where a block element opens (or a dt/dd closes) the text needs a line break, unless it already
 * has one on either side. Opening tags cannot simply become "\n" like closing ones: every
 * `</p><p>` would turn into a blank line and change the text of ordinary descriptions. A list
 * item's bullet starts a line as well (`<li><p>…`, as editors paste lists, keeps "• …" on one
 * line). The markers are private-use characters, removed from the input first so that no
 * description can hold them.
 */
const SOFT_BREAK = "\uE000";
const BULLET = "\uE001";
const BLOCK = "p|div|h[1-6]|tr|blockquote|section|article|ul|ol|dl|table|pre";
const BLOCK_END = new RegExp(`</(?:${BLOCK})\\s*>`, "gi");
const SOFT_BREAK_TAG = new RegExp(`<(?:${BLOCK}|dt|dd)\\b[^>]*>|</(?:dt|dd)\\s*>`, "gi");
const SOFT_BREAK_RUN = new RegExp(`(?:[ \\t\\r]*${SOFT_BREAK})+[ \\t\\r]*`, "g");

/**
 * Whitespace around table tags is source formatting (editors write a line per row or cell), and
 * would split a row over several lines: dropped. The lookbehind starts a match only where a run of
 * whitespace starts, so that long runs cost linear time.
 */
const TABLE_TAG = "</?(?:table|thead|tbody|tfoot|tr|th|td)\\b";
const TABLE_TAG_SPACE = new RegExp(`(?<![ \\t\\r\\n\\f])[ \\t\\r\\n\\f]+(?=${TABLE_TAG})|(${TABLE_TAG}[^>]*>)[ \\t\\r\\n\\f]+`, "gi");

function convertHtmlToPlainText(html: string): string {
  const withBreaks = html
    .replaceAll(SOFT_BREAK, "")
    .replaceAll(BULLET, "")
    .replace(TABLE_TAG_SPACE, "$1")
    .replace(/<br\b[^>]*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, `\n${BULLET}`)
    .replace(BLOCK_END, "\n")
    .replace(SOFT_BREAK_TAG, SOFT_BREAK)
    // The cells of a row stay on its line, a space apart (a tab would show as a space anyway).
    .replace(/<t[dh]\b[^>]*>/gi, " ");
  const text = textOfHtml(withBreaks)
    .replace(SOFT_BREAK_RUN, (run: string, offset: number, whole: string) => {
      const before = whole[offset - 1];
      const after = whole[offset + run.length];
      return before === undefined || before === "\n" || before === BULLET || after === undefined || after === "\n" ? "" : "\n";
    })
    .replaceAll(BULLET, "• ");
  return text
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map((line) => line.replace(/[ \t\r\f\v]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The text of HTML, tags dropped, with sanitize-html. */
function textOfHtml(html: string): string {
  const stripped = sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "head", "iframe", "object"],
  });
  return SANITIZER_ENTITIES.reduce((text, [pattern, char]) => text.replace(pattern, char), stripped);
}

// ---------------------------------------------------------------------------------------------
// Building the content, one small function per part, each from its field's effective value

/** What a part may need besides its field's value: the shop, and the product's handle. */
interface PartContext {
  shop: PassportSource["shop"];
  /** The shop's primary locale (default "en"). */
  locale: string;
  handle: string;
}

function buildBrand(vendor: unknown, { shop }: PartContext): string {
  return cleanText(vendor) ?? cleanText(shop.name) ?? shop.domain;
}

function buildTitle(title: unknown, { locale, handle }: PartContext): LocalizedText {
  return cleanLocalized(title) ?? { [locale]: handle };
}

/** A link the passport can publish, normalized again: values stored before the catalog normalized
 *  URLs may hold a space or "|", which the UNTP schema's "uri" format refuses. */
function cleanUrl(value: unknown): string | undefined {
  return typeof value === "string" ? normalizeHttpUrl(value) : undefined;
}

function buildImage(images: unknown): PassportImage | undefined {
  if (!Array.isArray(images)) return undefined;
  for (const img of images) {
    if (!isRecord(img)) continue;
    const url = cleanUrl(img.url);
    if (url === undefined) continue;
    const alt = cleanText(img.alt);
    return { url, ...(alt ? { alt } : {}) };
  }
  return undefined;
}

/** Shopify names the single variant of a product "Default Title": not worth showing. */
const DEFAULT_VARIANT_TITLE = "Default Title";

function buildVariantTitle(variantTitle: string): string | undefined {
  const title = cleanText(variantTitle);
  return title && title !== DEFAULT_VARIANT_TITLE ? title : undefined;
}

function buildOptions(options: unknown): PassportOption[] | undefined {
  if (!Array.isArray(options)) return undefined;
  const cleaned = options
    .filter(isRecord)
    .map((o) => ({ name: cleanText(o.name), value: cleanText(o.value) }))
    .filter((o): o is PassportOption => !!o.name && !!o.value && o.value !== DEFAULT_VARIANT_TITLE);
  return cleaned.length ? cleaned : undefined;
}

function buildGtin(raw: unknown): string | undefined {
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const result = normalizeGtin(raw);
  return result.ok ? result.gtin : undefined;
}

function buildMaterials(raw: unknown): PassportMaterial[] | undefined {
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

function buildCertifications(raw: unknown): PassportCertification[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const certifications: PassportCertification[] = [];
  for (const c of raw) {
    if (!isRecord(c)) continue;
    const name = cleanText(c.name);
    if (!name) continue;
    const body = cleanText(c.body);
    const validUntil = cleanText(c.validUntil);
    const url = cleanUrl(c.url);
    certifications.push({
      name,
      ...(body ? { body } : {}),
      ...(validUntil && /^\d{4}-\d{2}-\d{2}$/.test(validUntil) ? { validUntil } : {}),
      ...(url ? { url } : {}),
    });
  }
  return certifications.length ? certifications : undefined;
}

/**
 * The keys of a content object in their fixed order (the order of PassportContent). The order
 * shows in a content object, not in its stored JSON (canonical: keys sorted).
 */
const CONTENT_KEYS = [
  "format",
  "locale",
  "brand",
  "title",
  "description",
  "variantTitle",
  "options",
  "category",
  "image",
  "gtin",
  "materials",
  "countryOfProduction",
  "manufacturer",
  "facility",
  "careInstructions",
  "repairInstructions",
  "recyclingInstructions",
  "carbonFootprint",
  "waterUse",
  "weight",
  "certifications",
  "noLongerSold",
] as const satisfies readonly (keyof PassportContent)[];

type ContentKey = (typeof CONTENT_KEYS)[number];
/** Where a key's value sits in the value arrays below (a content's values in CONTENT_KEYS order). */
const slotOf = (key: ContentKey): number => CONTENT_KEYS.indexOf(key);

/** The parts of the content built from a catalog field, each from the field's effective value for the variant. */
const CONTENT_FIELDS = (
  [
    { key: "brand", field: "vendor", build: buildBrand },
    { key: "title", field: "title", build: buildTitle },
    { key: "description", field: "description", build: (value) => cleanLocalized(value, htmlToPlainText) },
    { key: "options", field: "options", build: buildOptions },
    { key: "category", field: "category", build: cleanText },
    { key: "image", field: "images", build: buildImage },
    { key: "gtin", field: "barcode", build: buildGtin },
    { key: "materials", field: "materials", build: buildMaterials },
    { key: "countryOfProduction", field: "countryOfProduction", build: cleanCountry },
    { key: "manufacturer", field: "manufacturer", build: cleanText },
    { key: "facility", field: "facility", build: cleanText },
    { key: "careInstructions", field: "careInstructions", build: (value) => cleanLocalized(value) },
    { key: "repairInstructions", field: "repairInstructions", build: (value) => cleanLocalized(value) },
    { key: "recyclingInstructions", field: "recyclingInstructions", build: (value) => cleanLocalized(value) },
    { key: "carbonFootprint", field: "carbonFootprint", build: cleanNumber },
    { key: "waterUse", field: "waterUse", build: cleanNumber },
    { key: "weight", field: "weight", build: cleanNumber },
    { key: "certifications", field: "certifications", build: buildCertifications },
  ] satisfies { key: ContentKey; field: FieldKey; build: (value: unknown, context: PartContext) => unknown }[]
).map((part) => ({ ...part, slot: slotOf(part.key), origin: publicFieldOrigin(part.field) }) as const);

/** Parts the product gives (its own fields, and the default of those a variant may override)… */
const PRODUCT_PARTS = CONTENT_FIELDS.filter((part) => part.origin !== "variant");
/** …and parts a variant gives or may override. */
const VARIANT_PARTS = CONTENT_FIELDS.filter((part) => part.origin !== "product");

const FORMAT_SLOT = slotOf("format");
const LOCALE_SLOT = slotOf("locale");
const VARIANT_TITLE_SLOT = slotOf("variantTitle");
const NO_LONGER_SOLD_SLOT = slotOf("noLongerSold");

/**
 * The members of canonical JSON of a content, in the order canonicalJson writes them (it sorts an
 * object's keys with the default sort, as here), each with the `"key":` its member starts with.
 */
const CANONICAL_MEMBERS = [...CONTENT_KEYS].sort().map((key) => ({ slot: slotOf(key), start: `${JSON.stringify(key)}:` }));

/**
 * What the passports of one product's variants share: the content the product gives them (all
 * but the parts a variant has, or overrides), and each of those parts' canonical JSON once it is
 * written. A sync builds one per product and every variant's passport from it
 * (`variantPassport`): the product's parts are built, and serialized, once instead of per variant.
 * Treat it as opaque and read-only.
 */
export interface ProductPassport {
  readonly context: PartContext;
  /** The product's content values, by slot (undefined: absent, or a variant's part). */
  readonly values: readonly unknown[];
  /** `"key":json` of each value in `values`, by slot, written when first needed. */
  readonly members: (string | undefined)[];
  readonly archived: boolean;
  /** The product's status is "archived": no longer sold. */
  readonly statusNoLongerSold: boolean;
}

/** The part of its variants' passports a product gives (see ProductPassport). Pure. */
export function productPassport(shop: PassportSource["shop"], product: PassportSource["product"]): ProductPassport {
  const context: PartContext = { shop, locale: cleanText(shop.primaryLocale) ?? "en", handle: product.handle };
  const values = new Array<unknown>(CONTENT_KEYS.length).fill(undefined);
  values[FORMAT_SLOT] = PASSPORT_CONTENT_FORMAT;
  values[LOCALE_SLOT] = context.locale;
  for (const part of PRODUCT_PARTS) values[part.slot] = part.build(product.values[part.field], context);
  return {
    context,
    values,
    members: new Array<string | undefined>(CONTENT_KEYS.length).fill(undefined),
    archived: product.archived,
    statusNoLongerSold: salesStatusOf(product.values).noLongerSold,
  };
}

/** A variant's content values, by slot: its product's, with the variant's own parts and overrides. */
function variantValues(product: ProductPassport, variant: PassportSource["variant"]): unknown[] {
  const values = product.values.slice();
  for (const part of VARIANT_PARTS) {
    const value = variant.values[part.field];
    // An empty override (blank text, empty list) means "not set on the variant", not "erase".
    if (part.origin === "variant" || hasData(value)) values[part.slot] = part.build(value, product.context);
  }
  values[VARIANT_TITLE_SLOT] = buildVariantTitle(variant.title);
  values[NO_LONGER_SOLD_SLOT] = product.archived || variant.archived || product.statusNoLongerSold;
  return values;
}

/** The content object of values by slot: keys in the fixed order, absent ones left out. */
function contentOf(values: readonly unknown[]): PassportContent {
  const content: Partial<Record<ContentKey, unknown>> = {};
  for (let slot = 0; slot < CONTENT_KEYS.length; slot++) {
    if (values[slot] !== undefined) content[CONTENT_KEYS[slot]] = values[slot];
  }
  return content as PassportContent;
}

/** The public content of a variant's passport. Pure and deterministic. */
export function buildPassportContent(source: PassportSource): PassportContent {
  return contentOf(variantValues(productPassport(source.shop, source.product), source.variant));
}

/**
 * A variant's passport from its product's shared part: the content (as buildPassportContent
 * builds it) and the content serialized as a version stores it (as serializePassportContent
 * writes it, byte for byte). The canonical JSON is assembled from its members in sorted key
 * order, and the members of values the variant takes from its product are written once per
 * product. (The content shares those values with the product's other variants: read-only.)
 */
export function variantPassport(product: ProductPassport, variant: PassportSource["variant"]): { content: PassportContent; json: string; hash: string } {
  const values = variantValues(product, variant);
  let json = "";
  for (const { slot, start } of CANONICAL_MEMBERS) {
    const value = values[slot];
    if (value === undefined) continue;
    // The product's own value (the same object, or an equal primitive): its member as written before.
    const member = value === product.values[slot] ? (product.members[slot] ??= start + canonicalJson(value)) : start + canonicalJson(value);
    json = json === "" ? `{${member}` : `${json},${member}`;
  }
  json = json === "" ? "{}" : `${json}}`;
  return { content: contentOf(values), json, hash: sha256(json, "hex") };
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
  return { json, hash: sha256(json, "hex") };
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
