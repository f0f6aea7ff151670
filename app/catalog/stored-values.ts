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
  for (const row of rows) {
    if (!isFieldKey(row.field)) continue;
    const value = JSON.parse(row.value) as unknown;
    if (fieldDef(row.field).kind === "localizedText") {
      const texts = (values[row.field] ??= {}) as Record<string, unknown>;
      texts[row.locale] = value;
    } else {
      values[row.field] = value;
    }
  }
  return values as FieldValues;
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
