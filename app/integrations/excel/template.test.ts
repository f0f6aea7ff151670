import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Material } from "../../catalog/fields";
import { normalizeGtin } from "../../passports/gs1";
import { buildColumnLayout, columnIndex } from "./columns";
import { parseDataValidations } from "./error-workbook";
import { exampleProducts } from "./examples";
import { makeTempDir, readZipPart, toFile } from "./fixtures/helpers";
import { readProductsWorkbook } from "./reader";
import { writeTemplate } from "./template";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let path: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  path = tmp.path("template.xlsx");
  await toFile(path, (out) => writeTemplate(out, { primaryLocale: "en" }));
});
afterAll(async () => {
  await tmp.cleanup();
});

/** The template loaded with exceljs (data validations skipped: they span 100,000 rows). */
async function load(): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path, { ignoreNodes: ["dataValidations"] });
  return wb;
}

describe("template", () => {
  it("reads back without errors: two example products, five variants", async () => {
    const r = await readProductsWorkbook(path, { primaryLocale: "en", requireTitle: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rowCount).toBe(5);
    expect(r.records.map((p) => [p.handle, p.variants.length])).toEqual([
      ["organic-cotton-tee", 3],
      ["merino-wool-sweater", 2],
    ]);
    const [tee, sweater] = r.records;
    expect(tee.variants.map((v) => v.fields.options)).toEqual([[{ name: "Size", value: "S" }], [{ name: "Size", value: "M" }], [{ name: "Size", value: "L" }]]);
    expect(sweater.variants.map((v) => (v.fields.options as { value: string }[])[0].value)).toEqual(["Navy", "Oatmeal"]);
    // Sizes weigh differently (variant values); the sweater's colours weigh the same (product value).
    expect(tee.variants.map((v) => v.fields.weight)).toEqual([145, 155, 165]);
    expect(sweater.fields.weight).toBe(420);
    for (const p of r.records) {
      expect((p.fields.materials as Material[]).reduce((s, m) => s + m.massPercent, 0)).toBe(100);
      expect(p.fields.certifications).toHaveLength(1);
    }
  });

  it("has valid example GTINs with correct check digits", () => {
    for (const p of exampleProducts("en")) {
      for (const v of p.variants) {
        const result = normalizeGtin(String(v.fields.barcode));
        expect(result).toEqual({ ok: true, gtin: v.fields.barcode });
      }
    }
  });

  it("has the Products, Instructions and hidden Lists sheets", async () => {
    const workbookXml = (await readZipPart(path, "xl/workbook.xml"))!;
    expect(workbookXml).toMatch(/<sheet sheetId="1" name="Products" state="visible"/);
    expect(workbookXml).toMatch(/<sheet sheetId="2" name="Instructions" state="visible"/);
    expect(workbookXml).toMatch(/<sheet sheetId="3" name="Lists" state="hidden"/);
    const wb = await load();
    const lists = wb.getWorksheet("Lists")!;
    const codes = lists.getColumn(1).values.slice(2) as string[];
    expect(codes.length).toBeGreaterThan(240);
    expect(codes).toEqual(expect.arrayContaining(["PT", "DE", "CN", "IN", "NZ"]));
  });

  it("freezes the header row (and the handle column), sizes and styles the columns", async () => {
    const wb = await load();
    const ws = wb.getWorksheet("Products")!;
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1, xSplit: 1 });
    const layout = buildColumnLayout({ primaryLocale: "en" });
    expect(ws.getRow(1).values).toEqual([undefined, ...layout.columns.map((c) => c.header)]);
    layout.columns.forEach((c, i) => {
      expect(ws.getColumn(i + 1).width).toBe(c.width);
    });
    const handle = ws.getCell("A1");
    expect(handle.font?.bold).toBe(true);
    expect(handle.fill).toMatchObject({ type: "pattern", pattern: "solid" });
    // Text columns keep what is typed (GTIN leading zeros): formatted as Text.
    const barcodeCol = layout.columns.findIndex((c) => c.header === "Barcode (GTIN)") + 1;
    expect(ws.getColumn(barcodeCol).numFmt).toBe("@");
  });

  it("has data validation: country dropdowns, 0–100 percentages, numbers ≥ 0, dates", async () => {
    const sheetXml = (await readZipPart(path, "xl/worksheets/sheet1.xml"))!;
    const validations = parseDataValidations([sheetXml]);
    const layout = buildColumnLayout({ primaryLocale: "en" });
    const byHeader = new Map<string, { type: string; operator?: unknown; formulae?: unknown[] }>();
    for (const [range, model] of validations) {
      const m = /^([A-Z]+)2:([A-Z]+)100001$/.exec(range);
      expect(m?.[1]).toBe(m?.[2]);
      expect(m, range).not.toBeNull();
      byHeader.set(layout.columns[columnIndex(m![1]) - 1].header, model);
    }
    expect(byHeader.get("Country of production")).toMatchObject({ type: "list", formulae: [expect.stringMatching(/^Lists!\$A\$2:\$A\$\d{3}$/)] });
    expect(byHeader.get("Material 3 Origin")).toMatchObject({ type: "list" });
    expect(byHeader.get("Material 1 %")).toMatchObject({ type: "decimal", operator: "between", formulae: [0, 100] });
    expect(byHeader.get("Material 6 Recycled %")).toMatchObject({ type: "decimal", formulae: [0, 100] });
    expect(byHeader.get("Weight (g)")).toMatchObject({ type: "decimal", operator: "greaterThanOrEqual", formulae: [0] });
    expect(byHeader.get("Carbon footprint (kg CO2e)")).toMatchObject({ type: "decimal", operator: "greaterThanOrEqual" });
    expect(byHeader.get("Certification 2 Valid until")).toMatchObject({ type: "date" });
    expect(byHeader.get("Barcode (GTIN)")).toMatchObject({ type: "textLength" });
    expect(byHeader.get("Product status")).toMatchObject({ type: "list", formulae: ['"active,unlisted,draft,archived"'] });
    expect(byHeader.has("Title")).toBe(false);
  });

  it("explains every column, the rules and the limits on the Instructions sheet", async () => {
    const wb = await load();
    const ws = wb.getWorksheet("Instructions")!;
    const text: string[] = [];
    ws.eachRow((row) => row.eachCell((cell) => text.push(String(cell.value ?? ""))));
    const all = text.join("\n");
    const layout = buildColumnLayout({ primaryLocale: "en" });
    for (const c of layout.columns) {
      if (c.role.type === "group" && c.role.index > 1) continue;
      expect(text).toContain(c.header);
    }
    expect(all).toContain("Net weight of one item.");
    expect(all).toContain("Comma-separated tags.");
    expect(all).toContain("100,000 variant rows");
    expect(all).toContain("25 MB");
    expect(all).toContain("32,767 characters");
    expect(all).toMatch(/"Title \[de\]"/);
    expect(all).toContain("Yes, every row");
    expect(all).toContain("To create a product");
    // examples from the example products
    expect(text).toContain("Organic Cotton T-Shirt");
    expect(text).toContain("4012345000016");
  });

  it("prepares translation columns when asked", async () => {
    const p = tmp.path("template-de.xlsx");
    await toFile(p, (out) => writeTemplate(out, { primaryLocale: "en", locales: ["de", "fr"], withoutExamples: true }));
    const r = await readProductsWorkbook(p, { primaryLocale: "en" });
    expect(r.translationLocales).toEqual(["de", "fr"]);
    expect(r.rowCount).toBe(0);
    expect(r.records).toEqual([]);
  });
});
