// The shared strings' entries (shared-strings.ts), and their count, checked while the table is
// read (an 18 MB upload of 13 million tiny ones took 1.4 GB). The reader applies the default limit,
// resolveLimits()'s 2,000,000; it is made small here so that the files stay small.
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildZip, makeTempDir, workbookSkeleton } from "./fixtures/helpers";
import type * as LimitsModule from "./limits";
import { type Limits, WorkbookRejected } from "./limits";
import { readProductsWorkbook } from "./reader";
import { parseSharedStrings } from "./shared-strings";

vi.mock("./limits", async (importOriginal) => {
  const actual = await importOriginal<typeof LimitsModule>();
  return { ...actual, resolveLimits: (partial?: Partial<Limits>) => actual.resolveLimits({ maxSharedStrings: 1000, ...partial }) };
});

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

/** A workbook whose Products sheet has a header and one product, and a table of `count` shared strings. */
async function withSharedStrings(count: number): Promise<string> {
  const path = tmp.path(`sst${count}.xlsx`);
  const sheet =
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>';
  const strings = ["Product Handle", "tee", ...Array.from({ length: count - 2 }, (_, i) => `text ${i}`)];
  const table = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.map((s) => `<si><t>${s}</t></si>`).join("")}</sst>`;
  await writeFile(path, buildZip([...workbookSkeleton(sheet), { name: "xl/sharedStrings.xml", data: Buffer.from(table) }]));
  return path;
}

describe("the shared strings' count", () => {
  it("reads a table of as many entries as the limit", async () => {
    const r = await readProductsWorkbook(await withSharedStrings(1000), { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => p.handle)).toEqual(["tee"]);
  });

  it("refuses a table of more, whether the parser is at its end or in the middle", async () => {
    for (const count of [200_000, 1001]) {
      const err = await readProductsWorkbook(await withSharedStrings(count), { primaryLocale: "en" }).catch((e: unknown) => e);
      expect(err, String(count)).toBeInstanceOf(WorkbookRejected);
      expect((err as WorkbookRejected).code).toBe("too-large");
      expect((err as WorkbookRejected).message).toMatch(/more than 1,000 different texts, the limit, so it was not read. Split your products/);
    }
  });
});

/** The entries of a shared strings part given in pieces of `size` characters (anywhere: inside a tag, a character reference). */
async function entries(xml: string, options: { fonts?: boolean; size?: number } = {}) {
  const size = options.size ?? 7;
  async function* pieces() {
    for (let i = 0; i < xml.length; i += size) yield xml.slice(i, i + size);
  }
  return parseSharedStrings(pieces(), { maxStrings: 100, fonts: options.fonts });
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';

describe("the shared strings' entries", () => {
  it("gives each entry's text as a string, or its runs when they hold an escape, in the shape the cells take", async () => {
    const xml =
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst ${NS} count="7" uniqueCount="7">\n` +
      "<si><t>Organic cotton</t></si>\n" +
      '<si>\n  <t xml:space="preserve">  Fish &amp; Chips &#13;&#x263A;  </t>\n</si>\n' + // text kept whole; the layout around <t> is not text
      "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>\n" + // the phonetic guide is left out
      '<si>\n  <r>\n    <rPr><b/></rPr>\n    <t xml:space="preserve">Organic </t>\n  </r>\n  <r><t>cotton</t></r>\n  <rPh sb="0" eb="1"><t>x</t></rPh>\n</si>\n' +
      '<si><r><t xml:space="preserve">Line 2 _x00</t></r><r><rPr><b/></rPr><t>41_</t></r></si>\n' + // runs that hold an escape stay runs
      "<si><t>Plain </t><r><t>and bold</t></r></si>\n" +
      "<si><t>Line 1_x000D_\nLine 2 _x005F_x0041_</t></si>\n" + // escapes are left to cells.ts
      "<si><t/></si><si/>\n" +
      "<si><t><![CDATA[<b>as typed</b>]]></t></si>\n" +
      "</sst>";
    const expected = [
      "Organic cotton",
      "  Fish & Chips \r\u263A  ",
      "東京",
      "Organic cotton", // the runs' text: cells.ts would join them
      { richText: [{ text: "Line 2 _x00" }, { text: "41_" }] },
      "Plain and bold",
      "Line 1_x000D_\nLine 2 _x005F_x0041_",
      "",
      "",
      "<b>as typed</b>",
    ];
    for (const size of [1, 7, 64 * 1024]) expect(await entries(xml, { size }), String(size)).toEqual(expected);
  });

  it("reads elements with a namespace prefix", async () => {
    const xml = `<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>東京</x:t><x:rPh sb="0" eb="2"><x:t>トウキョウ</x:t></x:rPh></x:si><x:si><x:r><x:t>a</x:t></x:r><x:r><x:t>b</x:t></x:r></x:si></x:sst>`;
    expect(await entries(xml)).toEqual(["東京", "ab"]);
  });

  it("keeps each run's font when asked (the error workbook writes runs back)", async () => {
    const xml = `<sst ${NS}><si><r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/><rFont val="Calibri"/></rPr><t>Bold</t></r><r><t> plain</t></r></si></sst>`;
    expect(await entries(xml, { fonts: true })).toEqual([{ richText: [{ text: "Bold", font: { bold: true, size: 11, color: { argb: "FFFF0000" }, name: "Calibri" } }, { text: " plain" }] }]);
    expect(await entries(xml)).toEqual(["Bold plain"]);
  });

  it("refuses a damaged table", async () => {
    const path = tmp.path("damaged.xlsx");
    const sheet = `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>`;
    for (const table of [`<sst ${NS}><si><t>Product Handle</t></si><si><t>tee</t>`, `<sst ${NS}><si><t>Product Handle</t></si><si><t>tee</t></si></sst><sst/>`]) {
      await writeFile(path, buildZip([...workbookSkeleton(sheet), { name: "xl/sharedStrings.xml", data: Buffer.from(table) }]));
      const err = await readProductsWorkbook(path, { primaryLocale: "en" }).catch((e: unknown) => e);
      expect(err, table).toBeInstanceOf(WorkbookRejected);
      expect((err as WorkbookRejected).code).toBe("corrupt");
      expect((err as WorkbookRejected).message).toMatch(/text table is damaged/);
    }
  });
});
