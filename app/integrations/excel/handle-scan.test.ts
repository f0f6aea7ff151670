import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asText, type RawCell } from "./cells";
import { matchHeaders } from "./columns";
import { writeFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import { buildZip, makeTempDir, readZipPart, type TestCell, workbookSkeleton, writeProducts, writeXlsx } from "./fixtures/helpers";
import { generateWorkbook } from "./generate";
import { scanLastRowOfEachHandle } from "./handle-scan";
import { readProductsWorkbook } from "./reader";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let n = 0;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

/** The scan with the reader's header matching and keys (English headers, default fields). */
function scan(path: string, sharedStrings: readonly unknown[] = [], maxRows = 1000): Promise<Map<string, number> | null> {
  const texts = (cols: readonly number[], raws: readonly RawCell[]) =>
    new Map(cols.flatMap((col, i) => {
      const text = asText(raws[i]);
      return text.ok && text.value !== "" ? [[col, text.value] as const] : [];
    }));
  return scanLastRowOfEachHandle({
    path,
    sheetPath: "xl/worksheets/sheet1.xml",
    sharedStrings,
    handleColumnOf: (cols, raws) => {
      const headers = texts(cols, raws);
      if (headers.size === 0) return undefined;
      return matchHeaders(headers, { primaryLocale: "en" }).columns.findIndex((c) => c?.role.type === "handle");
    },
    handleKey: (raw) => {
      const text = asText(raw);
      return text.ok ? text.value.toLowerCase() : "";
    },
    maxRows,
  });
}

/** A workbook whose Products sheet holds the given rows' XML. */
async function sheetXml(rowsXml: string): Promise<string> {
  const path = tmp.path(`x${++n}.xlsx`);
  await writeFile(path, buildZip(workbookSkeleton(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rowsXml}</sheetData></worksheet>`)));
  return path;
}

const header = `<row r="1"><c r="A1" t="inlineStr"><is><t>Product Handle</t></is></c><c r="B1" t="inlineStr"><is><t>Title</t></is></c></row>`;
const row = (r: number, handleCell: string) => `<row r="${r}">${handleCell}<c r="B${r}" t="str"><v>A &amp; B</v></c></row>`;

describe("the handle scan", () => {
  it("finds the last row of each handle, in text as exceljs writes it, case-insensitively", async () => {
    const path = tmp.path("generated.xlsx");
    await generateWorkbook(path, { products: 20, variantsPerProduct: 3 });
    // What exceljs reads in the handle column (column A), last row of each.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const expected = new Map<string, number>();
    wb.getWorksheet("Products")!.eachRow((r, number) => {
      if (number > 1) expected.set(String(r.getCell(1).value).toLowerCase(), number);
    });
    expect(expected.size).toBe(20);
    expect(await scan(path)).toEqual(expected);
    const apart = await sheetXml(
      [header, row(2, `<c r="A2" t="str"><v>Tee</v></c>`), row(3, `<c r="A3" t="inlineStr"><is><t xml:space="preserve"> cap </t></is></c>`), row(4, `<c r="A4" t="str"><v>tee</v></c>`), row(5, `<c r="A5" t="str"/>`)].join(""),
    );
    expect(await scan(apart)).toEqual(new Map([["tee", 4], ["cap", 3]]));
  });

  it("reads shared strings, blank rows above the header and a handle column anywhere", async () => {
    const path = tmp.path(`s${++n}.xlsx`);
    const rows: TestCell[][] = [[], ["Title", "Product Handle"], ["Tee", "tee"], [null, "cap"], [null, null], [null, "TEE"]];
    await writeXlsx(path, [{ name: "Products", rows }]);
    // exceljs writes text as shared strings; the scan gets the table (plain strings here).
    const table = await readZipPart(path, "xl/sharedStrings.xml");
    const shared = [...(table ?? "").matchAll(/<si><t>([^<]*)<\/t><\/si>/g)].map((m) => m[1]);
    expect(shared).toContain("Product Handle");
    expect(await scan(path, shared)).toEqual(new Map([["tee", 6], ["cap", 4]]));
  });

  it("stops after the row limit, as the parser does", async () => {
    const path = await sheetXml([header, ...[2, 3, 4, 5].map((r) => row(r, `<c r="A${r}" t="str"><v>p${r}</v></c>`))].join(""));
    expect([...(await scan(path, [], 2))!.keys()]).toEqual(["p2", "p3", "p4"]);
  });

  it("gives up on handles it cannot read exactly as exceljs does", async () => {
    const unreadable = {
      number: `<c r="A2"><v>42</v></c>`,
      formula: `<c r="A2" t="str"><f>"te"&amp;"e"</f><v>tee</v></c>`,
      entity: `<c r="A2" t="str"><v>t&amp;e</v></c>`,
      richInline: `<c r="A2" t="inlineStr"><is><r><t>te</t></r><r><t>e</t></r></is></c>`,
      lowerCaseAddress: `<c r="a2" t="str"><v>tee</v></c>`,
      twice: `<c r="A2" t="str"><v>tee</v></c><c r="A2" t="str"><v>cap</v></c>`,
    };
    for (const [kind, cell] of Object.entries(unreadable)) {
      expect(await scan(await sheetXml(header + row(2, cell))), kind).toBeNull();
    }
    expect(await scan(await sheetXml(`${header}<!-- <row r="2"><c r="A2" t="str"><v>x</v></c></row> -->`))).toBeNull();
    // Rows repeated or out of order: the reader's exceljs pass refuses the file as damaged.
    const tee = (r: number) => row(r, `<c r="A${r}" t="str"><v>tee</v></c>`);
    expect(await scan(await sheetXml(header + tee(2) + tee(3) + tee(3)))).toBeNull();
    expect(await scan(await sheetXml(header + tee(3) + tee(2)))).toBeNull();
    // Rows of cells of 100,000 characters: 400 KB is scanned, 1.2 MB is left to exceljs.
    const longRow = (cells: number) =>
      `<row r="2"><c r="A2" t="str"><v>tee</v></c>${Array.from({ length: cells }, (_, i) => `<c r="${String.fromCharCode(66 + i)}2" t="str"><v>${"x".repeat(100_000)}</v></c>`).join("")}</row>`;
    expect(await scan(await sheetXml(header + longRow(4)))).toEqual(new Map([["tee", 2]]));
    expect(await scan(await sheetXml(header + longRow(12)))).toBeNull();
  });

  it("reads end tags with spaces (</c >) in one pass over the row, however many cells it has", async () => {
    const cells = (r: number) => `<c r="A${r}" t="inlineStr"><is><t>tee</t></is></c ><c r="B${r}" t="str"><v>T</v></c\n>${`<c r="C${r}"></c >`.repeat(60_000)}`;
    const path = await sheetXml(`${header.replaceAll("</c>", "</c >")}<row r="2">${cells(2)}</row>`);
    const started = performance.now();
    expect(await scan(path)).toEqual(new Map([["tee", 2]]));
    // A lazy match of each whole cell read the rest of the row for each of these cells: 35 s.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("reads rows of start tags no XML parser reads in time linear in their size", async () => {
    // 29 s and 27 s: the attribute name was tried again from each of its characters, and each
    // "<row " without its ">" read the rest of the text again.
    const longName = `<row r="2"><c ${"a".repeat(150_000)} r="A2" t="str"><v>tee</v></c></row>`;
    const rowStarts = `<row r="2"><c r="A2" t="str"><v>tee</v></c></row>${"<row ".repeat(50_000)}`;
    for (const [rows, expected] of [[longName, new Map([["tee", 2]])], [rowStarts, null]] as const) {
      const path = await sheetXml(header + rows);
      const started = performance.now();
      expect(await scan(path)).toEqual(expected);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it("reads a row's number as exceljs does", async () => {
    // parseInt, as exceljs: row 60 (Number() read 6, and the reader failed further on).
    const path = await sheetXml(header + `<row r="60e-1"><c r="A60" t="str"><v>tee</v></c></row>`);
    expect(await scan(path)).toEqual(new Map([["tee", 60]]));
    const result = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => [r.handle, r.ref?.row])).toEqual([["tee", 60]]);
  });

  it("leaves the reader reading what it gives up on, with exceljs", async () => {
    const path = tmp.path(`r${++n}.xlsx`);
    const records: Record<string, TestCell>[] = [
      { "Product Handle": 1001, Title: "Tee", SKU: "A" },
      { "Product Handle": { formula: '"cap"', result: "cap" }, Title: "Cap", SKU: "B" },
      { "Product Handle": 1001, SKU: "C" },
    ];
    await writeProducts(path, records);
    const result = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => [r.externalId, r.variants.map((v) => v.externalId)])).toEqual([
      ["1001", ["A", "C"]],
      ["cap", ["B"]],
    ]);
  });
});
