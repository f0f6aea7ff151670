// Metafield types, value validation and the `$app` namespace, as the Admin API applies them.
import { createHash } from "node:crypto";
import type { MetafieldRecord } from "./model.ts";

/** `$app` → `app--<id>`, `$app:sub` → `app--<id>--sub` (Shopify's app-reserved namespaces). */
export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  const ns = namespace ?? "$app";
  if (ns === "$app") return `app--${appId}`;
  if (ns.startsWith("$app:")) return `app--${appId}--${ns.slice(5)}`;
  return ns;
}

const URL_SCHEMES = ["http:", "https:", "mailto:", "sms:", "tel:"];

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return URL_SCHEMES.includes(url.protocol);
  } catch {
    return false;
  }
}

function isGidOf(value: string, types: string[]): boolean {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/\d+$/.exec(value);
  return !!m && types.includes(m[1]!);
}

function parseJson(value: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

const SCALAR_VALIDATORS: Record<string, (value: string) => string | null> = {
  single_line_text_field: (v) => (/[\r\n]/.test(v) ? "Value must be a single line text string." : null),
  multi_line_text_field: () => null,
  url: (v) => (isUrl(v) ? null : "Value must be a valid URL with one of these schemes: http, https, mailto, sms, tel."),
  number_integer: (v) =>
    /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? null : "Value must be an integer.",
  number_decimal: (v) => (/^-?\d+(\.\d+)?$/.test(v) ? null : "Value must be a decimal number."),
  boolean: (v) => (v === "true" || v === "false" ? null : "Value must be true or false."),
  date: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? null : "Value must be a date in the format YYYY-MM-DD."),
  date_time: (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.test(v) && !Number.isNaN(Date.parse(v))
      ? null
      : "Value must be a date and time in ISO 8601 format.",
  color: (v) => (/^#[0-9a-fA-F]{6}$/.test(v) ? null : "Value must be a hexadecimal color code (#RRGGBB)."),
  id: (v) => (v.length > 0 && v.length <= 255 ? null : "Value must be between 1 and 255 characters."),
  product_reference: (v) => (isGidOf(v, ["Product"]) ? null : "Value must be a product global id."),
  variant_reference: (v) => (isGidOf(v, ["ProductVariant"]) ? null : "Value must be a product variant global id."),
  collection_reference: (v) => (isGidOf(v, ["Collection"]) ? null : "Value must be a collection global id."),
  page_reference: (v) => (isGidOf(v, ["Page"]) ? null : "Value must be a page global id."),
  metaobject_reference: (v) => (isGidOf(v, ["Metaobject"]) ? null : "Value must be a metaobject global id."),
  file_reference: (v) =>
    isGidOf(v, ["MediaImage", "GenericFile", "Video", "Model3d"]) ? null : "Value must be a file global id.",
};

function objectWith(keys: string[]): (v: unknown) => boolean {
  return (v) => !!v && typeof v === "object" && !Array.isArray(v) && keys.every((k) => k in (v as object));
}

const JSON_VALIDATORS: Record<string, (v: unknown) => boolean> = {
  json: () => true,
  rich_text_field: (v) => objectWith(["type"])(v) && (v as { type: unknown }).type === "root",
  weight: objectWith(["value", "unit"]),
  dimension: objectWith(["value", "unit"]),
  volume: objectWith(["value", "unit"]),
  money: objectWith(["amount", "currency_code"]),
  rating: objectWith(["value", "scale_min", "scale_max"]),
  link: objectWith(["text", "url"]),
};

export function isKnownType(type: string): boolean {
  const base = type.startsWith("list.") ? type.slice(5) : type;
  if (type.startsWith("list.") && (base === "json" || base === "rich_text_field" || base === "multi_line_text_field" || base === "boolean" || base === "money")) {
    return false;
  }
  return base in SCALAR_VALIDATORS || base in JSON_VALIDATORS;
}

/** Validates a value for its type; returns an error message or null. */
export function validateMetafieldValue(type: string, value: string): string | null {
  if (type.startsWith("list.")) {
    const base = type.slice(5);
    const parsed = parseJson(value);
    if (!parsed.ok || !Array.isArray(parsed.value)) return `Value must be a JSON array for type ${type}.`;
    for (const item of parsed.value) {
      const scalar = SCALAR_VALIDATORS[base];
      if (scalar) {
        if (typeof item !== "string" && typeof item !== "number") return `Every element of a ${type} must be a ${base} value.`;
        const err = scalar(String(item));
        if (err) return `Element ${JSON.stringify(item)}: ${err}`;
      } else if (JSON_VALIDATORS[base] && !JSON_VALIDATORS[base]!(item)) {
        return `Every element of a ${type} must be a ${base} object.`;
      }
    }
    return null;
  }
  const scalar = SCALAR_VALIDATORS[type];
  if (scalar) return scalar(value);
  const jsonCheck = JSON_VALIDATORS[type];
  if (jsonCheck) {
    const parsed = parseJson(value);
    if (!parsed.ok) return `Value is invalid JSON: ${parsed.error}.`;
    return jsonCheck(parsed.value) ? null : `Value is not a valid ${type} object.`;
  }
  return `Type '${type}' is not a valid metafield type.`;
}

/** What `Metafield.jsonValue` returns for a stored value. */
export function jsonValueOf(type: string, value: string): unknown {
  if (type.startsWith("list.") || type in JSON_VALIDATORS) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (type === "number_integer") return Number(value);
  if (type === "boolean") return value === "true";
  return value;
}

export function compareDigestOf(m: MetafieldRecord): string {
  return createHash("sha256").update(`${m.id}|${m.type}|${m.value}|${m.updatedAt}`).digest("hex");
}

export const METAFIELDS_SET_LIMIT = 25;

/** Namespace and key rules (lengths and characters) of the Admin API. */
export function validateIdentifier(namespace: string, key: string): { field: "namespace" | "key"; message: string; code: string } | null {
  if (namespace.length < 2) return { field: "namespace", message: "Namespace is too short (minimum is 2 characters)", code: "TOO_SHORT" };
  if (namespace.length > 255) return { field: "namespace", message: "Namespace is too long (maximum is 255 characters)", code: "TOO_LONG" };
  if (!/^[a-zA-Z0-9_-]+$/.test(namespace)) {
    return { field: "namespace", message: "Namespace contains one or more invalid characters.", code: "INVALID" };
  }
  if (key.length < 2) return { field: "key", message: "Key is too short (minimum is 2 characters)", code: "TOO_SHORT" };
  if (key.length > 64) return { field: "key", message: "Key is too long (maximum is 64 characters)", code: "TOO_LONG" };
  if (!/^[a-zA-Z0-9_-]+$/.test(key)) return { field: "key", message: "Key contains one or more invalid characters.", code: "INVALID" };
  return null;
}
