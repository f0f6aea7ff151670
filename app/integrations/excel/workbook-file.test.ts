// Bad files: every one is refused with a WorkbookRejected whose message tells the merchant what
// is wrong and how to fix it — never a crash, never a stall.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip, makeTempDir, workbookSkeleton, writeProducts, writeXlsx } from "./fixtures/helpers";
import { DEFAULT_LIMITS, type Limits, WorkbookRejected } from "./limits";
import { decodeXml, inspectWorkbookFile } from "./workbook-file";
import { readProductsWorkbook } from "./reader";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let validXlsx: Buffer;
beforeAll(async () => {
  tmp = await makeTempDir();
  const path = tmp.path("valid.xlsx");
  const rows = Array.from({ length: 300 }, (_, i) => ({ "Product Handle": `product-${i}`, Title: `Product number ${i}`, SKU: `SKU-${i}`, Description: `A description of product ${i} `.repeat(5) }));
  await writeProducts(path, rows);
  validXlsx = await readFile(path);
});
afterAll(async () => {
  await tmp.cleanup();
});

let n = 0;
async function rejection(content: Buffer | string, limits?: Partial<Limits>): Promise<WorkbookRejected> {
  const path = tmp.path(`bad${++n}.xlsx`);
  await writeFile(path, content);
  const err = await readProductsWorkbook(path, { primaryLocale: "en", limits }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbookRejected);
  return err as WorkbookRejected;
}

describe("files that are not workbooks", () => {
  it("a CSV renamed to .xlsx", async () => {
    const err = await rejection("Product Handle,Title\ntee,Organic Tee\n");
    expect(err.code).toBe("not-xlsx");
    expect(err.message).toMatch(/text file \(for example CSV\), not an Excel workbook \(.xlsx\)/);
    expect(err.message).toMatch(/save .* as "Excel Workbook \(.xlsx\)"/);
  });

  it("a CSV in Latin-1 with a semicolon", async () => {
    const err = await rejection(Buffer.from("Product Handle;Title\ntee;Café crème\n", "latin1"));
    expect(err.code).toBe("not-xlsx");
  });

  it("a PDF", async () => {
    const err = await rejection(Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(200, 1)]));
    expect(err.message).toMatch(/This file is a PDF, not an Excel workbook/);
  });

  it("random bytes", async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    const err = await rejection(bytes);
    expect(err.code).toBe("not-xlsx");
    expect(err.message).toMatch(/This file is not an Excel workbook \(.xlsx\)/);
  });

  it("an HTML page saved as .xlsx", async () => {
    const err = await rejection("<html><body><table><tr><td>tee</td></tr></table></body></html>");
    expect(err.message).toMatch(/XML or HTML file/);
  });

  it("an empty file", async () => {
    const err = await rejection(Buffer.alloc(0));
    expect(err.code).toBe("empty");
  });

  it("a file that does not exist", async () => {
    const err = await readProductsWorkbook(tmp.path("missing.xlsx"), { primaryLocale: "en" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbookRejected);
    expect((err as WorkbookRejected).code).toBe("not-found");
  });
});

describe("Office files that cannot be read", () => {
  const ole = (...names: string[]) =>
    Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504), ...names.map((s) => Buffer.from(s, "utf16le")), Buffer.alloc(1024)]);

  it("a password-protected workbook (OLE file with an encrypted package)", async () => {
    const err = await rejection(ole("EncryptionInfo", "EncryptedPackage"));
    expect(err.code).toBe("encrypted");
    expect(err.message).toMatch(/protected with a password/);
    expect(err.message).toMatch(/without a password/);
  });

  it("a legacy .xls workbook", async () => {
    const err = await rejection(ole("Workbook", "SummaryInformation"));
    expect(err.code).toBe("legacy-xls");
    expect(err.message).toMatch(/old-style Excel file \(.xls/);
    expect(err.message).toMatch(/Save As › "Excel Workbook \(.xlsx\)"/);
  });

  it("a zip with encrypted entries", async () => {
    const err = await rejection(buildZip(workbookSkeleton().map((e) => ({ ...e, encrypted: true }))));
    expect(err.code).toBe("encrypted");
  });

  it("an OpenDocument spreadsheet, a Word document, a plain zip", async () => {
    const ods = await rejection(buildZip([{ name: "mimetype", data: Buffer.from("application/vnd.oasis.opendocument.spreadsheet"), store: true }, { name: "content.xml", data: Buffer.from("<x/>") }]));
    expect(ods.message).toMatch(/OpenDocument spreadsheet \(.ods\)/);
    const docx = await rejection(buildZip([{ name: "[Content_Types].xml", data: Buffer.from("<x/>") }, { name: "word/document.xml", data: Buffer.from("<x/>") }]));
    expect(docx.message).toMatch(/Word document/);
    const zip = await rejection(buildZip([{ name: "notes.txt", data: Buffer.from("hello") }]));
    expect(zip.message).toMatch(/zip archive, not an Excel workbook/);
  });
});

describe("damaged files", () => {
  it("a truncated workbook (upload cut off)", async () => {
    const err = await rejection(validXlsx.subarray(0, Math.floor(validXlsx.length / 2)));
    expect(err.code).toBe("corrupt");
    expect(err.message).toMatch(/damaged or incomplete/);
  });

  it("damaged compressed data with an intact directory", async () => {
    const broken = Buffer.from(validXlsx);
    // Overwrite the middle of the file (inside the sheet's compressed data).
    broken.fill(0xff, Math.floor(broken.length * 0.3), Math.floor(broken.length * 0.3) + 64);
    const err = await rejection(broken);
    expect(["corrupt", "zip-bomb"]).toContain(err.code);
  });

  it("a sheet whose XML is broken", async () => {
    const head = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Product Handle</t></is></c></row>';
    const broken = await rejection(buildZip(workbookSkeleton(`${head}<row r="2"><c r="A2" <v>1</v></c></row></sheetData></worksheet>`)));
    expect(broken.code).toBe("corrupt");
    expect(broken.message).toMatch(/"Products" sheet could not be read/);
    const cut = await rejection(buildZip(workbookSkeleton(`${head}<row r="2"><c r="A2"`)));
    expect(cut.code).toBe("corrupt");
    expect(cut.message).toMatch(/"Products" sheet in this file is incomplete/);
  });
});

describe("zip bombs and size limits", () => {
  it("refuses a file over the size limit before opening it", async () => {
    const err = await rejection(validXlsx, { maxFileBytes: 1000 });
    expect(err.code).toBe("too-large");
    expect(err.message).toMatch(/the limit is 1000 bytes/);
  });

  it("refuses a part that expands far more than real sheets do (compression ratio)", async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const entries = workbookSkeleton();
    entries[3] = { name: "xl/worksheets/sheet1.xml", data: zeros };
    const err = await rejection(buildZip(entries));
    expect(err.code).toBe("zip-bomb");
    expect(err.message).toMatch(/expands \d+ times when unpacked/);
  });

  it("refuses many small parts that add up to more than the uncompressed limit", async () => {
    const megabyte = Buffer.alloc(1024 * 1024);
    const entries = [...workbookSkeleton(), ...Array.from({ length: 260 }, (_, i) => ({ name: `xl/media/pad${i}.bin`, data: megabyte }))];
    const bomb = buildZip(entries);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const err = await rejection(bomb);
    expect(err.code).toBe("zip-bomb");
    expect(err.message).toMatch(/unpacks to 260 MB; the limit is 250 MB/);
  });

  it("refuses a part that lies about its size (stopped while inflating)", async () => {
    const entries = workbookSkeleton();
    entries[3] = { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(10 * 1024 * 1024, 0x20), declaredSize: 1000 };
    const err = await rejection(buildZip(entries));
    expect(err.code).toBe("zip-bomb");
    expect(err.message).toMatch(/larger than the file says/);
  });

  it("applies the uncompressed limit to real workbooks too", async () => {
    const err = await rejection(validXlsx, { maxUncompressedBytes: 10_000 });
    expect(err.code).toBe("zip-bomb");
    expect(err.message).toMatch(/unpacks to .*; the limit is 10 KB/);
  });

  it("refuses styles, shared strings or a sheet list larger than their limits before reading them", async () => {
    // A 1.5 MB file held 240 MB of styles (or 230 MB of shared strings): read whole, they took
    // the server down.
    const styles = await rejection(validXlsx, { maxStylesBytes: 1000 });
    expect(styles.code).toBe("zip-bomb");
    expect(styles.message).toMatch(/formatting \(cell styles\) takes .* unpacked; the limit is 1000 bytes, so it was not opened/);
    const strings = await rejection(validXlsx, { maxSharedStringsBytes: 10_000 });
    expect(strings.code).toBe("zip-bomb");
    expect(strings.message).toMatch(/table of cell texts takes .* unpacked; the limit is 10 KB, so it was not opened. Split your products/);
    // The sheet list too (240 MB of it, in a 1.6 MB file, took 1.1 GB).
    const sheets = await rejection(validXlsx, { maxWorkbookPartBytes: 100 });
    expect(sheets.code).toBe("zip-bomb");
    expect(sheets.message).toMatch(/list of sheets takes .* unpacked; the limit is 100 bytes, so it was not opened/);
  });

  it("refuses a zip with an absurd number of parts", async () => {
    const err = await rejection(validXlsx, { maxZipEntries: 3 });
    expect(err.message).toMatch(/parts; an Excel workbook has a few dozen/);
  });
});

describe("hyperlinks", () => {
  const HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
  /** A Products sheet with a handle and an Images column, and the given <hyperlink> elements. */
  function linkedWorkbook(hyperlinkXml: string, relationships = `<Relationship Id="rIdH1" Type="${HYPERLINK_REL}" Target="https://cdn.example.com/photo.jpg" TargetMode="External"/>`): Buffer {
    const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
    const sheet =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>' +
      `<row r="1">${cell("A1", "Product Handle")}${cell("B1", "Images")}</row>` +
      `<row r="2">${cell("A2", "tee")}${cell("B2", "front photo")}</row>` +
      `<row r="3">${cell("A3", "cap")}${cell("B3", "side photo")}</row>` +
      `</sheetData><hyperlinks>${hyperlinkXml}</hyperlinks></worksheet>`;
    return buildZip([
      ...workbookSkeleton(sheet),
      { name: "xl/worksheets/_rels/sheet1.xml.rels", data: Buffer.from(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships}</Relationships>`) },
    ]);
  }

  it("refuses a sheet whose links cover more cells than the limit, without running out of memory (21 KB of ranges once crashed the server)", async () => {
    // As the review's hlbomb.xlsx: 100 ranges of whole rows (A:XFD, 25 rows each) to one link.
    const ranges = Array.from({ length: 100 }, (_, i) => `<hyperlink ref="A${i * 25 + 1}:XFD${i * 25 + 25}" r:id="rIdH1"/>`).join("");
    const bomb = linkedWorkbook(ranges);
    expect(bomb.length).toBeLessThan(25_000);
    const started = Date.now();
    const err = await rejection(bomb);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe("too-many-links");
    expect(err.message).toBe(
      'The "Products" sheet has links (hyperlinks) on more than 400,000 cells, the limit, so it was not read. Passport does not need links: remove them (in Excel, select the columns, right-click › Remove Hyperlinks) or type the web addresses as plain text, save the file and upload it again.',
    );
  });

  it("counts every cell of a linked range, and one link per cell, against maxLinkedCells", async () => {
    const err = await rejection(linkedWorkbook('<hyperlink ref="B2:B3" r:id="rIdH1"/><hyperlink ref="C2" r:id="rIdH1"/>'), { maxLinkedCells: 2 });
    expect(err.code).toBe("too-many-links");
    expect(err.message).toMatch(/on more than 2 cells/);
    // So are the link targets of the sheet's relationships (one per link in files Excel writes).
    const targets = Array.from({ length: 3 }, (_, i) => `<Relationship Id="rIdH${i + 1}" Type="${HYPERLINK_REL}" Target="https://cdn.example.com/${i}.jpg" TargetMode="External"/>`).join("");
    const tooManyTargets = await rejection(linkedWorkbook('<hyperlink ref="B2" r:id="rIdH1"/>', targets), { maxLinkedCells: 2 });
    expect(tooManyTargets.code).toBe("too-many-links");
  });

  it("finds links in one pass over the sheet, whatever their tags hold", async () => {
    // A ">" in a quoted value is legal XML: it no longer ends the tag (and loses the link).
    const path = tmp.path("linked-gt.xlsx");
    await writeFile(path, linkedWorkbook('<hyperlink ref="B2:B3" tooltip="front > back" r:id="rIdH1"/>'));
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => p.fields.images)).toEqual([[{ url: "https://cdn.example.com/photo.jpg" }], [{ url: "https://cdn.example.com/photo.jpg" }]]);
    // 10 MB of "<hyperlink " without a ">" (stored, not compressed): each start read the rest of
    // its piece of the sheet again (12 s).
    const junk = tmp.path("linked-junk.xlsx");
    const sheet = `<worksheet><sheetData/><hyperlinks>${"<hyperlink ".repeat(1_000_000)}</hyperlinks></worksheet>`;
    const rels = `<Relationships><Relationship Id="rIdH1" Type="${HYPERLINK_REL}" Target="https://cdn.example.com/photo.jpg" TargetMode="External"/></Relationships>`;
    const entries = workbookSkeleton();
    entries[3] = { name: "xl/worksheets/sheet1.xml", data: Buffer.from(sheet), store: true };
    await writeFile(junk, buildZip([...entries, { name: "xl/worksheets/_rels/sheet1.xml.rels", data: Buffer.from(rels) }]));
    const started = performance.now();
    const info = await inspectWorkbookFile(junk, DEFAULT_LIMITS);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(info.hyperlinks.size).toBe(0);
  });

  it("reads a link on a range of cells as the link of each of its cells, within the limit", async () => {
    const path = tmp.path("linked-range.xlsx");
    await writeFile(path, linkedWorkbook('<hyperlink ref="B2:B3" r:id="rIdH1"/>'));
    const r = await readProductsWorkbook(path, { primaryLocale: "en", limits: { maxLinkedCells: 2 } });
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => [p.handle, p.fields.images])).toEqual([
      ["tee", [{ url: "https://cdn.example.com/photo.jpg" }]],
      ["cap", [{ url: "https://cdn.example.com/photo.jpg" }]],
    ]);
  });
});

describe("reading alongside the verification", () => {
  it("runs the caller's reading once the directory passed its checks, awaits it, and lets a failed verification win", async () => {
    const valid = tmp.path("alongside.xlsx");
    await writeFile(valid, validXlsx);
    const seen: { productsSheet: string | undefined; hasSharedStrings: boolean }[] = [];
    let finished = false;
    const info = await inspectWorkbookFile(valid, DEFAULT_LIMITS, {
      alongsideVerification: async ({ productsSheet, hasSharedStrings }) => {
        seen.push({ productsSheet: productsSheet?.path ?? undefined, hasSharedStrings });
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished = true;
      },
    });
    expect(seen).toEqual([{ productsSheet: "xl/worksheets/sheet1.xml", hasSharedStrings: true }]);
    expect(finished).toBe(true);
    expect(info.productsSheet?.name).toBe("Products");

    const failing = async () => {
      throw new Error("the caller's reading failed");
    };
    await expect(inspectWorkbookFile(valid, DEFAULT_LIMITS, { alongsideVerification: failing })).rejects.toThrow("the caller's reading failed");
    const entries = workbookSkeleton();
    entries[3] = { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(10 * 1024 * 1024, 0x20), declaredSize: 1000 };
    const lying = tmp.path("alongside-lying.xlsx");
    await writeFile(lying, buildZip(entries));
    const err = await inspectWorkbookFile(lying, DEFAULT_LIMITS, { alongsideVerification: failing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbookRejected);
    expect((err as WorkbookRejected).code).toBe("zip-bomb");
  });
});

describe("wrong sheets", () => {
  it("lists the sheets found when there is no Products sheet", async () => {
    const path = tmp.path("sheets.xlsx");
    await writeXlsx(path, [
      { name: "Sheet1", rows: [["Product Handle"], ["tee"]] },
      { name: "Data & notes", rows: [["x"]] },
    ]);
    const err = (await readProductsWorkbook(path, { primaryLocale: "en" }).catch((e: unknown) => e)) as WorkbookRejected;
    expect(err).toBeInstanceOf(WorkbookRejected);
    expect(err.code).toBe("no-products-sheet");
    expect(err.message).toMatch(/no sheet named "Products". Sheets found: "Sheet1", "Data & notes"/);
  });

  it("lists a few of 40,000 sheets, quickly, in a short message", async () => {
    // Each sheet's relationship was searched for in the list of all: 14 s for this 400 KB file.
    const many = 40_000;
    const entries = workbookSkeleton();
    const name = (i: number) => (i === 0 ? "x".repeat(100_000) : `s${i}`);
    const sheets = Array.from({ length: many }, (_, i) => `<sheet name="${name(i)}" sheetId="${i + 1}" r:id="x${i}"/>`).join("");
    entries[1] = { name: "xl/workbook.xml", data: Buffer.from(`<workbook xmlns:r="r"><sheets>${sheets}</sheets></workbook>`) };
    const rels = Array.from({ length: many }, (_, i) => `<Relationship Id="rId${i}" Type="t" Target="a"/>`).join("");
    entries[2] = { name: "xl/_rels/workbook.xml.rels", data: Buffer.from(`<Relationships>${rels}</Relationships>`) };
    const file = buildZip(entries);
    const started = performance.now();
    const err = await rejection(file);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.code).toBe("no-products-sheet");
    expect(err.message).toMatch(/Sheets found: "x{31}…", "s1", .*, "s9", and 39,990 more. Put your products/);
    expect(err.message.length).toBeLessThan(500);
  });

  it("reads workbook.xml in one pass, whatever its tags hold", async () => {
    // 60,000 "<sheet " without a ">": each read the rest of the part again (28 s).
    const entries = workbookSkeleton();
    entries[1] = { name: "xl/workbook.xml", data: Buffer.from(`<workbook><sheets>${"<sheet ".repeat(60_000)}`) };
    const file = buildZip(entries);
    const started = performance.now();
    const err = await rejection(file);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.code).toBe("no-products-sheet");
    // A ">" in a quoted value is legal XML (Excel writes "&gt;"; other programs may not).
    entries[1] = { name: "xl/workbook.xml", data: Buffer.from('<workbook xmlns:r="r"><sheets><sheet name="Data > 2024" sheetId="1" r:id="rId1"/></sheets></workbook>') };
    expect((await rejection(buildZip(entries))).message).toMatch(/Sheets found: "Data > 2024"\./);
  });

  it("reads a minimal hand-made workbook (inline strings, no styles or shared strings)", async () => {
    const path = tmp.path("minimal.xlsx");
    const sheet =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Product Handle</t></is></c><c r="B1" t="inlineStr"><is><t>Weight (g)</t></is></c></row>' +
      '<row r="2"><c r="A2" t="inlineStr"><is><t>tee</t></is></c><c r="B2"><v>150</v></c></row>' +
      "</sheetData></worksheet>";
    await writeFile(path, buildZip(workbookSkeleton(sheet)));
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([expect.objectContaining({ handle: "tee", fields: { weight: 150 } })]);
  });
});

describe("XML text of the workbook's small parts", () => {
  it("reads a character reference no character has as U+FFFD instead of failing", () => {
    expect(decodeXml("Fish &amp; Chips &#x1F331; &#127793; &#x110000; &#99999999;")).toBe("Fish & Chips 🌱 🌱 \uFFFD \uFFFD");
  });
});
