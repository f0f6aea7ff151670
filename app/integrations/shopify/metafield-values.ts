// Shopify metafield values → catalog field values, by the field's kind (fields.ts). Metafields
// arrive as { type, value } with the value always a string (JSON for json, list.*, weight …).
// The result still goes through parseFieldValue; this only brings it into the field's shape.
import { fieldDef, type FieldKey } from "../../catalog/fields";

export interface MetafieldValue {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export type Converted = { ok: true; value: unknown } | { ok: false; error: string };

const ok = (value: unknown): Converted => ({ ok: true, value });
const fail = (error: string): Converted => ({ ok: false, error });

const GRAMS_PER: Record<string, number> = {
  g: 1,
  grams: 1,
  kg: 1000,
  kilograms: 1000,
  oz: 28.349523125,
  ounces: 28.349523125,
  lb: 453.59237,
  pounds: 453.59237,
};

const LITRES_PER: Record<string, number> = {
  ml: 0.001,
  milliliters: 0.001,
  cl: 0.01,
  centiliters: 0.01,
  l: 1,
  liters: 1,
  m3: 1000,
  cubic_meters: 1000,
  us_fl_oz: 0.0295735295625,
  us_pt: 0.473176473,
  us_qt: 0.946352946,
  us_gal: 3.785411784,
  imp_fl_oz: 0.0284130625,
  imp_pt: 0.56826125,
  imp_qt: 1.1365225,
  imp_gal: 4.54609,
};

function parseJson(value: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Plain text of a rich_text_field value ({ type: "root", children: [...] }). */
function richText(node: unknown): string {
  if (!node || typeof node !== "object") return "";
  const n = node as { type?: string; value?: string; children?: unknown[] };
  if (typeof n.value === "string") return n.value;
  const inner = (n.children ?? []).map(richText).join("");
  const block = n.type === "paragraph" || n.type === "heading" || n.type === "list-item";
  return block ? `${inner}\n` : inner;
}

/** The metafield as text: text types as they are, lists joined, rich text flattened. */
function asText(mf: MetafieldValue): Converted {
  if (mf.type === "rich_text_field") {
    const parsed = parseJson(mf.value);
    return parsed.ok ? ok(richText(parsed.value).trim()) : fail("is not valid rich text");
  }
  if (mf.type.startsWith("list.")) {
    const parsed = parseJson(mf.value);
    if (!parsed.ok || !Array.isArray(parsed.value)) return fail("is not a valid list");
    return ok(parsed.value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", "));
  }
  if (mf.type === "json") {
    const parsed = parseJson(mf.value);
    if (parsed.ok && typeof parsed.value === "string") return ok(parsed.value);
    return fail("holds JSON, not text");
  }
  if (mf.type.endsWith("_reference")) return fail("is a reference to another Shopify object, not text");
  return ok(mf.value);
}

function asNumber(mf: MetafieldValue, unit: string | undefined): Converted {
  if (mf.type === "weight" || mf.type === "volume") {
    const parsed = parseJson(mf.value);
    const m = parsed.ok ? (parsed.value as { value?: unknown; unit?: unknown }) : null;
    if (!m || typeof m.value !== "number" || typeof m.unit !== "string") return fail(`is not a valid ${mf.type}`);
    const table = mf.type === "weight" ? GRAMS_PER : LITRES_PER;
    const wanted = mf.type === "weight" ? "g" : "L";
    if (unit !== wanted) return fail(`is a ${mf.type}, but this field is measured in ${unit ?? "plain numbers"}`);
    const factor = table[m.unit.toLowerCase()];
    if (factor === undefined) return fail(`has an unknown unit "${m.unit}"`);
    return ok(round(m.value * factor));
  }
  if (mf.type === "json") {
    const parsed = parseJson(mf.value);
    if (parsed.ok && typeof parsed.value === "number") return ok(parsed.value);
    return fail("holds JSON, not a number");
  }
  if (mf.type.startsWith("list.")) return fail("is a list, not a single number");
  const text = mf.value.trim().replace(/\s/g, "");
  // A decimal comma ("12,5") is how most of Europe writes numbers.
  const normalized = /^-?\d+,\d+$/.test(text) ? text.replace(",", ".") : text;
  if (!/^-?(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(normalized)) return fail(`"${mf.value}" is not a number`);
  return ok(Number(normalized));
}

function asStringList(mf: MetafieldValue): Converted {
  if (mf.type.startsWith("list.") || mf.type === "json") {
    const parsed = parseJson(mf.value);
    if (!parsed.ok || !Array.isArray(parsed.value)) return fail("is not a list");
    if (!parsed.value.every((v) => typeof v === "string" || typeof v === "number")) return fail("is not a list of texts");
    return ok(parsed.value.map(String).map((s) => s.trim()).filter(Boolean));
  }
  const text = asText(mf);
  if (!text.ok) return text;
  return ok(String(text.value).split(/[,\n]/).map((s) => s.trim()).filter(Boolean));
}

function asImageList(mf: MetafieldValue): Converted {
  if (mf.type === "url" || mf.type === "single_line_text_field") return ok([{ url: mf.value.trim() }]);
  if (mf.type === "list.url" || mf.type === "list.single_line_text_field") {
    const parsed = parseJson(mf.value);
    if (!parsed.ok || !Array.isArray(parsed.value)) return fail("is not a list");
    return ok(parsed.value.map((u) => ({ url: String(u).trim() })));
  }
  if (mf.type === "json") {
    const parsed = parseJson(mf.value);
    if (!parsed.ok || !Array.isArray(parsed.value)) return fail("is not a list of images");
    return ok(parsed.value.map((v) => (typeof v === "string" ? { url: v } : v)));
  }
  if (mf.type.includes("file_reference")) return fail("is a Shopify file; use a URL metafield (type url) for passport images");
  return fail(`has type ${mf.type}, which cannot hold images (use url, list.url or json)`);
}

function asJson(mf: MetafieldValue): Converted {
  const parsed = parseJson(mf.value);
  if (!parsed.ok) return fail("is not valid JSON");
  return ok(parsed.value);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Brings a metafield value into the shape of the field it is mapped to. */
export function metafieldToFieldValue(field: FieldKey, mf: MetafieldValue, locale: string): Converted {
  const def = fieldDef(field);
  switch (def.kind) {
    case "text":
      return asText(mf);
    case "localizedText": {
      if (mf.type === "json") {
        const parsed = parseJson(mf.value);
        if (parsed.ok && parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value)) return ok(parsed.value);
      }
      const text = asText(mf);
      return text.ok ? ok({ [locale]: text.value }) : text;
    }
    case "number":
      return asNumber(mf, def.unit);
    case "stringList":
      return asStringList(mf);
    case "imageList":
      return asImageList(mf);
    case "country": {
      const text = asText(mf);
      return text.ok ? ok(String(text.value).trim().toUpperCase()) : text;
    }
    case "gtin": {
      const text = asText(mf);
      return text.ok ? ok(String(text.value).trim()) : text;
    }
    case "materials":
    case "certifications":
    case "options":
      return asJson(mf);
  }
}
