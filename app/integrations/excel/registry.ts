// The field registry the spreadsheet code works from. Production code uses FIELDS and
// parseFieldValue from app/catalog/fields.ts; tests pass a registry with extra fields to prove that
// a new field flows through the template, the import and the export without extra code.
import { FIELDS, parseFieldValue, type FieldDef, type FieldKey, type ParseResult } from "../../catalog/fields";

export interface FieldRegistry {
  fields: readonly FieldDef[];
  /** Validates and normalizes a value for a field (parseFieldValue). */
  parse(key: string, value: unknown): ParseResult<unknown>;
}

export const DEFAULT_REGISTRY: FieldRegistry = {
  fields: FIELDS,
  parse: (key, value) => parseFieldValue(key as FieldKey, value),
};

/**
 * Splits a parseFieldValue error for the field with this label:
 * "Materials (1.massPercent): must be 100 or less" → { path: ["1","massPercent"], message: "must be 100 or less" }.
 */
export function splitParseError(error: string, label: string): { path: string[]; message: string } {
  const rest = error.startsWith(label) ? error.slice(label.length) : error;
  const m = /^(?: \(([^)]*)\))?: ([\s\S]*)$/.exec(rest);
  if (!m) return { path: [], message: rest.replace(/^:\s*/, "") };
  return { path: m[1] ? m[1].split(".") : [], message: m[2] };
}
