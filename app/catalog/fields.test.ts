import { describe, expect, it } from "vitest";
import { canonicalJson } from "./fields";

describe("canonicalJson", () => {
  it("gives equal strings for equal values, whatever the order of their keys", () => {
    const a = { title: { en: "Tee", de: "T-Shirt" }, materials: [{ material: "Cotton", massPercent: 100 }], weight: 145 };
    const b = { weight: 145, materials: [{ massPercent: 100, material: "Cotton" }], title: { de: "T-Shirt", en: "Tee" } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"materials":[{"massPercent":100,"material":"Cotton"}],"title":{"de":"T-Shirt","en":"Tee"},"weight":145}');
  });

  it("writes what JSON.stringify writes otherwise (stored values are compared as these strings)", () => {
    const values: unknown[] = ["text with \"quotes\", \\ and \u2028", 12.5, -0, null, true, [1, undefined, "x"], { gone: undefined, kept: null }, { at: new Date(0) }, [NaN]];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it("refuses a value that contains itself", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow();
  });
});
