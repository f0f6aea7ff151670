// The catalog's fields: one definition per field drives storage, validation, ownership, the Excel
// template/import/export, the admin forms and the passport. Add a field here and it appears
// everywhere without extra code.
import { z } from "zod";
import countries from "i18n-iso-countries";
import { normalizeGtin } from "../passports/gs1";

export type FieldLevel = "product" | "variant";

/** The shapes a field value can take. */
export type FieldKind =
  | "text"
  | "localizedText"
  | "number"
  | "stringList"
  | "imageList"
  | "country"
  | "gtin"
  | "materials"
  | "certifications"
  | "options";

export interface Material {
  material: string;
  /** Share of the product's mass, 0–100. */
  massPercent: number;
  /** Share of this material that is recycled, 0–100. */
  recycledPercent?: number;
  /** ISO 3166-1 alpha-2 country the material comes from. */
  originCountry?: string;
}

export interface Certification {
  name: string;
  body?: string;
  /** ISO date (YYYY-MM-DD). */
  validUntil?: string;
  url?: string;
}

export interface OptionValue {
  name: string;
  value: string;
}

export interface Image {
  url: string;
  alt?: string;
}

/** Text per locale ("en", "de" …). The shop's primary locale is the default. */
export type LocalizedText = Record<string, string>;

export interface FieldValueByKind {
  text: string;
  localizedText: LocalizedText;
  number: number;
  stringList: string[];
  imageList: Image[];
  country: string;
  gtin: string;
  materials: Material[];
  certifications: Certification[];
  options: OptionValue[];
}

export interface FieldDef<K extends FieldKind = FieldKind> {
  key: string;
  label: string;
  /** What the field means, for merchants (admin help text and the Excel instructions sheet). */
  help: string;
  level: FieldLevel;
  /** A product-level field whose value a variant may override. */
  variantOverride?: boolean;
  kind: K;
  unit?: string;
  /** Shown on the public passport. */
  passport: boolean;
  /** Claimed by an integration on connect, according to its role (GUIDE §2). */
  defaultOwner?: "primary" | "secondary";
  /** Required for a product to be created (structure). */
  requiredToCreate?: boolean;
  /** For a text field: the only values it takes, stored as spelled here (given in any case). */
  choices?: readonly string[];
  /**
   * Text that may be HTML (a Shopify description): edited as its source, read as its text
   * wherever it is shown (the passport, the admin's values and history).
   */
  html?: boolean;
}

const def = <const D extends FieldDef>(d: D): D => d;

/** A product's sales status (Shopify's ProductStatus, in the lower case of Shopify's product CSV). */
export const PRODUCT_STATUSES = ["active", "unlisted", "draft", "archived"] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/**
 * What a product's status means for its passports. Draft: not ready, so not published (as if held
 * back). Archived: no longer sold, so published with a notice. Without a status (catalogs from
 * before the field, Excel rows without the column) a product is published and sold.
 */
export function salesStatusOf(values: FieldValues): { published: boolean; noLongerSold: boolean } {
  const status = values.status;
  return { published: status !== "draft", noLongerSold: status === "archived" };
}

export const FIELDS = [
  def({ key: "title", label: "Title", help: "Product name as customers see it.", level: "product", kind: "localizedText", passport: true, defaultOwner: "primary", requiredToCreate: true }),
  def({ key: "description", label: "Description", help: "Product description (HTML allowed; shown as plain text on the passport).", level: "product", kind: "localizedText", html: true, passport: true, defaultOwner: "primary" }),
  def({ key: "images", label: "Images", help: "Image URLs (https), first one is the main image.", level: "product", kind: "imageList", passport: true, defaultOwner: "primary" }),
  def({ key: "vendor", label: "Brand / vendor", help: "The brand the product is sold under.", level: "product", kind: "text", passport: true, defaultOwner: "primary" }),
  def({ key: "productType", label: "Product type", help: "Your own product type, e.g. T-shirt.", level: "product", kind: "text", passport: false, defaultOwner: "primary" }),
  def({ key: "category", label: "Category", help: "Product category, e.g. Apparel > Tops > T-shirts.", level: "product", kind: "text", passport: true, defaultOwner: "primary" }),
  def({ key: "tags", label: "Tags", help: "Comma-separated tags.", level: "product", kind: "stringList", passport: false, defaultOwner: "primary" }),
  def({
    key: "status",
    label: "Product status",
    help: "Whether the product is sold, as in Shopify: active (sold), unlisted (sold, reached by its link only), draft (not ready: its passports are not published) or archived (no longer sold: its passports say so). Empty means sold.",
    level: "product",
    kind: "text",
    choices: PRODUCT_STATUSES,
    passport: false,
    defaultOwner: "primary",
  }),
  def({ key: "materials", label: "Materials", help: "Composition by mass: material, % of the product, % recycled, country of origin. Shares add up to 100.", level: "product", variantOverride: true, kind: "materials", passport: true }),
  def({ key: "countryOfProduction", label: "Country of production", help: "Where the product was made (ISO 3166 two-letter code, e.g. PT).", level: "product", variantOverride: true, kind: "country", passport: true }),
  def({ key: "manufacturer", label: "Manufacturer", help: "Legal name of the manufacturer.", level: "product", kind: "text", passport: true }),
  def({ key: "facility", label: "Facility", help: "Name and town of the factory that made the product.", level: "product", variantOverride: true, kind: "text", passport: true }),
  def({ key: "careInstructions", label: "Care instructions", help: "How to wash, dry and iron the product.", level: "product", kind: "localizedText", passport: true }),
  def({ key: "repairInstructions", label: "Repair information", help: "How the product can be repaired, and where.", level: "product", kind: "localizedText", passport: true }),
  def({ key: "recyclingInstructions", label: "Recycling information", help: "How to dispose of or recycle the product at end of life.", level: "product", kind: "localizedText", passport: true }),
  def({ key: "carbonFootprint", label: "Carbon footprint", help: "Product carbon footprint over its life cycle.", level: "product", variantOverride: true, kind: "number", unit: "kg CO2e", passport: true }),
  def({ key: "waterUse", label: "Water use", help: "Water used to make the product.", level: "product", variantOverride: true, kind: "number", unit: "L", passport: true }),
  def({ key: "certifications", label: "Certifications", help: "Certificates the product holds: name, certifying body, valid until, link.", level: "product", kind: "certifications", passport: true }),
  def({ key: "weight", label: "Weight", help: "Net weight of one item.", level: "product", variantOverride: true, kind: "number", unit: "g", passport: true, defaultOwner: "primary" }),
  def({ key: "sku", label: "SKU", help: "Your stock keeping unit, unique per variant.", level: "variant", kind: "text", passport: false, defaultOwner: "secondary" }),
  def({ key: "barcode", label: "Barcode (GTIN)", help: "GTIN-8, 12 (UPC), 13 (EAN) or 14 with a valid check digit; stored as GTIN-14.", level: "variant", kind: "gtin", passport: true, defaultOwner: "secondary" }),
  def({ key: "options", label: "Options", help: "Option values that tell variants apart, e.g. Size M, Colour Blue.", level: "variant", kind: "options", passport: true, defaultOwner: "primary" }),
] as const satisfies readonly FieldDef[];

export type FieldKey = (typeof FIELDS)[number]["key"];
export type FieldValueOf<F extends FieldKey> = FieldValueByKind[Extract<(typeof FIELDS)[number], { key: F }>["kind"]];
/** A partial set of field values, as integrations deliver them and the catalog stores them. */
export type FieldValues = { [F in FieldKey]?: FieldValueOf<F> };

export const FIELD_KEYS: readonly FieldKey[] = FIELDS.map((f) => f.key);
const byKey = new Map<string, FieldDef>(FIELDS.map((f) => [f.key, f]));

export function isFieldKey(key: string): key is FieldKey {
  return byKey.has(key);
}

export function fieldDef(key: FieldKey): FieldDef {
  return byKey.get(key)!;
}

/** Fields a record may carry at the given level (variant level includes product overrides). */
export function fieldsAtLevel(level: FieldLevel): FieldDef[] {
  return FIELDS.filter((f) => f.level === level || (level === "variant" && "variantOverride" in f && f.variantOverride));
}

// ---------------------------------------------------------------------------------------------
// Validation: every value entering the catalog goes through parseFieldValue.

export function isCountryCode(code: string): boolean {
  return countries.isValid(code) && /^[A-Z]{2}$/.test(code);
}

const percent = z.number().min(0, "must be 0 or more").max(100, "must be 100 or less");
const country = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine(isCountryCode, { message: "is not an ISO 3166 two-letter country code (e.g. PT, DE, CN)" });
const nonEmpty = z.string().trim().min(1, "must not be empty");
/** A name, tag or option value. */
const shortText = nonEmpty.max(255, "is longer than 255 characters; shorten it to 255 at most");

/**
 * An http(s) URL as RFC 3986 spells it, the "uri" format the UNTP schema requires of links: only
 * unreserved characters, sub-delimiters, ":", "@", "/", "?" and %-escapes, one "#", and "[…]" only
 * around an IPv6 host.
 */
const RFC3986_HTTP_URL =
  /^https?:\/\/(?:[\w\-.~!$&'()*+,;=:@]|%[\dA-F]{2}|\[[\dA-F:.]+\])+(?:[\w\-.~!$&'()*+,;=:@/?]|%[\dA-F]{2})*(?:#(?:[\w\-.~!$&'()*+,;=:@/?]|%[\dA-F]{2})*)?$/i;
/** A character RFC 3986 forbids in a path, query or fragment, or a "%" that starts no escape. */
const NOT_URI_CHAR = /[^\w\-.~!$&'()*+,;=:@/?%]|%(?![\dA-F]{2})/gi;

/**
 * An http(s) URL in the form a passport can publish: what WHATWG's URL parser (browsers, zod's
 * `.url()`) accepts but RFC 3986 forbids is percent-encoded — spaces and non-ASCII by the parser,
 * then what it leaves ("|", "^", "`", "{", "}", "[", "]" after the host, a second "#", a bare "%").
 * A URL that is already valid comes back byte for byte, not re-serialized: stored values and
 * passport hashes must not change for the URLs every catalog holds (Shopify's CDN links). So a
 * stored URL gives itself back (idempotent). undefined: not an http(s) URL, or one no encoding
 * makes valid (a host such as `a{b}.com`, which WHATWG accepts).
 */
export function normalizeHttpUrl(raw: string): string | undefined {
  const url = raw.trim();
  if (RFC3986_HTTP_URL.test(url)) return url;
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  // The serialized host and user info hold no "/" (the parser escapes it in user info), so the
  // first "/" after "scheme://" starts the path; a "#" in the fragment is escaped like the rest.
  const href = parsed.href;
  const pathAt = href.indexOf("/", parsed.protocol.length + 2);
  const hashAt = href.indexOf("#", pathAt);
  const escape = (part: string) => part.replace(NOT_URI_CHAR, (c) => (c === "%" ? "%25" : encodeURIComponent(c)));
  const normalized =
    hashAt === -1
      ? href.slice(0, pathAt) + escape(href.slice(pathAt))
      : `${href.slice(0, pathAt)}${escape(href.slice(pathAt, hashAt))}#${escape(href.slice(hashAt + 1))}`;
  return RFC3986_HTTP_URL.test(normalized) ? normalized : undefined;
}

/** Stored normalized (normalizeHttpUrl), so the catalog shows the link its passports publish. */
const httpUrl = z
  .string()
  .trim()
  .url("is not a valid URL")
  .refine((u) => /^https?:\/\//i.test(u), { message: "must start with http:// or https://" })
  .transform((u, ctx) => {
    const url = normalizeHttpUrl(u);
    if (url === undefined) {
      ctx.addIssue({ code: "custom", message: "is not a valid URL" });
      return z.NEVER;
    }
    return url;
  });
const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { message: "is not a real date" });

/** Longest text a field accepts: long enough for any description, short enough to stop abuse. */
export const MAX_TEXT_LENGTH = 65_535;
const text = z.string().max(MAX_TEXT_LENGTH, `is longer than ${MAX_TEXT_LENGTH} characters`);

const KIND_SCHEMAS: { [K in FieldKind]: z.ZodType<FieldValueByKind[K]> } = {
  text,
  localizedText: z.record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "is not a locale code"), text),
  number: z.number().finite("must be a number").min(0, "must be 0 or more"),
  // Limits say what to do: they reach merchants as they are (zod's own is "Too big: expected array to have <=250 items").
  stringList: z.array(shortText).max(250, "has more than 250 entries; keep at most 250"),
  imageList: z.array(z.object({ url: httpUrl, alt: text.optional() })).max(250, "has more than 250 images; keep at most 250"),
  country,
  gtin: z.string().transform((raw, ctx) => {
    const result = normalizeGtin(raw);
    if (!result.ok) {
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    }
    return result.gtin;
  }),
  materials: z
    .array(
      z.object({
        material: shortText,
        massPercent: percent,
        recycledPercent: percent.optional(),
        originCountry: country.optional(),
      }),
    )
    .max(50, "has more than 50 materials; keep at most 50")
    .refine((ms) => ms.length === 0 || Math.abs(ms.reduce((s, m) => s + m.massPercent, 0) - 100) < 0.01, {
      message: "material shares must add up to 100%",
    }),
  certifications: z
    .array(z.object({ name: shortText, body: text.optional(), validUntil: isoDate.optional(), url: httpUrl.optional() }))
    .max(50, "has more than 50 certifications; keep at most 50"),
  options: z.array(z.object({ name: shortText, value: shortText })).max(3, "a variant has at most 3 options"),
};

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Checks and normalizes a value for a field (e.g. a GTIN-13 becomes GTIN-14). */
export function parseFieldValue<F extends FieldKey>(key: F, value: unknown): ParseResult<FieldValueOf<F>> {
  const d = fieldDef(key);
  const result = KIND_SCHEMAS[d.kind].safeParse(value);
  if (result.success && d.choices) return parseChoice(d, d.choices, result.data);
  if (result.success) return { ok: true, value: result.data as FieldValueOf<F> };
  const issue = result.error.issues[0];
  const where = issue.path.length ? ` (${issue.path.join(".")})` : "";
  return { ok: false, error: `${d.label}${where}: ${issue.message}` };
}

/** A value of a field with fixed choices, in the choice's own spelling. */
function parseChoice<T>(d: FieldDef, choices: readonly string[], value: unknown): ParseResult<T> {
  const text = typeof value === "string" ? value.trim().toLowerCase() : "";
  const choice = choices.find((c) => c.toLowerCase() === text);
  if (choice !== undefined) return { ok: true, value: choice as T };
  const list = `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
  return { ok: false, error: `${d.label}: is not one of the values it takes (${list})` };
}

/**
 * Canonical JSON of a value: equal values give equal strings (object keys sorted), otherwise what
 * JSON.stringify writes. Stored values and passport hashes are these strings, so the output must
 * never change. A sync makes one per value (hundreds of thousands): primitives go straight to
 * JSON.stringify, and objects are copied with sorted keys and written by one JSON.stringify
 * without a replacer (twice as fast as sorting in a replacer, and one flat string).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value === null || typeof value !== "object" ? value : sortedCopy(value, 0));
}

/** Deeper than any value we store: a value that contains itself ends here instead of overflowing the stack. */
const MAX_DEPTH = 1000;

/**
 * The value with the keys of every object sorted, as JSON.stringify sees it (toJSON applied).
 * Copies are plain objects (V8 keeps them fast; a null-prototype object is a slower dictionary),
 * with "__proto__" defined as a key of its own.
 */
function sortedCopy(value: unknown, depth: number): unknown {
  const v = value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function" ? (value as { toJSON(key: string): unknown }).toJSON("") : value;
  if (v === null || typeof v !== "object") return v;
  if (depth > MAX_DEPTH) throw new TypeError("Converting circular structure to JSON");
  if (Array.isArray(v)) {
    const copy = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) copy[i] = sortedCopy(v[i], depth + 1);
    return copy;
  }
  const record = v as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const item = sortedCopy(record[key], depth + 1);
    // JSON.stringify leaves these out of an object (and a function left in could be a toJSON).
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    if (key === "__proto__") Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}
