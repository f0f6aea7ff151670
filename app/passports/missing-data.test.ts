import { describe, expect, it } from "vitest";
import { passportCompleteness } from "./completeness";
import { buildPassportContent } from "./content";
import { missingPassportData } from "./missing-data";
import { fullSource } from "./test-fixtures";

const item = (key: string) => ({ key, label: key, hint: `Add ${key}.` });

describe("missingPassportData", () => {
  it("says once what every passport misses, and per variant only what that variant misses besides", () => {
    const data = missingPassportData([
      { variantId: "s", name: "Size S", missing: [item("materials"), item("careInstructions")] },
      { variantId: "m", name: "Size M", missing: [item("materials"), item("gtin"), item("careInstructions")] },
      { variantId: "l", name: "Size L", missing: [item("materials"), item("careInstructions")] },
    ]);
    expect(data.everyPassport.map((m) => m.key)).toEqual(["materials", "careInstructions"]);
    expect(data.someVariants).toEqual([{ variantId: "m", name: "Size M", missing: [item("gtin")] }]);
  });

  it("is empty for complete passports and for a product without passports", () => {
    expect(missingPassportData([{ variantId: "s", name: "S", missing: [] }])).toEqual({ everyPassport: [], someVariants: [] });
    expect(missingPassportData([])).toEqual({ everyPassport: [], someVariants: [] });
  });

  it("names the completeness profile's unmet rules, with their hints, for a passport below 100%", () => {
    const content = buildPassportContent(fullSource());
    delete (content as Partial<typeof content>).careInstructions;
    const { score, missing } = passportCompleteness(content);
    expect(score).toBeLessThan(100);
    const data = missingPassportData([{ variantId: "v", name: "M", missing }]);
    expect(data.everyPassport).toEqual([{ key: "careInstructions", label: "Care instructions", hint: expect.stringContaining("care instructions") }]);
  });
});
