import { describe, expect, it } from "vitest";
import { FIELDS, type FieldDef } from "../../catalog/fields";
import {
  buildColumnLayout,
  canonicalLocale,
  columnIndex,
  columnLetter,
  headerMatcher,
  matchHeaders,
  normalizeHeader,
} from "./columns";

const headers = (layout: ReturnType<typeof buildColumnLayout>) => layout.columns.map((c) => c.header);

describe("column layout", () => {
  it("starts with Product Handle, then product fields, then variant fields, headers with units", () => {
    const layout = buildColumnLayout({ primaryLocale: "en" });
    const h = headers(layout);
    expect(h[0]).toBe("Product Handle");
    expect(h).toContain("Title");
    expect(h).toContain("Carbon footprint (kg CO2e)");
    expect(h).toContain("Weight (g)");
    expect(h).toContain("Water use (L)");
    expect(h).toContain("Barcode (GTIN)");
    expect(h).toContain("Country of production");
    // product fields before variant fields
    expect(h.indexOf("Weight (g)")).toBeLessThan(h.indexOf("SKU"));
    expect(h.indexOf("SKU")).toBeLessThan(h.indexOf("Option1 Name"));
  });

  it("repeats groups: 6 materials, 3 certifications, 3 options", () => {
    const h = headers(buildColumnLayout({ primaryLocale: "en" }));
    expect(h).toEqual(expect.arrayContaining(["Material 1", "Material 1 %", "Material 1 Recycled %", "Material 1 Origin", "Material 6 Origin"]));
    expect(h).not.toContain("Material 7");
    expect(h).toEqual(
      expect.arrayContaining(["Certification 1 Name", "Certification 1 Body", "Certification 1 Valid until", "Certification 1 Link", "Certification 3 Link"]),
    );
    expect(h).not.toContain("Certification 4 Name");
    expect(h).toEqual(expect.arrayContaining(["Option1 Name", "Option1 Value", "Option3 Value"]));
    expect(h).not.toContain("Option4 Name");
    expect(h).not.toContain("Materials");
  });

  it("adds translation columns after the primary column, skipping the primary locale", () => {
    const h = headers(buildColumnLayout({ primaryLocale: "en", locales: ["de", "en", "fr"] }));
    const i = h.indexOf("Title");
    expect(h.slice(i, i + 3)).toEqual(["Title", "Title [de]", "Title [fr]"]);
    expect(h).toContain("Care instructions [fr]");
    expect(h).not.toContain("Title [en]");
    expect(h).not.toContain("Brand / vendor [de]");
  });

  it("adds the Archived in source column only when asked", () => {
    expect(headers(buildColumnLayout({ primaryLocale: "en" }))).not.toContain("Archived in source");
    expect(headers(buildColumnLayout({ primaryLocale: "en", archivedColumn: true })).at(-1)).toBe("Archived in source");
  });

  it("gives every column a description from the registry's help text", () => {
    const layout = buildColumnLayout({ primaryLocale: "en" });
    const weight = layout.columns.find((c) => c.header === "Weight (g)")!;
    expect(weight.description).toContain("Net weight of one item.");
    expect(weight.description).toContain("in g");
    const title = layout.columns.find((c) => c.header === "Title")!;
    expect(title.requiredToCreate).toBe(true);
    expect(layout.columns[0].required).toBe(true);
  });

  it("a new field in the registry appears in the layout and is recognized on import without extra code", () => {
    const extra: FieldDef[] = [
      { key: "durability", label: "Durability", help: "Wash cycles the product withstands.", level: "product", kind: "number", unit: "cycles", passport: true },
      { key: "packaging", label: "Packaging materials", help: "Packaging composition.", level: "product", kind: "materials", passport: true },
      { key: "colourCode", label: "Colour code", help: "Pantone code.", level: "variant", kind: "text", passport: false },
      { key: "slogan", label: "Slogan", help: "Short claim.", level: "product", kind: "localizedText", passport: true },
    ];
    const fields = [...FIELDS, ...extra];
    const layout = buildColumnLayout({ primaryLocale: "en", locales: ["de"], fields });
    const h = headers(layout);
    expect(h).toContain("Durability (cycles)");
    expect(h).toContain("Packaging material 1 %");
    expect(h).toContain("Colour code");
    expect(h).toContain("Slogan [de]");
    const match = matchHeaders(new Map(h.map((x, i) => [i + 1, x])), { primaryLocale: "en", fields });
    expect(match.unknown).toEqual([]);
    expect(match.columns.filter(Boolean).map((c) => c!.header)).toEqual(h);
    // Without the extra fields, the same headers are unknown.
    const plain = matchHeaders(new Map(h.map((x, i) => [i + 1, x])), { primaryLocale: "en" });
    expect(plain.unknown.map((u) => u.header)).toEqual(expect.arrayContaining(["Durability (cycles)", "Colour code", "Packaging material 1 %", "Slogan [de]"]));
  });
});

describe("header matching", () => {
  const m = headerMatcher({ primaryLocale: "en" });
  const key = (h: string) => {
    const c = m.match(h);
    return c && c !== "bad-locale" ? c.key : c;
  };

  it("ignores case and whitespace", () => {
    expect(normalizeHeader("  Product   HANDLE ")).toBe("producthandle");
    expect(key("product handle")).toBe("handle");
    expect(key("Handle")).toBe("handle");
    expect(key("CARBON FOOTPRINT (KG CO2E)")).toBe("carbonFootprint");
    expect(key("carbon footprint")).toBe("carbonFootprint");
    expect(key("option 1 name")).toBe("options.1.name");
    expect(key("Option2Value")).toBe("options.2.value");
    expect(key("material 3 recycled %")).toBe("materials.3.recycledPercent");
    expect(key("Material 1%")).toBe("materials.1.massPercent");
    expect(key("certification 2 valid until")).toBe("certifications.2.validUntil");
  });

  it("recognizes any group number and translations", () => {
    expect(key("Material 9")).toBe("materials.9.material");
    expect(key("Material 12 Origin")).toBe("materials.12.originCountry");
    expect(key("Title [de]")).toBe("title[de]");
    expect(key("Care instructions [PT_br]")).toBe("careInstructions[pt-BR]");
    expect(key("Title [en]")).toBe("title");
    expect(key("Title [not a locale!]")).toBe("bad-locale");
    expect(key("Brand / vendor [de]")).toBeNull();
    expect(key("Colour code")).toBeNull();
    expect(key("Archived in source")).toBe("archived");
  });

  it("reports unknown and duplicate columns", () => {
    const match = matchHeaders(
      new Map([
        [1, "Product Handle"],
        [2, "SKU"],
        [3, "Colour code"],
        [4, "sku"],
        [5, "Title [de]"],
      ]),
      { primaryLocale: "en" },
    );
    expect(match.unknown).toEqual([{ index: 3, header: "Colour code" }]);
    expect(match.duplicates).toEqual([{ index: 4, header: "sku", firstIndex: 2 }]);
    expect(match.translationLocales).toEqual(["de"]);
  });
});

describe("helpers", () => {
  it("canonicalizes locales", () => {
    expect(canonicalLocale("DE")).toBe("de");
    expect(canonicalLocale("pt_br")).toBe("pt-BR");
    expect(canonicalLocale("zh-hant")).toBe("zh-Hant");
    expect(canonicalLocale("x")).toBeNull();
    expect(canonicalLocale("")).toBeNull();
  });

  it("converts column letters", () => {
    expect(columnLetter(1)).toBe("A");
    expect(columnLetter(26)).toBe("Z");
    expect(columnLetter(27)).toBe("AA");
    expect(columnLetter(703)).toBe("AAA");
    expect(columnIndex("AA")).toBe(27);
    expect(columnIndex("aaa")).toBe(703);
  });
});
