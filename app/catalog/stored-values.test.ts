import { describe, expect, it } from "vitest";
import { assembleFieldValues, assembleFieldValuesFromList } from "./stored-values";

const rows = [
  { field: "title", locale: "en", value: '"Linen shirt"' },
  { field: "title", locale: "de", value: '"Leinenhemd"' },
  { field: "weight", locale: "", value: "180" },
  { field: "materials", locale: "", value: '[{"massPercent":100,"material":"Linen"}]' },
  { field: "retired", locale: "", value: '"a field no longer defined"' },
];

describe("stored values", () => {
  it("assemble alike from rows and from one JSON list the database wrote", () => {
    const list = `[${rows.map((r) => `${JSON.stringify([r.field, r.locale])},${r.value}`).join(",")}]`;
    const expected = { title: { en: "Linen shirt", de: "Leinenhemd" }, weight: 180, materials: [{ massPercent: 100, material: "Linen" }] };
    expect(assembleFieldValues(rows)).toEqual(expected);
    expect(assembleFieldValuesFromList(list)).toEqual(expected);
    expect(assembleFieldValuesFromList(undefined)).toEqual({});
  });

  it("refuse a list that is not pairs of [field, locale] and a value", () => {
    expect(() => assembleFieldValuesFromList('["title","en"]')).toThrow(/not valid/);
    expect(() => assembleFieldValuesFromList('[["title","en"]]')).toThrow(/not valid/);
  });
});
