import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIELDS, type FieldDef, type FieldKey, type FieldValues, parseFieldValue } from "../../catalog/fields";
import type { SourceRecord } from "../../sync/records";
import { makeTempDir, readZipPart, toFile } from "./fixtures/helpers";
import { roundTripProducts } from "./fixtures/products";
import { readProductsWorkbook } from "./reader";
import type { FieldRegistry } from "./registry";
import { type ExportProduct, writeProductsWorkbook } from "./writer";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

/** The records reading an export of these products must give. */
function expectedRecords(products: ExportProduct[]): SourceRecord[] {
  let row = 1;
  const records: SourceRecord[] = [];
  for (const p of products) {
    const first = row + 1;
    let unidentified = 0;
    const variants: SourceRecord["variants"] = [];
    p.variants.forEach((v, i) => {
      row++;
      const f = v.fields as Record<string, unknown>;
      const options = f.options as { value: string }[] | undefined;
      const identified = !!(f.sku ?? f.barcode ?? options);
      if (!identified) unidentified++;
      // Rows marked "Archived in source" are not imported (a warning each).
      if (p.archived || v.archived) return;
      const byOrder = unidentified === 1 ? p.handle : `${p.handle}#${unidentified}`;
      const externalId = (f.sku as string) ?? (f.barcode as string) ?? (options ? `${p.handle}/${options.map((o) => o.value).join("/")}` : byOrder);
      variants.push({ externalId, fields: v.fields, position: i + 1, ref: { sheet: "Products", row } });
    });
    if (variants.length > 0) records.push({ externalId: p.handle, handle: p.handle, fields: p.fields, variants, ref: { sheet: "Products", row: first } });
  }
  return records;
}

async function* slowly<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((r) => setImmediate(r));
    yield item;
  }
}

describe("export", () => {
  it("round trip: export, then read → the same records (every field kind, translations)", async () => {
    const products = roundTripProducts();
    const path = tmp.path("export.xlsx");
    let result: { rows: number; warnings: string[] } | undefined;
    await toFile(path, async (out) => {
      result = await writeProductsWorkbook(out, slowly(products), { primaryLocale: "en", locales: ["de", "fr"] });
    });
    expect(result).toEqual({ rows: 9, warnings: [] });
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    // Rows marked "Archived in source" are left as they are, with a warning each.
    expect(r.warnings.map((w) => [w.row, w.column])).toEqual([
      [8, "Archived in source"],
      [9, "Archived in source"],
    ]);
    expect(r.translationLocales).toEqual(["de", "fr"]);
    expect(r.records).toEqual(expectedRecords(products));
  });

  it("writes the template's layout: frozen header, widths, Instructions, Archived in source", async () => {
    const path = tmp.path("layout.xlsx");
    await toFile(path, (out) => writeProductsWorkbook(out, roundTripProducts(), { primaryLocale: "en" }));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path, { ignoreNodes: ["dataValidations"] });
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Products", "Instructions", "Lists"]);
    const ws = wb.getWorksheet("Products")!;
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const headers = ws.getRow(1).values as string[];
    expect(headers[1]).toBe("Product Handle");
    expect(headers.at(-1)).toBe("Archived in source");
    const archivedCol = headers.length - 1;
    const archived = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((r) => ws.getRow(r).getCell(archivedCol).value ?? "");
    expect(archived).toEqual(["", "", "", "", "", "", "Yes", "Yes", ""]);
    expect(ws.getColumn(1).width).toBe(28);
    // product-level values on the first row only; GTINs in printed form, as text
    const vendorCol = headers.indexOf("Brand / vendor");
    expect([2, 3, 4].map((r) => ws.getRow(r).getCell(vendorCol).value ?? null)).toEqual(["Nordlys", null, null]);
    const barcodeCol = headers.indexOf("Barcode (GTIN)");
    expect([2, 3, 4].map((r) => ws.getRow(r).getCell(barcodeCol).value)).toEqual(["4012345000016", "036000291452", "96385074"]);
  });

  it("normalizes a product value with a differing variant value to per-variant values (same effective values)", async () => {
    const products: ExportProduct[] = [
      {
        handle: "mixed",
        archived: false,
        fields: { title: { en: "Mixed" }, weight: 150 },
        variants: [
          { archived: false, fields: { sku: "M-1" } },
          { archived: false, fields: { sku: "M-2", weight: 170 } },
        ],
      },
    ];
    const path = tmp.path("mixed.xlsx");
    await toFile(path, (out) => writeProductsWorkbook(out, products, { primaryLocale: "en" }));
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.records[0].fields.weight).toBeUndefined();
    expect(r.records[0].variants.map((v) => v.fields.weight)).toEqual([150, 170]);
  });

  it("leaves out, with a warning, variant values the file would read back as the product's", async () => {
    const cotton = [{ material: "Cotton", massPercent: 100 }];
    const products: ExportProduct[] = [
      // No product value; one variant has its own, the other none: rows "Cotton" and "" would read
      // as the product's materials, which the second variant would then take.
      { handle: "one-own", archived: false, fields: { title: { en: "One own" } }, variants: [
        { archived: false, fields: { sku: "O-1", materials: cotton, carbonFootprint: 2.5 } },
        { archived: false, fields: { sku: "O-2" } },
      ] },
      // The product's PT on an archived variant (the reader skips its row) and the other's own CN:
      // read back, the product's country would become CN, and the archived variant's with it.
      { handle: "archived-takes", archived: false, fields: { title: { en: "Archived takes" }, countryOfProduction: "PT" }, variants: [
        { archived: true, fields: { sku: "A-1" } },
        { archived: false, fields: { sku: "A-2", countryOfProduction: "CN" } },
      ] },
      // Values that read back the same are written: differing rows are each variant's own.
      { handle: "differs", archived: false, fields: { title: { en: "Differs" }, countryOfProduction: "PT" }, variants: [
        { archived: false, fields: { sku: "D-1", countryOfProduction: "CN" } },
        { archived: false, fields: { sku: "D-2" } },
      ] },
    ];
    const path = tmp.path("overrides.xlsx");
    let result: { rows: number; warnings: string[] } | undefined;
    await toFile(path, async (out) => {
      result = await writeProductsWorkbook(out, products, { primaryLocale: "en" });
    });
    expect(result!.warnings).toEqual([
      expect.stringMatching(/^one-own: its variants' materials .* left empty; importing the file leaves them as they are/),
      expect.stringMatching(/^one-own: its variants' carbon footprint/),
      expect.stringMatching(/^archived-takes: its variants' country of production/),
    ]);
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    const byHandle = new Map(r.records.map((p) => [p.handle, p]));
    for (const handle of ["one-own", "archived-takes"]) {
      const record = byHandle.get(handle)!;
      expect([record.fields, ...record.variants.map((v) => v.fields)].filter((f) => f.materials ?? f.carbonFootprint ?? f.countryOfProduction)).toEqual([]);
    }
    expect(byHandle.get("differs")!.variants.map((v) => v.fields.countryOfProduction)).toEqual(["CN", "PT"]);
    // The file says what it left out, on a sheet of its own.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const notes: unknown[] = [];
    wb.getWorksheet("Export notes")!.eachRow((row) => notes.push(row.getCell(1).value));
    expect(notes.slice(1)).toEqual(result!.warnings);
  });

  it("leaves out, with a warning, a value that does not fit (more materials than columns, text over the cell limit)", async () => {
    const materials = Array.from({ length: 8 }, (_, i) => ({ material: `Fibre ${i}`, massPercent: 12.5 }));
    const products: ExportProduct[] = [
      { handle: "big", archived: false, fields: { materials, description: { en: "x".repeat(40_000) } }, variants: [{ archived: false, fields: { sku: "B" } }] },
    ];
    const path = tmp.path("overflow.xlsx");
    let result: { rows: number; warnings: string[] } | undefined;
    await toFile(path, async (out) => {
      result = await writeProductsWorkbook(out, products, { primaryLocale: "en" });
    });
    expect(result!.warnings).toEqual([expect.stringMatching(/big: "Description" is longer than 32767 characters/), expect.stringMatching(/big: has 8 materials, the file has columns for 6/)]);
    // Not cut: imported cut, the description would lose its end and the materials their last two.
    const [read] = (await readProductsWorkbook(path, { primaryLocale: "en" })).records;
    expect(read.fields.description).toBeUndefined();
    expect(read.fields.materials).toBeUndefined();
    // Only the column that does not fit: a translation of the description is written.
    const translated = tmp.path("overflow-translated.xlsx");
    const withGerman = { ...products[0], fields: { description: { en: "x".repeat(40_000), de: "Weich." } } };
    await toFile(translated, (out) => writeProductsWorkbook(out, [withGerman], { primaryLocale: "en", locales: ["de"] }));
    expect((await readProductsWorkbook(translated, { primaryLocale: "en" })).records[0].fields.description).toEqual({ de: "Weich." });
    // With enough columns, nothing is lost.
    const wide = tmp.path("wide.xlsx");
    await toFile(wide, (out) => writeProductsWorkbook(out, [{ ...products[0], fields: { materials } }], { primaryLocale: "en", groups: { materials: 8 } }));
    const r = await readProductsWorkbook(wide, { primaryLocale: "en" });
    expect(r.records[0].fields.materials).toEqual(materials);
  });

  it("writes texts with Excel's escapes, so that they read back unchanged (carriage returns, control characters, literal escapes)", async () => {
    const texts = [
      "Line 1\r\nLine 2",
      "Mac line\rbreak",
      "A literal _x0041_ and _x000D_, _X0041_, _x12_",
      "_x005F_x0041_",
      "Tab\tvertical tab\u000Bform feed\u000Cbell\u0007 del\u007F",
      "Fish &amp; Chips <b>bold</b> & 'quotes' \"",
    ];
    const products: ExportProduct[] = texts.map((text, i) => ({
      handle: `p${i + 1}`,
      archived: false,
      fields: { title: { en: `Title ${i + 1}` }, description: { en: text }, vendor: text },
      variants: [{ archived: false, fields: { sku: `SKU-${i + 1}` } }],
    }));
    const path = tmp.path("texts.xlsx");
    await toFile(path, (out) => writeProductsWorkbook(out, products, { primaryLocale: "en" }));
    // As Excel writes them: a carriage return as _x000D_ (XML reads a CR as a line feed), the underscore of a literal escape as _x005F_.
    const sheet = (await readZipPart(path, "xl/worksheets/sheet1.xml")) ?? "";
    expect(sheet).toContain("Line 1_x000D_\nLine 2");
    expect(sheet).toContain("A literal _x005F_x0041_ and _x005F_x000D_, _X0041_, _x12_");
    expect(sheet).toContain("Tab\tvertical tab_x000B_form feed_x000C_bell_x0007_ del_x007F_");
    expect(sheet).not.toContain("\r");
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual(expectedRecords(products));
  });

  it("fails (and closes the output) when the product source fails", async () => {
    async function* broken(): AsyncGenerator<ExportProduct> {
      yield roundTripProducts()[0];
      throw new Error("database went away");
    }
    const { PassThrough } = await import("node:stream");
    const out = new PassThrough();
    out.resume();
    await expect(writeProductsWorkbook(out, broken(), { primaryLocale: "en" })).rejects.toThrow("database went away");
    expect(out.destroyed).toBe(true);
  });

  it("a new field in the registry is exported and imported without extra code", async () => {
    const extra: FieldDef[] = [
      { key: "durability", label: "Durability", help: "Wash cycles the product withstands.", level: "product", variantOverride: true, kind: "number", unit: "cycles", passport: true },
      { key: "packaging", label: "Packaging materials", help: "Packaging composition.", level: "product", kind: "materials", passport: true },
      { key: "colourCode", label: "Colour code", help: "Pantone code.", level: "variant", kind: "text", passport: false },
      { key: "slogan", label: "Slogan", help: "Short claim.", level: "product", kind: "localizedText", passport: true },
      { key: "madeIn", label: "Assembled in", help: "Assembly country.", level: "product", kind: "country", passport: true },
    ];
    // Validation by kind, borrowed from a catalog field of the same kind.
    const sameKind = new Map(extra.map((f) => [f.key, FIELDS.find((d) => d.kind === f.kind)!.key as FieldKey]));
    const registry: FieldRegistry = {
      fields: [...FIELDS, ...extra],
      parse: (key, value) => parseFieldValue((sameKind.get(key) ?? key) as FieldKey, value),
    };
    const fields = {
      title: { en: "Extended", de: "Erweitert" },
      durability: 50,
      packaging: [
        { material: "Cardboard", massPercent: 90, recycledPercent: 80 },
        { material: "Paper", massPercent: 10 },
      ],
      slogan: { en: "Made to last", de: "Gemacht, um zu halten" },
      madeIn: "PT",
    } as unknown as FieldValues;
    const products: ExportProduct[] = [
      {
        handle: "extended",
        archived: false,
        fields,
        variants: [
          { archived: false, fields: { sku: "X-1", colourCode: "19-4052" } as unknown as FieldValues },
          { archived: false, fields: { sku: "X-2", colourCode: "11-0601" } as unknown as FieldValues },
        ],
      },
    ];
    const path = tmp.path("extended.xlsx");
    await toFile(path, (out) => writeProductsWorkbook(out, products, { primaryLocale: "en", locales: ["de"], registry }));
    const r = await readProductsWorkbook(path, { primaryLocale: "en", registry });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.records).toEqual(expectedRecords(products));
    // The default registry does not know these columns: they are reported, not silently dropped.
    const plain = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(plain.warnings.map((w) => w.column)).toEqual(expect.arrayContaining(["Durability (cycles)", "Packaging material 1", "Colour code", "Slogan [de]", "Assembled in"]));
  });
});
