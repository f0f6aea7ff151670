import { describe, expect, it } from "vitest";
import { passportCompleteness, TEXTILE_PROFILE, type PassportProfile } from "./completeness";
import { buildPassportContent, type PassportContent } from "./content";
import { fullSource, minimalSource } from "./test-fixtures";

const complete = () => buildPassportContent(fullSource());

function without(content: PassportContent, key: keyof PassportContent): PassportContent {
  const copy: Record<string, unknown> = { ...content };
  delete copy[key];
  return copy as unknown as PassportContent;
}

describe("TEXTILE_PROFILE", () => {
  it("has weights that add up to 100, one rule per content key", () => {
    expect(TEXTILE_PROFILE.rules.reduce((sum, r) => sum + r.weight, 0)).toBe(100);
    const keys = TEXTILE_PROFILE.rules.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("covers the textile passport essentials, with title and image as basics", () => {
    expect(TEXTILE_PROFILE.rules.map((r) => r.key)).toEqual([
      "title",
      "image",
      "materials",
      "countryOfProduction",
      "manufacturer",
      "facility",
      "gtin",
      "careInstructions",
      "repairInstructions",
      "recyclingInstructions",
      "carbonFootprint",
      "certifications",
    ]);
    expect(TEXTILE_PROFILE.rules.filter((r) => r.basic).map((r) => r.key)).toEqual(["title", "image"]);
  });

  it("gives every rule a merchant-facing hint that says what to add", () => {
    for (const rule of TEXTILE_PROFILE.rules) {
      expect(rule.hint).toMatch(/^(Add|Give) /);
      expect(rule.label).not.toBe("");
    }
    expect(TEXTILE_PROFILE.rules.find((r) => r.key === "materials")?.hint).toContain("EU Textile Labelling Regulation");
  });
});

describe("passportCompleteness", () => {
  it("scores a fully described textile 100 with nothing missing", () => {
    expect(passportCompleteness(complete())).toEqual({ score: 100, missing: [] });
  });

  it.each(TEXTILE_PROFILE.rules.map((r) => [r.key, r.weight, r.label] as const))(
    "misses %s (weight %i) when it is absent or empty",
    (key, weight, label) => {
      const rule = TEXTILE_PROFILE.rules.find((r) => r.key === key)!;
      const expected = { score: 100 - weight, missing: [{ key, label, hint: rule.hint }] };
      expect(passportCompleteness(without(complete(), key))).toEqual(expected);
      const empty = { ...complete(), [key]: Array.isArray(complete()[key]) ? [] : typeof complete()[key] === "object" ? {} : "" };
      expect(passportCompleteness(empty as PassportContent)).toEqual(expected);
    },
  );

  it("counts a zero as a value (e.g. a carbon footprint of 0 kg)", () => {
    expect(passportCompleteness({ ...complete(), carbonFootprint: 0 }).score).toBe(100);
  });

  it("scores a product with only a title 5 and lists what is missing, heaviest first", () => {
    const result = passportCompleteness(buildPassportContent(minimalSource()));
    expect(result.score).toBe(5);
    expect(result.missing.map((m) => m.key)).toEqual([
      "materials",
      "countryOfProduction",
      "manufacturer",
      "gtin",
      "careInstructions",
      "recyclingInstructions",
      "image",
      "facility",
      "repairInstructions",
      "carbonFootprint",
      "certifications",
    ]);
    expect(result.missing[0]).toEqual({
      key: "materials",
      label: "Material composition",
      hint: "Add the material composition (each fibre and its share in %) — required by the EU Textile Labelling Regulation (EU) No 1007/2011.",
    });
  });

  it("returns an integer score for profiles whose weights do not add up to 100", () => {
    const profile: PassportProfile = {
      id: "test",
      name: "Test",
      description: "Three equal rules",
      rules: [
        { key: "title", label: "Title", weight: 1, hint: "Add a title." },
        { key: "gtin", label: "GTIN", weight: 1, hint: "Add a GTIN." },
        { key: "weight", label: "Weight", weight: 1, hint: "Add the weight." },
      ],
    };
    expect(passportCompleteness(buildPassportContent(minimalSource()), profile).score).toBe(33);
    expect(passportCompleteness(complete(), { ...profile, rules: [] }).score).toBe(100);
  });
});
