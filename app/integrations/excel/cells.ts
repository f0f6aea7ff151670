// Reading one cell: what exceljs hands over (strings, numbers, Dates, rich text, formulas with
// cached results, hyperlinks, error values) is reduced to a RawCell, which is then converted to
// the value a column expects, with a message for the merchant when it cannot be. Text is decoded
// here, once, whichever pass or kind of cell it comes from: exceljs's streaming reader leaves
// Excel's escaped characters (`_x000D_`) as they are in the file (xstring.ts).
import countries from "i18n-iso-countries";
import en from "i18n-iso-countries/langs/en.json";
import { decodeXString } from "./xstring";

countries.registerLocale(en);

export type RawCell =
  | { t: "empty" }
  | { t: "string"; s: string; link?: string }
  | { t: "number"; n: number; percentFormat: boolean }
  | { t: "date"; d: Date }
  | { t: "bool"; b: boolean }
  | { t: "error"; message: string };

const EMPTY: RawCell = { t: "empty" };

/** Rich text's runs joined, formatting left out; each run's escapes are its own (Excel decodes them per run). */
function richTextToString(rich: unknown): string {
  if (!Array.isArray(rich)) return "";
  return rich.map((r) => (r && typeof r === "object" && typeof (r as { text?: unknown }).text === "string" ? decodeXString((r as { text: string }).text) : "")).join("");
}

/**
 * Whether a number format makes Excel scale the value by 100: only a bare % does. A % in quotes
 * (0"%"), after a backslash (0\%), after _ or * (padding and fill characters) or inside brackets
 * (colors, conditions, locales such as [$-409]) is only displayed, so the cell holds the number shown.
 */
function isPercentFormat(numFmt: string): boolean {
  const literalsRemoved = numFmt.replace(/"[^"]*"?|\\.|[_*].|\[[^\]]*\]?/gs, "");
  return literalsRemoved.includes("%");
}

/** Reduces an exceljs cell value (and its number format) to a RawCell. */
export function rawCell(value: unknown, numFmt?: string): RawCell {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === "string") {
    const s = decodeXString(value);
    return s.trim() === "" ? EMPTY : { t: "string", s };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { t: "error", message: "This cell does not hold a valid number." };
    return { t: "number", n: value, percentFormat: !!numFmt && isPercentFormat(numFmt) };
  }
  if (typeof value === "boolean") return { t: "bool", b: value };
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? { t: "error", message: "This cell does not hold a valid date." } : { t: "date", d: value };
  }
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if ("error" in v) {
      return { t: "error", message: `This cell shows the Excel error ${String(v.error)}. Fix the formula or type the value in.` };
    }
    if ("formula" in v || "sharedFormula" in v) {
      if (!("result" in v) || v.result === undefined) {
        return {
          t: "error",
          message: "This cell holds a formula without a saved result (the file was not calculated when it was saved). Open the file in Excel, let it calculate, save it and upload it again — or type the value in instead of the formula.",
        };
      }
      const result = rawCell(v.result, numFmt);
      if (result.t === "error" && typeof v.result === "number") {
        return { t: "error", message: "The formula in this cell returns an error. Fix the formula or type the value in." };
      }
      return result;
    }
    if ("richText" in v) {
      const s = richTextToString(v.richText);
      return s.trim() === "" ? EMPTY : { t: "string", s };
    }
    if ("hyperlink" in v || "text" in v) {
      const text = typeof v.text === "string" ? decodeXString(v.text) : v.text && typeof v.text === "object" ? richTextToString((v.text as { richText?: unknown }).richText) : "";
      const link = typeof v.hyperlink === "string" ? v.hyperlink : undefined;
      if (text.trim() === "" && !link) return EMPTY;
      return { t: "string", s: text.trim() === "" ? (link ?? "") : text, link };
    }
  }
  return { t: "error", message: "This cell's content could not be read. Type the value in as plain text or a number." };
}

export type Conv<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Conv<T> => ({ ok: true, value });
const fail = <T>(message: string): Conv<T> => ({ ok: false, message });

export function quote(s: string, max = 60): string {
  const one = s.replace(/\s+/g, " ").trim();
  return `"${one.length > max ? `${one.slice(0, max - 1)}…` : one}"`;
}

/** Shortest plain form of a number (no exponent for ordinary values). */
export function numberToText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(Number(n.toPrecision(15)));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function dateToIso(d: Date): string {
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Excel serial day number → ISO date (1900 or 1904 date system). */
export function serialToIso(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return null;
  let days = Math.floor(serial) + (date1904 ? 1462 : 0);
  // Serial 25569 is 1970-01-01. Excel counts a phantom 1900-02-29 (serial 60): serials before
  // it are one day later than a plain count would say.
  if (!date1904 && days < 61) days += 1;
  const ms = (days - 25569) * 86_400_000;
  return dateToIso(new Date(ms));
}

function validYmd(y: number, m: number, d: number): string | null {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/**
 * A copy of a string that does not keep the string it was cut from alive. The XML parser hands
 * over pieces of its 64 KB input chunks; values kept in records would otherwise pin every chunk
 * (the whole sheet's XML) in memory.
 */
export function detach(s: string): string {
  return s.length > 12 ? (" " + s).slice(1) : s;
}

/** Text of a cell as a string (numbers written plainly, dates as YYYY-MM-DD). */
export function asText(raw: RawCell): Conv<string> {
  switch (raw.t) {
    case "empty":
      return ok("");
    case "string":
      return ok(detach(raw.s.trim()));
    case "number":
      return ok(numberToText(raw.n));
    case "date":
      return ok(dateToIso(raw.d));
    case "bool":
      return ok(raw.b ? "TRUE" : "FALSE");
    case "error":
      return fail(raw.message);
  }
}

/** A number's text without spaces, apostrophes (thousands in Switzerland) and the column's unit. */
function bareNumberText(text: string, units: readonly string[]): string {
  let s = text.trim().replace(/[\s\u00a0\u202f']/g, "");
  for (const unit of units) {
    const u = unit.replace(/\s+/g, "").toLowerCase();
    if (u && s.toLowerCase().endsWith(u)) {
      s = s.slice(0, s.length - u.length);
      break;
    }
  }
  return s;
}

/**
 * The two readings of a number written with one separator followed by exactly three digits
 * ("2,700", "1.250"): a thousands separator (2700) or a decimal one (2.7). Nothing in the text
 * tells which convention it follows, and a wrong guess is a 1000× error; null when the text is
 * not such a number ("0,500" and "1234,567" can only be decimals).
 */
export function ambiguousNumberText(text: string, units: readonly string[] = []): { thousands: number; decimal: number } | null {
  const m = /^([+-]?[1-9]\d{0,2})[.,](\d{3})$/.exec(bareNumberText(text, units));
  if (!m) return null;
  return { thousands: Number(`${m[1]}${m[2]}`), decimal: Number(`${m[1]}.${m[2]}`) };
}

/**
 * Parses "12.5", "12,5", "1.234,5", "1,234.5", "150 g" (when g is the column's unit), "40%".
 * Null when the text is not a number, or could be two (see ambiguousNumberText).
 */
export function parseNumberText(text: string, units: readonly string[] = []): number | null {
  if (ambiguousNumberText(text, units)) return null;
  let s = bareNumberText(text, units);
  if (!/^[+-]?[\d.,]+$/.test(s) || !/\d/.test(s)) return null;
  const dots = (s.match(/\./g) ?? []).length;
  const commas = (s.match(/,/g) ?? []).length;
  if (dots && commas) {
    const decimal = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
    const thousands = decimal === "." ? "," : ".";
    if ((decimal === "." ? dots : commas) > 1) return null;
    s = s.split(thousands).join("").replace(decimal, ".");
  } else if (dots > 1 || commas > 1) {
    // "1.234.567": thousands separators only.
    const sep = dots > 1 ? "." : ",";
    if (!new RegExp(`^[+-]?\\d{1,3}(\\${sep}\\d{3})+$`).test(s)) return null;
    s = s.split(sep).join("");
  } else {
    // One separator, not followed by exactly three digits: a decimal separator.
    s = s.replace(",", ".");
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function roundFloat(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

export function asNumber(raw: RawCell, opts: { unit?: string; percent?: boolean } = {}): Conv<number | undefined> {
  switch (raw.t) {
    case "empty":
      return ok(undefined);
    case "number":
      return ok(opts.percent && raw.percentFormat ? roundFloat(raw.n * 100) : raw.n);
    case "string": {
      const units = opts.percent ? ["%"] : opts.unit ? [opts.unit] : [];
      const n = parseNumberText(raw.s, units);
      if (n !== null) return ok(n);
      const readings = ambiguousNumberText(raw.s, units);
      if (readings) {
        const { thousands, decimal } = readings;
        return fail(
          `${quote(raw.s)} could be read as ${numberToText(thousands)} (with a thousands separator) or as ${numberToText(decimal)} (with a decimal separator). Write ${numberToText(thousands)} or ${numberToText(decimal)}, without a thousands separator.`,
        );
      }
      const what = opts.percent ? "a percentage" : "a number";
      const example = opts.percent ? "40 or 40%" : opts.unit ? `12.5 (in ${opts.unit}, without other units)` : "12.5";
      return fail(`${quote(raw.s)} is not ${what}. Enter ${what} such as ${example}.`);
    }
    case "date":
      return fail(`This cell holds a date (${dateToIso(raw.d)}), not a number. Format the cell as Number and enter the value again.`);
    case "bool":
      return fail(`This cell holds ${raw.b ? "TRUE" : "FALSE"}, not a number.`);
    case "error":
      return fail(raw.message);
  }
}

/** A whole number of four digits: in a date column, a year rather than a day of 1902–1927. */
function isYear(n: number): boolean {
  return Number.isInteger(n) && n >= 1000 && n <= 9999;
}

function yearOnly(year: string, shown = year): Conv<string | undefined> {
  return fail(`${shown} is a year, not a date. Enter the full date as YYYY-MM-DD, e.g. ${year}-12-31.`);
}

/** A date as YYYY-MM-DD from a Date cell, an Excel serial number or text (YYYY-MM-DD, D.M.YYYY, D/M/YYYY when unambiguous). */
export function asDate(raw: RawCell, date1904: boolean): Conv<string | undefined> {
  switch (raw.t) {
    case "empty":
      return ok(undefined);
    case "date":
      return ok(dateToIso(raw.d));
    case "number": {
      // 2027 typed in a General cell: a year, not serial 2027 (1905-07-19), which no one means.
      if (isYear(raw.n)) return yearOnly(numberToText(raw.n));
      const iso = serialToIso(raw.n, date1904);
      return iso ? ok(iso) : fail(`${numberToText(raw.n)} is not a date. Enter a date such as 2027-01-31.`);
    }
    case "string": {
      const s = raw.s.trim();
      if (/^\d{4}$/.test(s)) return yearOnly(s, quote(s));
      const bad = fail<string | undefined>(`${quote(s)} is not a date. Enter it as YYYY-MM-DD, e.g. 2027-01-31.`);
      let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
      if (m) {
        const iso = validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
        return iso ? ok(iso) : bad;
      }
      m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
      if (m) {
        const iso = validYmd(Number(m[3]), Number(m[2]), Number(m[1]));
        return iso ? ok(iso) : bad;
      }
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
      if (m) {
        const a = Number(m[1]);
        const b = Number(m[2]);
        const y = Number(m[3]);
        if (a > 12 && b <= 12) return validYmd(y, b, a) ? ok(validYmd(y, b, a)!) : bad;
        if (b > 12 && a <= 12) return validYmd(y, a, b) ? ok(validYmd(y, a, b)!) : bad;
        if (a === b) return validYmd(y, a, b) ? ok(validYmd(y, a, b)!) : bad;
        return fail(`${quote(s)} could be read as day/month or month/day. Enter it as YYYY-MM-DD, e.g. 2027-01-31.`);
      }
      if (/^\d+(\.\d+)?$/.test(s)) return asDate({ t: "number", n: Number(s), percentFormat: false }, date1904);
      return bad;
    }
    case "bool":
      return fail("This cell holds TRUE/FALSE, not a date.");
    case "error":
      return fail(raw.message);
  }
}

/** Zeros only pass the check digit, but are no product's barcode. */
const allZeros = (shown: string) => fail<string | undefined>(`${shown} is not a barcode: a GTIN is never all zeros. Enter the variant's barcode number, or clear the cell if it has none.`);

/**
 * A GTIN as digits. Numbers lose leading zeros in Excel, so they are left-padded to 14 digits;
 * one with fewer than 7 digits is refused first, since padding would make a GTIN-14 of anything
 * (17 → 00000000000017). The shortest real code is a GTIN-8 that lost its leading zero.
 */
export function asGtinText(raw: RawCell): Conv<string | undefined> {
  switch (raw.t) {
    case "empty":
      return ok(undefined);
    case "number":
      if (!Number.isInteger(raw.n) || raw.n < 0) {
        return fail(`${numberToText(raw.n)} is not a GTIN: a GTIN is 8, 12, 13 or 14 digits. Format the column as Text and enter the barcode number.`);
      }
      if (raw.n >= 1e14) return fail(`${numberToText(raw.n)} has more than 14 digits; a GTIN has 8, 12, 13 or 14.`);
      if (raw.n === 0) return allZeros("0");
      if (raw.n < 1e6) {
        return fail(`${numberToText(raw.n)} is too short to be a barcode: a GTIN has 8, 12, 13 or 14 digits. If the barcode starts with zeros, format the column as Text and enter it with its zeros.`);
      }
      return ok(numberToText(raw.n).padStart(14, "0"));
    case "string": {
      const text = raw.s.trim();
      // Spaces and dashes are ignored as normalizeGtin ignores them.
      if (/^[0\s-]*0[0\s-]*$/.test(text)) return allZeros(quote(text));
      return ok(detach(text));
    }
    case "date":
      return fail("This cell holds a date, not a barcode. Format the column as Text and enter the barcode number.");
    case "bool":
      return fail("This cell holds TRUE/FALSE, not a barcode.");
    case "error":
      return fail(raw.message);
  }
}

/** Stored GTIN-14 → the form printed on the label: GTIN-8, UPC-12, EAN-13 or GTIN-14. */
export function displayGtin(gtin: string): string {
  if (!/^\d{14}$/.test(gtin)) return gtin;
  if (gtin.startsWith("000000")) return gtin.slice(6);
  if (gtin.startsWith("00")) return gtin.slice(2);
  if (gtin.startsWith("0")) return gtin.slice(1);
  return gtin;
}

/** A country code; English country names ("Portugal") are accepted and turned into codes. */
export function asCountryText(raw: RawCell): Conv<string | undefined> {
  const text = asText(raw);
  if (!text.ok) return text;
  const s = text.value.trim();
  if (s === "") return ok(undefined);
  if (/^[A-Za-z]{2}$/.test(s)) return ok(s.toUpperCase());
  const code = countries.getAlpha2Code(s, "en");
  return ok(code ?? s);
}

/** "a, b ,c" → ["a","b","c"] (commas or line breaks). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n\r]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Links separated by line breaks, or by commas followed by a new link (commas inside a link stay). */
export function splitUrls(text: string): string[] {
  return text
    .split(/[\r\n]+|[,;]\s*(?=https?:\/\/)|\s+(?=https?:\/\/)/i)
    .map((s) => s.trim().replace(/,$/, "").trim())
    .filter((s) => s !== "");
}

/** A cell meant to hold link(s): its text when that is a link, else its hyperlink target. */
export function urlText(raw: RawCell, hyperlink: string | undefined): Conv<string> {
  const text = asText(raw);
  if (!text.ok) return text;
  const target = hyperlink ?? (raw.t === "string" ? raw.link : undefined);
  if (target && !/https?:\/\//i.test(text.value)) return ok(target);
  return text;
}

/** ISO 3166 alpha-2 codes with English names, sorted by code (for the Lists sheet). */
export function countryList(): { code: string; name: string }[] {
  return Object.keys(countries.getAlpha2Codes())
    .sort()
    .map((code) => ({ code, name: countries.getName(code, "en") ?? code }));
}
