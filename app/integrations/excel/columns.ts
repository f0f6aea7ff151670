// The spreadsheet's column layout, derived from the field registry (app/catalog/fields.ts).
//
// Sheet "Products", one row per variant; the rows of one product share a "Product Handle".
//   Product Handle | product fields … | variant fields … | Archived in source (export only)
// - number fields carry their unit in the header: "Carbon footprint (kg CO2e)", "Weight (g)";
// - localizedText fields: one column for the shop's primary locale ("Title") and optional
//   translation columns "Title [de]", "Care instructions [fr]";
// - materials, certifications and options are repeated groups of columns:
//   "Material 1", "Material 1 %", "Material 1 Recycled %", "Material 1 Origin" … (6 groups),
//   "Certification 1 Name/Body/Valid until/Link" … (3), "Option1 Name", "Option1 Value" … (3).
// Headers are matched on import ignoring case and whitespace; any group number is recognized
// ("Material 7 %"), so a merchant may add groups.
// A field added to the registry gets its column(s) here without further code.
import { FIELDS, type FieldDef, type FieldKind } from "../../catalog/fields";

export const PRODUCTS_SHEET = "Products";
export const INSTRUCTIONS_SHEET = "Instructions";
export const LISTS_SHEET = "Lists";
/** Added to an export that had to leave values out (sheets.ts productRows). */
export const EXPORT_NOTES_SHEET = "Export notes";
export const HANDLE_HEADER = "Product Handle";
/** Written on export; ignored on import (never a warning). */
export const ARCHIVED_HEADER = "Archived in source";

/** How a cell is read and written. */
export type CellFormat =
  | "handle"
  | "flag"
  | "text"
  | "longText"
  | "number"
  | "percent"
  | "country"
  | "gtin"
  | "list"
  | "urls"
  | "url"
  | "date";

export type GroupKind = Extract<FieldKind, "materials" | "certifications" | "options">;
export const GROUP_KINDS: readonly GroupKind[] = ["materials", "certifications", "options"];

export function isGroupKind(kind: FieldKind): kind is GroupKind {
  return (GROUP_KINDS as readonly string[]).includes(kind);
}

/** Most groups a kind can have (a variant has at most 3 options); others are open-ended. */
export const MAX_GROUPS: Readonly<Partial<Record<GroupKind, number>>> = Object.freeze({ options: 3 });

/** Number of column groups written for each repeated kind (import accepts any number). */
export const DEFAULT_GROUP_COUNTS: Readonly<Record<GroupKind, number>> = Object.freeze({
  materials: 6,
  certifications: 3,
  options: 3,
});

export interface GroupPartDef {
  /** Property of the item (Material.massPercent …). */
  part: string;
  /** Header after "Material 1": "", " %", " Recycled %" … */
  suffix: string;
  format: CellFormat;
  /** The item is incomplete without it. */
  required: boolean;
  description: string;
}

/** The columns of one group, per repeated kind. */
export const GROUP_PARTS: Readonly<Record<GroupKind, readonly GroupPartDef[]>> = {
  materials: [
    { part: "material", suffix: "", format: "text", required: true, description: "Name of the material, e.g. Organic cotton." },
    { part: "massPercent", suffix: " %", format: "percent", required: true, description: "Share of the product's mass, 0–100. The shares of all materials add up to 100." },
    { part: "recycledPercent", suffix: " Recycled %", format: "percent", required: false, description: "Share of this material that is recycled, 0–100 (optional)." },
    { part: "originCountry", suffix: " Origin", format: "country", required: false, description: "Country the material comes from: ISO 3166 two-letter code (optional)." },
  ],
  certifications: [
    { part: "name", suffix: " Name", format: "text", required: true, description: "Name of the certificate, e.g. GOTS." },
    { part: "body", suffix: " Body", format: "text", required: false, description: "Organisation that issued it (optional)." },
    { part: "validUntil", suffix: " Valid until", format: "date", required: false, description: "Expiry date (optional)." },
    { part: "url", suffix: " Link", format: "url", required: false, description: "Link to the certificate, starting with https:// (optional)." },
  ],
  options: [
    { part: "name", suffix: " Name", format: "text", required: true, description: "Option name, e.g. Size." },
    { part: "value", suffix: " Value", format: "text", required: true, description: "This variant's value for the option, e.g. M." },
  ],
};

export type ColumnRole =
  | { type: "handle" }
  | { type: "archived" }
  /** A field in one cell; `locale` is set only on translation columns of localizedText fields. */
  | { type: "field"; field: FieldDef; locale?: string }
  /** One part of a repeated group (1-based index). */
  | { type: "group"; field: FieldDef & { kind: GroupKind }; index: number; part: GroupPartDef };

export interface Column {
  /** Stable id: "handle", "title", "title[de]", "materials.1.massPercent", "archived". */
  key: string;
  header: string;
  role: ColumnRole;
  format: CellFormat;
  /** Column width in characters. */
  width: number;
  /** The column must exist (Product Handle). */
  required: boolean;
  /** Needed to create a new product (e.g. Title), from the registry's requiredToCreate. */
  requiredToCreate: boolean;
  unit?: string;
  /** For the Instructions sheet: what the column means and how to fill it. */
  description: string;
}

export interface LayoutOptions {
  /** The shop's primary locale ("en"): its text goes into the plain columns ("Title"). */
  primaryLocale: string;
  /** Translation locales written as extra columns ("Title [de]"); the primary locale is skipped. */
  locales?: readonly string[];
  /** The field registry; defaults to FIELDS. */
  fields?: readonly FieldDef[];
  /** Column groups per repeated kind; defaults to DEFAULT_GROUP_COUNTS. */
  groups?: Partial<Record<GroupKind, number>>;
  /** Add the "Archived in source" column (export). */
  archivedColumn?: boolean;
}

export interface ColumnLayout {
  primaryLocale: string;
  /** Translation locales with columns, primary locale excluded. */
  locales: string[];
  fields: readonly FieldDef[];
  groups: Record<GroupKind, number>;
  columns: Column[];
}

// ---------------------------------------------------------------------------------------------
// Locales

const LOCALE_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** "PT_br" → "pt-BR", "zh-hant" → "zh-Hant"; null when it is not a locale code. */
export function canonicalLocale(raw: string): string | null {
  const parts = raw.trim().split(/[-_]/);
  if (parts.some((p) => p === "")) return null;
  const out = parts.map((p, i) => {
    if (i === 0) return p.toLowerCase();
    if (p.length === 2) return p.toUpperCase();
    if (p.length === 4) return p[0].toUpperCase() + p.slice(1).toLowerCase();
    return p.toLowerCase();
  });
  const locale = out.join("-");
  return LOCALE_RE.test(locale) ? locale : null;
}

function requireLocale(raw: string): string {
  const locale = canonicalLocale(raw);
  if (!locale) throw new TypeError(`"${raw}" is not a locale code`);
  return locale;
}

// ---------------------------------------------------------------------------------------------
// Building columns

const FORMAT_BY_KIND: Record<Exclude<FieldKind, GroupKind>, CellFormat> = {
  text: "text",
  localizedText: "longText",
  number: "number",
  stringList: "list",
  imageList: "urls",
  country: "country",
  gtin: "gtin",
};

const WIDTH_BY_FORMAT: Record<CellFormat, number> = {
  handle: 28,
  flag: 12,
  text: 24,
  longText: 40,
  number: 16,
  percent: 12,
  country: 12,
  gtin: 18,
  list: 28,
  urls: 44,
  url: 36,
  date: 14,
};

/** What a format expects, for the Instructions sheet. */
export function formatDescription(format: CellFormat, unit?: string): string {
  switch (format) {
    case "handle":
      return "Lowercase letters, digits and hyphens, e.g. organic-cotton-tee. Rows with the same handle are variants of one product.";
    case "flag":
      return "Written on export; ignored on import.";
    case "text":
      return "Text.";
    case "longText":
      return "Text; line breaks are kept.";
    case "number":
      return unit ? `Number in ${unit}, 0 or more, without the unit (e.g. 12.5 or 12,5).` : "Number, 0 or more (e.g. 12.5 or 12,5).";
    case "percent":
      return "Percentage 0–100, e.g. 95 (a % sign is allowed).";
    case "country":
      return "ISO 3166 two-letter country code (PT, DE, CN …); pick it from the dropdown.";
    case "gtin":
      return "GTIN-8, 12 (UPC), 13 (EAN) or 14 digits with a valid check digit. Format the column as Text so leading zeros stay.";
    case "list":
      return "Comma-separated list.";
    case "urls":
      return "One or more links starting with https://, one per line or separated by commas.";
    case "url":
      return "A link starting with https://.";
    case "date":
      return "Date: an Excel date or YYYY-MM-DD.";
  }
}

function levelDescription(field: FieldDef): string {
  if (field.kind === "options") return "Per variant: every row gives its own values; the option names may be given on one row of the product only.";
  if (field.level === "variant") return "Per variant: fill it in on every row.";
  if (field.variantOverride) {
    return "Product value that a variant may override: the same value on every row (or on one row only) is the product's value; different values on different rows are each variant's own value.";
  }
  return "Per product: fill it in on one row of the product (usually the first) or repeat the same value on every row.";
}

function fieldHeader(field: FieldDef): string {
  return field.unit ? `${field.label} (${field.unit})` : field.label;
}

/** "Materials" → "Material", "Options" → "Option": the prefix of a group's headers. */
function groupPrefix(field: FieldDef): string {
  return field.label.endsWith("s") ? field.label.slice(0, -1) : field.label;
}

function groupHeader(field: FieldDef, index: number, part: GroupPartDef): string {
  // Options follow Shopify's product CSV ("Option1 Name"); other groups read "Material 1 %".
  const sep = field.kind === "options" ? "" : " ";
  return `${groupPrefix(field)}${sep}${index}${part.suffix}`;
}

export function handleColumn(): Column {
  return {
    key: "handle",
    header: HANDLE_HEADER,
    role: { type: "handle" },
    format: "handle",
    width: WIDTH_BY_FORMAT.handle,
    required: true,
    requiredToCreate: true,
    description: "Identifies the product. Every row needs one; rows with the same handle are the variants of one product.",
  };
}

export function archivedColumn(): Column {
  return {
    key: "archived",
    header: ARCHIVED_HEADER,
    role: { type: "archived" },
    format: "flag",
    width: WIDTH_BY_FORMAT.flag + 6,
    required: false,
    requiredToCreate: false,
    description: "\"Yes\" when the product or variant was removed from its source (archived, not deleted). Rows marked Yes are not imported: their variants stay as they are. Set No (or clear the cell) to import the row.",
  };
}

export function fieldColumn(field: FieldDef, locale?: string): Column {
  if (isGroupKind(field.kind)) throw new TypeError(`Field ${field.key} is a repeated group`);
  const format = FORMAT_BY_KIND[field.kind];
  const base = fieldHeader(field);
  const translated = locale !== undefined;
  return {
    key: translated ? `${field.key}[${locale}]` : field.key,
    header: translated ? `${base} [${locale}]` : base,
    role: translated ? { type: "field", field, locale } : { type: "field", field },
    format,
    width: WIDTH_BY_FORMAT[format],
    required: false,
    requiredToCreate: !translated && !!field.requiredToCreate,
    unit: field.unit,
    description: translated
      ? `${field.label} in the language "${locale}" (a translation; optional).`
      : `${field.help} ${formatDescription(format, field.unit)} ${levelDescription(field)}`,
  };
}

export function groupColumn(field: FieldDef, index: number, part: GroupPartDef): Column {
  if (!isGroupKind(field.kind)) throw new TypeError(`Field ${field.key} is not a repeated group`);
  const groupField = field as FieldDef & { kind: GroupKind };
  const header = groupHeader(field, index, part);
  const first = index === 1 && part === GROUP_PARTS[groupField.kind][0];
  return {
    key: `${field.key}.${index}.${part.part}`,
    header,
    role: { type: "group", field: groupField, index, part },
    format: part.format,
    width: WIDTH_BY_FORMAT[part.format],
    required: false,
    requiredToCreate: false,
    description: first
      ? `${field.help} ${part.description} ${levelDescription(field)}${
          MAX_GROUPS[groupField.kind] === undefined ? ` Add columns "${groupHeader(field, index + 1, part)}" … for more.` : ""
        }`
      : part.description,
  };
}

/** The full column layout for the template and the export. */
export function buildColumnLayout(options: LayoutOptions): ColumnLayout {
  const primaryLocale = requireLocale(options.primaryLocale);
  const locales: string[] = [];
  for (const raw of options.locales ?? []) {
    const locale = requireLocale(raw);
    if (locale !== primaryLocale && !locales.includes(locale)) locales.push(locale);
  }
  const fields = options.fields ?? FIELDS;
  const groups: Record<GroupKind, number> = { ...DEFAULT_GROUP_COUNTS, ...options.groups };

  const columns: Column[] = [handleColumn()];
  // Product fields first, then variant fields, each in registry order.
  const ordered = [...fields.filter((f) => f.level === "product"), ...fields.filter((f) => f.level === "variant")];
  for (const field of ordered) {
    if (isGroupKind(field.kind)) {
      for (let i = 1; i <= groups[field.kind]; i++) {
        for (const part of GROUP_PARTS[field.kind]) columns.push(groupColumn(field, i, part));
      }
    } else {
      columns.push(fieldColumn(field));
      if (field.kind === "localizedText") for (const locale of locales) columns.push(fieldColumn(field, locale));
    }
  }
  if (options.archivedColumn) columns.push(archivedColumn());
  return { primaryLocale, locales, fields, groups, columns };
}

// ---------------------------------------------------------------------------------------------
// Matching headers on import

/** Case- and whitespace-insensitive form of a header: "Option 1  name" → "option1name". */
export function normalizeHeader(header: string): string {
  return header.normalize("NFC").toLowerCase().replace(/[\s\u00a0\u200b\u202f\ufeff]+/g, "");
}

export interface HeaderMatch {
  /** By 1-based sheet column number; null for empty or unknown headers. */
  columns: (Column | null)[];
  unknown: { index: number; header: string }[];
  /** A column whose header repeats an earlier one (the later one is not read). */
  duplicates: { index: number; header: string; firstIndex: number }[];
  /** Translation locales found ("Title [de]"), primary locale excluded. */
  translationLocales: string[];
  /** Translation-looking headers whose locale code is not valid. */
  badLocales: { index: number; header: string }[];
}

export interface HeaderMatcher {
  match(header: string): Column | null | "bad-locale";
}

/** Recognizes the headers of a layout, any group number and any translation locale. */
export function headerMatcher(options: { primaryLocale: string; fields?: readonly FieldDef[] }): HeaderMatcher {
  const primaryLocale = requireLocale(options.primaryLocale);
  const fields = options.fields ?? FIELDS;
  const plain = new Map<string, FieldDef>();
  const localized = new Map<string, FieldDef>();
  const groupPatterns: { prefix: string; suffix: string; field: FieldDef; part: GroupPartDef }[] = [];
  for (const field of fields) {
    if (isGroupKind(field.kind)) {
      for (const part of GROUP_PARTS[field.kind]) {
        groupPatterns.push({ prefix: normalizeHeader(groupPrefix(field)), suffix: normalizeHeader(part.suffix), field, part });
      }
      continue;
    }
    for (const alias of [fieldHeader(field), field.label, field.key]) {
      const n = normalizeHeader(alias);
      if (!plain.has(n)) plain.set(n, field);
      if (field.kind === "localizedText" && !localized.has(n)) localized.set(n, field);
    }
  }
  const handleAliases = new Set([normalizeHeader(HANDLE_HEADER), "handle"]);
  const archived = normalizeHeader(ARCHIVED_HEADER);

  return {
    match(header: string) {
      const h = normalizeHeader(header);
      if (h === "") return null;
      if (handleAliases.has(h)) return handleColumn();
      if (h === archived) return archivedColumn();
      const translation = /^(.+)\[([^\]]*)\]$/.exec(h);
      if (translation) {
        const field = localized.get(translation[1]);
        if (!field) return null;
        const locale = canonicalLocale(translation[2]);
        if (!locale) return "bad-locale";
        return locale === primaryLocale ? fieldColumn(field) : fieldColumn(field, locale);
      }
      const field = plain.get(h);
      if (field) return fieldColumn(field);
      for (const g of groupPatterns) {
        if (!h.startsWith(g.prefix) || !h.endsWith(g.suffix)) continue;
        const middle = h.slice(g.prefix.length, h.length - g.suffix.length);
        if (!/^\d{1,3}$/.test(middle)) continue;
        const index = Number(middle);
        if (index >= 1) return groupColumn(g.field, index, g.part);
      }
      return null;
    },
  };
}

/** Matches a header row (1-based column numbers → header text). */
export function matchHeaders(
  headers: ReadonlyMap<number, string>,
  options: { primaryLocale: string; fields?: readonly FieldDef[] },
): HeaderMatch {
  const matcher = headerMatcher(options);
  const result: HeaderMatch = { columns: [], unknown: [], duplicates: [], translationLocales: [], badLocales: [] };
  const seen = new Map<string, number>();
  for (const [index, header] of [...headers].sort(([a], [b]) => a - b)) {
    const column = matcher.match(header);
    if (column === "bad-locale") {
      result.badLocales.push({ index, header });
      continue;
    }
    if (column === null) {
      if (normalizeHeader(header) !== "") result.unknown.push({ index, header });
      continue;
    }
    const firstIndex = seen.get(column.key);
    if (firstIndex !== undefined) {
      result.duplicates.push({ index, header, firstIndex });
      continue;
    }
    seen.set(column.key, index);
    result.columns[index] = column;
    if (column.role.type === "field" && column.role.locale && !result.translationLocales.includes(column.role.locale)) {
      result.translationLocales.push(column.role.locale);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Cell addresses

/** 1 → "A", 27 → "AA". */
export function columnLetter(index: number): string {
  let n = index;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** "AA" → 27. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function cellRef(column: number, row: number): string {
  return `${columnLetter(column)}${row}`;
}
