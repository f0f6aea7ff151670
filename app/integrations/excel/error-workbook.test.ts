import { writeFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { annotateWorkbook, ERRORS_SHEET, parseDataValidations } from "./error-workbook";
import { buildZip, makeTempDir, readZipEntries, readZipPart, toFile, workbookSkeleton, writeProducts, writeProductsStreaming } from "./fixtures/helpers";
import { readProductsWorkbook } from "./reader";
import { writeTemplate } from "./template";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer, { ignoreNodes: ["dataValidations"] });
  return wb;
}

const SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings";

const fillOf = (cell: ExcelJS.Cell) => (cell.fill && cell.fill.type === "pattern" ? cell.fill.fgColor?.argb : undefined);
const noteOf = (cell: ExcelJS.Cell) => {
  const note = cell.note as unknown;
  if (!note) return "";
  if (typeof note === "string") return note;
  const texts = (note as { texts?: { text: string }[] }).texts ?? [];
  return texts.map((t) => t.text).join("");
};

describe("error workbook", () => {
  it("marks bad cells with a red fill and a note, row problems on the handle cell, and lists everything", async () => {
    const path = tmp.path("upload.xlsx");
    await writeProducts(path, [
      { "Product Handle": "tee", Title: "Tee", SKU: "A", "Barcode (GTIN)": "4012345000017", "Colour code": "#fff" },
      { "Product Handle": "tee", Title: "Other title", SKU: "B" },
      { "Product Handle": "", Title: "Orphan", SKU: "C" },
    ]);
    const result = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(result.errors.map((e) => e.cellRef)).toEqual(["D2", "B3", "A4"]);
    const rowLevel = { sheet: "Products", row: 3, column: "", message: "Something about the whole row." };
    const buf = await annotateWorkbook(path, [...result.errors, rowLevel], { warnings: result.warnings });

    const wb = await load(buf);
    const ws = wb.getWorksheet("Products")!;
    expect(fillOf(ws.getCell("D2"))).toBe("FFFFC7CE");
    expect(noteOf(ws.getCell("D2"))).toMatch(/wrong check digit/);
    expect(fillOf(ws.getCell("B3"))).toBe("FFFFC7CE");
    expect(noteOf(ws.getCell("B3"))).toMatch(/Title is "Other title" on this row but "Tee" on row 2/);
    expect(noteOf(ws.getCell("A4"))).toMatch(/no Product Handle/);
    // the row-level problem goes on the row's handle cell
    expect(fillOf(ws.getCell("A3"))).toBe("FFFFC7CE");
    expect(noteOf(ws.getCell("A3"))).toMatch(/Something about the whole row/);
    // warnings in yellow
    expect(fillOf(ws.getCell("E1"))).toBe("FFFFEB9C");
    expect(noteOf(ws.getCell("E1"))).toMatch(/^Warning:/);
    // untouched cells keep their values and have no fill
    expect(ws.getCell("B2").value).toBe("Tee");
    expect(fillOf(ws.getCell("B2"))).toBeUndefined();

    const errors = wb.getWorksheet(ERRORS_SHEET)!;
    const rows: unknown[][] = [];
    errors.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(["Type", "Sheet", "Row", "Column", "Cell", "Problem"]);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[4]])).toEqual([
      ["Error", 2, "D2"],
      ["Error", 3, "A3"],
      ["Error", 3, "B3"],
      ["Error", 4, "A4"],
      ["Warning", 1, "E1"],
    ]);

    // The annotated copy still reads the same way (the Errors sheet is ignored) and can be fixed and uploaded.
    const annotated = tmp.path("annotated.xlsx");
    await writeFile(annotated, buf);
    const again = await readProductsWorkbook(annotated, { primaryLocale: "en" });
    expect(again.errors).toEqual(result.errors);
  });

  it("joins several problems of one cell in one note", async () => {
    const path = tmp.path("two.xlsx");
    await writeProducts(path, [{ "Product Handle": "tee", Title: "Tee" }]);
    const buf = await annotateWorkbook(path, [
      { sheet: "Products", row: 2, column: "Title", cellRef: "B2", message: "First problem." },
      { sheet: "Products", row: 2, column: "Title", cellRef: "B2", message: "Second problem." },
      { sheet: "Products", row: 0, column: "", message: "A problem of the whole file." },
    ]);
    const wb = await load(buf);
    expect(noteOf(wb.getWorksheet("Products")!.getCell("B2"))).toBe("Problems:\n• First problem.\n• Second problem.");
    const list: unknown[] = [];
    wb.getWorksheet(ERRORS_SHEET)!.eachRow((row) => list.push(row.getCell(6).value));
    expect(list).toContain("A problem of the whole file.");
  });

  it("keeps every character of the merchant's text whole, emoji included", async () => {
    // ~600 KB of text: exceljs's writer hands it on in 16 KB slices, which cut emoji in two.
    const titles = Array.from({ length: 2000 }, (_, i) => `${"🌱".repeat(60)} Bio-Baumwolle ${i}`);
    const path = tmp.path("emoji.xlsx");
    await writeProductsStreaming(path, [["Product Handle", "Title"], ...titles.map((title, i) => [`p${i}`, title])]);
    const copy = tmp.path("emoji-errors.xlsx");
    await writeFile(copy, await annotateWorkbook(path, [{ sheet: "Products", row: 2, column: "Title", cellRef: "B2", message: "Too long." }]));
    const read = await readProductsWorkbook(copy, { primaryLocale: "en" });
    expect(read.records.map((r) => (r.fields.title as Record<string, string>).en)).toEqual(titles);
  });

  it("keeps the merchant's text as it reads: Excel's escaped characters, carriage returns, phonetic guides, rich text", async () => {
    // Text as a file holds it (XML) → as Excel shows it. exceljs's streaming reader decodes no
    // escape and its writer writes none: copied as it was, a carriage return held as &#13; came
    // back a line feed; escaped once more, _x005F_x0041_ would read as _x005F_x0041_.
    const TEXTS = [
      ["_x005F_x0041_", "_x0041_"], // the literal text _x0041_
      ["Line 1_x000D_\nLine 2", "Line 1\r\nLine 2"], // Excel's line break typed on Windows
      ["Line 1_x000d_\nLine 2", "Line 1\r\nLine 2"], // lower-case hex, which exceljs's readers never decode
      ["Line 1&#13;\nLine 2", "Line 1\r\nLine 2"], // a carriage return as XML holds one
      ["Fish &amp;amp; Chips", "Fish &amp; Chips"], // an entity's text, as the export writes it
    ] as const;
    const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
    const t = (xml: string) => `<t xml:space="preserve">${xml}</t>`;
    const shared = [
      ...TEXTS.map(([xml]) => t(xml)),
      `${t("東京")}<rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>`, // Japanese typed with an IME
      `<r><rPr><b/><sz val="11"/><rFont val="Calibri"/></rPr>${t("Organic _x005F_x0041_ ")}</r><r>${t("cotton_x000D_\nwool")}</r>`,
    ];
    const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is>${text}</is></c>`;
    // Column B: each text as a shared string, then as a text cell (t="str", as the export writes
    // them), then as an inline string; a product each. Row 2 has a bad barcode.
    const cells = [
      ...shared.map((_, i) => (ref: string) => `<c r="${ref}" t="s"><v>${i}</v></c>`),
      ...TEXTS.map(([xml]) => (ref: string) => `<c r="${ref}" t="str"><v>${xml}</v></c>`),
      ...TEXTS.map(([xml]) => (ref: string) => inline(ref, t(xml))),
      // Inline rich text: every run's text, without its phonetic guide.
      (ref: string) => inline(ref, `<r>${t("Organic ")}</r><r><rPr><b/></rPr>${t("cotton &amp;amp; wool")}</r><rPh sb="0" eb="1"><t>オ</t></rPh>`),
    ];
    const rows = [
      `<row r="1">${inline("A1", t("Product Handle"))}${inline("B1", t("Description"))}${inline("C1", t("Barcode (GTIN)"))}</row>`,
      ...cells.map((cell, i) => `<row r="${i + 2}">${inline(`A${i + 2}`, t(`p${i + 2}`))}${cell(`B${i + 2}`)}${i === 0 ? inline("C2", t("123")) : ""}</row>`),
    ];
    const path = tmp.path("escaped.xlsx");
    const entries = workbookSkeleton(`<worksheet ${NS}><sheetData>${rows.join("")}</sheetData></worksheet>`);
    entries.push({ name: "xl/sharedStrings.xml", data: Buffer.from(`<sst ${NS}>${shared.map((si) => `<si>${si}</si>`).join("")}</sst>`) });
    const rels = entries.find((entry) => entry.name === "xl/_rels/workbook.xml.rels")!;
    rels.data = Buffer.from(rels.data.toString("utf8").replace("</Relationships>", `<Relationship Id="rId2" Type="${SHARED_STRINGS_REL}" Target="sharedStrings.xml"/></Relationships>`));
    await writeFile(path, buildZip(entries));

    const descriptions = (r: Awaited<ReturnType<typeof readProductsWorkbook>>) => new Map(r.records.map((p) => [p.handle, (p.fields.description as Record<string, string>).en]));
    const original = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(original.errors.map((e) => e.cellRef)).toEqual(["C2"]);
    const shown = TEXTS.map(([, text]) => text);
    expect([...descriptions(original).values()]).toEqual([...shown.slice(1), "東京", "Organic _x0041_ cotton\r\nwool", ...shown, ...shown, "Organic cotton &amp; wool"]);

    const buf = await annotateWorkbook(path, original.errors);
    const copy = tmp.path("escaped-errors.xlsx");
    await writeFile(copy, buf);
    const marked = await readProductsWorkbook(copy, { primaryLocale: "en" });
    expect(marked.errors).toEqual(original.errors);
    expect(descriptions(marked)).toEqual(descriptions(original));

    // The bad row's text too, once its barcode is fixed (here: cleared) in the copy.
    const fixedPath = tmp.path("escaped-fixed.xlsx");
    const parts = await readZipEntries(copy);
    const sheet = parts.find((part) => part.name === "xl/worksheets/sheet1.xml")!;
    sheet.data = Buffer.from(sheet.data.toString("utf8").replace(/<c r="C2"[^>]*>.*?<\/c>/, ""));
    await writeFile(fixedPath, buildZip(parts));
    const again = await readProductsWorkbook(fixedPath, { primaryLocale: "en" });
    expect(again.errors).toEqual([]);
    expect(descriptions(again).get("p2")).toBe("_x0041_");
    // Rich text keeps its runs' fonts (the last shared string, after the texts and the Japanese one).
    const richCell = (await load(buf)).getWorksheet("Products")!.getCell(`B${TEXTS.length + 3}`).value as ExcelJS.CellRichTextValue;
    expect(richCell.richText.map((run) => [run.font?.bold, run.font?.name])).toEqual([
      [true, "Calibri"],
      [undefined, undefined],
    ]);
  });

  it("keeps the original's cell styles, number formats, dates, formula results and row heights", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Products");
    ws.addRow(["Product Handle", "Title", "Recycled content", "Launched", "Weight"]);
    ws.getRow(1).font = { bold: true, color: { argb: "FF1F4E79" } };
    ws.getRow(1).height = 28;
    ws.addRow(["tee", "Tee", 0.25, new Date(Date.UTC(2026, 2, 1)), { formula: "1-1", result: 0 }]);
    ws.getCell("C2").numFmt = "0.0%";
    ws.getCell("D2").numFmt = "yyyy-mm-dd";
    ws.getCell("B2").fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2EFDA" } };
    const path = tmp.path("styled.xlsx");
    await wb.xlsx.writeFile(path);

    const marked = await annotateWorkbook(path, [{ sheet: "Products", row: 2, column: "Title", cellRef: "A2", message: "Problem." }]);
    const copyPath = tmp.path("styled-errors.xlsx");
    await writeFile(copyPath, marked);
    const copy = (await load(marked)).getWorksheet("Products")!;
    expect(copy.getCell("A1").font).toMatchObject({ bold: true, color: { argb: "FF1F4E79" } });
    expect(copy.getRow(1).height).toBe(28);
    expect(fillOf(copy.getCell("B2"))).toBe("FFE2EFDA");
    expect(copy.getCell("C2").value).toBe(0.25);
    expect(copy.getCell("C2").numFmt).toBe("0.0%");
    expect(copy.getCell("D2").value).toEqual(new Date(Date.UTC(2026, 2, 1)));
    expect(copy.getCell("D2").numFmt).toBe("yyyy-mm-dd");
    // (exceljs reads a result of 0 as none: the file is looked at.)
    expect(await readZipPart(copyPath, "xl/worksheets/sheet1.xml")).toMatch(/<c r="E2"[^>]*><f>1-1<\/f><v>0<\/v><\/c>/);
    // The marked cell keeps its value, with the error's fill.
    expect(copy.getCell("A2").value).toBe("tee");
    expect(fillOf(copy.getCell("A2"))).toBe("FFFFC7CE");
  });

  it("copies the shared strings the reader reads when the workbook's relationships do not name them", async () => {
    const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
    const shared = (ref: string, index: number) => `<c r="${ref}" t="s"><v>${index}</v></c>`;
    const entries = workbookSkeleton(`<worksheet ${NS}><sheetData><row r="1">${shared("A1", 0)}${shared("B1", 1)}</row><row r="2">${shared("A2", 2)}${shared("B2", 3)}</row></sheetData></worksheet>`);
    entries.push({ name: "xl/sharedStrings.xml", data: Buffer.from(`<sst ${NS}><si><t>Product Handle</t></si><si><t>Title</t></si><si><t>tee</t></si><si><t>Tee</t></si></sst>`) });
    const path = tmp.path("unnamed-strings.xlsx");
    await writeFile(path, buildZip(entries));
    const copy = tmp.path("unnamed-strings-errors.xlsx");
    await writeFile(copy, await annotateWorkbook(path, [{ sheet: "Products", row: 2, column: "Title", cellRef: "B2", message: "Problem." }]));
    const read = await readProductsWorkbook(copy, { primaryLocale: "en" });
    expect(read.records.map((p) => [p.handle, (p.fields.title as Record<string, string>).en])).toEqual([["tee", "Tee"]]);
  });

  it("keeps the template's data validation and replaces an earlier Errors sheet", async () => {
    const path = tmp.path("template.xlsx");
    await toFile(path, (out) => writeTemplate(out, { primaryLocale: "en" }));
    const first = await annotateWorkbook(path, [{ sheet: "Products", row: 2, column: "SKU", cellRef: "B2", message: "Problem one." }]);
    const firstPath = tmp.path("first.xlsx");
    await writeFile(firstPath, first);
    const second = await annotateWorkbook(firstPath, [{ sheet: "Products", row: 3, column: "SKU", cellRef: "B3", message: "Problem two." }]);
    const secondPath = tmp.path("second.xlsx");
    await writeFile(secondPath, second);

    const wb = await load(second);
    expect(wb.worksheets.filter((w) => w.name === ERRORS_SHEET)).toHaveLength(1);
    const messages: unknown[] = [];
    wb.getWorksheet(ERRORS_SHEET)!.eachRow((row) => messages.push(row.getCell(6).value));
    expect(messages).toEqual(["Problem", "Problem two."]);
    expect(wb.getWorksheet("Lists")!.state).toBe("hidden");

    const original = parseDataValidations([(await readZipPart(path, "xl/worksheets/sheet1.xml"))!]);
    const kept = parseDataValidations([(await readZipPart(secondPath, "xl/worksheets/sheet1.xml"))!]);
    expect(kept.size).toBe(original.size);
    for (const [range, model] of original) expect(kept.get(range)).toMatchObject({ type: model.type, formulae: model.formulae });
    // and the examples still import
    const r = await readProductsWorkbook(secondPath, { primaryLocale: "en", requireTitle: true });
    expect(r.errors).toEqual([]);
    expect(r.records).toHaveLength(2);
  });
});
