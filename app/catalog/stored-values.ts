// Stored field values (one JSON row per field and locale) ⇄ FieldValues.
import { fieldDef, isFieldKey, type FieldValues } from "./fields";

export interface StoredRow {
  field: string;
  locale: string;
  value: string;
}

/** The field values of one entity from its stored rows (localized text gathered per locale). */
export function assembleFieldValues(rows: Iterable<StoredRow>): FieldValues {
  const values: Record<string, unknown> = {};
  for (const row of rows) placeValue(values, row.field, row.locale, JSON.parse(row.value) as unknown);
  return values as FieldValues;
}

/**
 * An entity's field values from one JSON array of its stored values, `[[field, locale], value, …]`
 * (each value its stored JSON; a database can write the array, see the passports' read): one
 * JSON.parse per entity instead of one per value.
 */
export function assembleFieldValuesFromList(json: string | undefined): FieldValues {
  const values: Record<string, unknown> = {};
  if (json === undefined) return values;
  const list = JSON.parse(json) as unknown[];
  for (let i = 0; i < list.length; i += 2) {
    const key = list[i];
    if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== "string" || typeof key[1] !== "string" || i + 1 >= list.length) {
      throw new Error(`A list of stored field values is not valid: ${json.slice(0, 200)}`);
    }
    placeValue(values, key[0], key[1], list[i + 1]);
  }
  return values as FieldValues;
}

/** One stored value in an entity's values: localized text by locale, other kinds whole; unknown fields left out. */
function placeValue(values: Record<string, unknown>, field: string, locale: string, value: unknown): void {
  if (!isFieldKey(field)) return;
  if (fieldDef(field).kind === "localizedText") ((values[field] ??= {}) as Record<string, unknown>)[locale] = value;
  else values[field] = value;
}

/** Rows grouped by entity. */
export function groupRowsByEntity<R extends StoredRow & { entityId: string }>(rows: Iterable<R>): Map<string, R[]> {
  const byEntity = new Map<string, R[]>();
  for (const row of rows) {
    const list = byEntity.get(row.entityId);
    if (list) list.push(row);
    else byEntity.set(row.entityId, [row]);
  }
  return byEntity;
}
