import { describe, expect, it } from "vitest";
import { digitalLinkUrl, normalizeGtin, parseDigitalLinkPath } from "./gs1";

describe("normalizeGtin", () => {
  it("pads GTIN-8/12/13 to 14 digits and says why a code is refused", () => {
    expect(normalizeGtin("4006381333931")).toEqual({ ok: true, gtin: "04006381333931" });
    expect(normalizeGtin("4006381333932")).toMatchObject({ ok: false, problem: { kind: "checkDigit", digits: "4006381333932", expected: 1 } });
    expect(normalizeGtin("12345")).toMatchObject({ ok: false, problem: { kind: "length", digits: "12345" } });
    expect(normalizeGtin("ABC")).toMatchObject({ ok: false, problem: { kind: "notDigits", text: "ABC" } });
    expect(normalizeGtin("")).toMatchObject({ ok: false, problem: { kind: "empty" } });
  });
});

describe("parseDigitalLinkPath", () => {
  it("reads the GTIN and the qualifiers 22, 10 and 21 in that order, decoding each value on its own", () => {
    expect(parseDigitalLinkPath("4006381333931")).toEqual({ ok: true, gtin: "04006381333931", qualifiers: {} });
    expect(parseDigitalLinkPath("04006381333931/22/V1/10/LOT%201/21/A%2FB/")).toEqual({
      ok: true,
      gtin: "04006381333931",
      qualifiers: { "22": "V1", "10": "LOT 1", "21": "A/B" },
    });
    expect(parseDigitalLinkPath("04006381333931/21/S1")).toMatchObject({ ok: true, qualifiers: { "21": "S1" } });
  });

  it("refuses a wrong order, a repeated or unknown key, a missing value and a bad GTIN", () => {
    expect(parseDigitalLinkPath("04006381333931/21/S1/10/L")).toEqual({ ok: false, problem: { kind: "order", key: "10", before: "21" } });
    expect(parseDigitalLinkPath("04006381333931/10/A/10/B")).toEqual({ ok: false, problem: { kind: "repeated", key: "10" } });
    expect(parseDigitalLinkPath("04006381333931/17/261231")).toEqual({ ok: false, problem: { kind: "unknownKey", key: "17" } });
    expect(parseDigitalLinkPath("04006381333931/10")).toEqual({ ok: false, problem: { kind: "missingValue", key: "10" } });
    expect(parseDigitalLinkPath("04006381333931/10/%E0")).toEqual({ ok: false, problem: { kind: "missingValue", key: "10" } });
    expect(parseDigitalLinkPath("")).toEqual({ ok: false, problem: { kind: "gtin", problem: { kind: "empty" } } });
  });
});

describe("digitalLinkUrl", () => {
  it("puts the qualifiers in GS1's order, percent-encoded, after any path of the resolver", () => {
    expect(digitalLinkUrl("https://dpp.example.com/s/brand/", "04006381333931", { "21": "A/B", "10": "L 1" })).toBe(
      "https://dpp.example.com/s/brand/01/04006381333931/10/L%201/21/A%2FB",
    );
  });
});
