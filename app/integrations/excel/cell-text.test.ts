// A cell's text reads as Excel shows it, whichever way the file stores it: escaped characters
// (`_xHHHH_`) decoded once, in shared strings, inline strings, their runs and text cells; rich
// text (several runs, part bold …) joined, phonetic guides left out. (An export's texts read back
// unchanged: writer.test.ts.)
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip, makeTempDir, workbookSkeleton } from "./fixtures/helpers";
import { readProductsWorkbook } from "./reader";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let files = 0;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Cell XML holding a text in each of the ways a workbook can (`content` is XML, as in the file). */
const cell = {
  shared: (ref: string, index: number) => `<c r="${ref}" t="s"><v>${index}</v></c>`,
  inline: (ref: string, content: string) => `<c r="${ref}" t="inlineStr"><is>${content}</is></c>`,
  str: (ref: string, content: string) => `<c r="${ref}" t="str"><v>${content}</v></c>`,
};
const t = (text: string) => `<t xml:space="preserve">${escapeXml(text)}</t>`;
const run = (text: string, bold = false) => `<r>${bold ? '<rPr><b/><sz val="11"/><rFont val="Calibri"/></rPr>' : ""}${t(text)}</r>`;
const phonetic = (text: string) => `<rPh sb="0" eb="2"><t>${escapeXml(text)}</t></rPh><phoneticPr fontId="1" type="noConversion"/>`;

/**
 * A workbook whose Products sheet has the header row (Product Handle, Description) and one row per
 * description: handle `p<n>` (an inline string) and the cell XML `descriptions[n - 1]` in column B.
 * `shared` is the shared strings' `<si>` contents; the handles and headers are not among them.
 */
async function workbook(descriptions: ((ref: string) => string)[], shared: string[] = []): Promise<string> {
  const rows = [
    `<row r="1">${cell.inline("A1", t("Product Handle"))}${cell.inline("B1", t("Description"))}</row>`,
    ...descriptions.map((description, i) => `<row r="${i + 2}">${cell.inline(`A${i + 2}`, t(`p${i + 1}`))}${description(`B${i + 2}`)}</row>`),
  ];
  const entries = workbookSkeleton(`<worksheet ${NS}><sheetData>${rows.join("")}</sheetData></worksheet>`);
  if (shared.length) entries.push({ name: "xl/sharedStrings.xml", data: Buffer.from(`<sst ${NS}>${shared.map((si) => `<si>${si}</si>`).join("")}</sst>`) });
  const path = tmp.path(`text-${++files}.xlsx`);
  await writeFile(path, buildZip(entries));
  return path;
}

/** The Description of each product read from the file (no errors). */
async function descriptions(path: string): Promise<(string | undefined)[]> {
  const r = await readProductsWorkbook(path, { primaryLocale: "en" });
  expect(r.errors).toEqual([]);
  return r.records.map((p) => (p.fields.description as Record<string, string> | undefined)?.en);
}

describe("escaped characters (_xHHHH_)", () => {
  const ESCAPED = [
    ["Line 1_x000D_\nLine 2", "Line 1\r\nLine 2"], // Excel's line break typed on Windows
    ["_x005F_x0041_ stays as typed", "_x0041_ stays as typed"], // a literal escape, its underscore escaped
    ["lower case _x000d__x000a_ too", "lower case \r\n too"],
    ["Tab_x0009_and bell_x0007_", "Tab\tand bell\u0007"],
    ["Smile _xD83D__xDE00_", "Smile 😀"],
    ["Not escapes: _x41_ _xGGGG_ _x0041 x0041_ _X0041_", "Not escapes: _x41_ _xGGGG_ _x0041 x0041_ _X0041_"],
    ["_x005F_x005F_x005F_x0041_", "_x005F_x0041_"], // decoded once (the text _x005F_x0041_, escaped)
  ] as const;

  it("decodes them in shared strings", async () => {
    const path = await workbook(
      ESCAPED.map((_, i) => (ref) => cell.shared(ref, i)),
      ESCAPED.map(([file]) => t(file)),
    );
    expect(await descriptions(path)).toEqual(ESCAPED.map(([, shown]) => shown));
  });

  it("decodes them in inline strings and in cells of text (t=\"str\", as the export writes them)", async () => {
    for (const kind of ["inline", "str"] as const) {
      const path = await workbook(ESCAPED.map(([file]) => (ref) => (kind === "inline" ? cell.inline(ref, t(file)) : cell.str(ref, escapeXml(file)))));
      expect(await descriptions(path), kind).toEqual(ESCAPED.map(([, shown]) => shown));
    }
  });

  it("decodes them in a formula's text result", async () => {
    const path = await workbook([(ref) => `<c r="${ref}" t="str"><f>A1&amp;"x"</f><v>a_x000D_\nb _x005F_x0041_</v></c>`]);
    expect(await descriptions(path)).toEqual(["a\r\nb _x0041_"]);
  });

  it("decodes each run of rich text on its own, shared or inline", async () => {
    // "_x00" + "41_": two runs that only look like an escape once joined.
    const runs = run("Line 1_x000D_\n", true) + run("Line 2 _x00") + run("41_", true);
    const path = await workbook([(ref) => cell.shared(ref, 0), (ref) => cell.inline(ref, runs)], [runs]);
    expect(await descriptions(path)).toEqual(["Line 1\r\nLine 2 _x0041_", "Line 1\r\nLine 2 _x0041_"]);
  });

  it("reads an escaped handle the same in both passes (rows of one product far apart)", async () => {
    const rows = [
      `<row r="1">${cell.inline("A1", t("Product Handle"))}${cell.inline("B1", t("SKU"))}</row>`,
      `<row r="2">${cell.shared("A2", 0)}${cell.inline("B2", t("S-1"))}</row>`,
      `<row r="3">${cell.inline("A3", t("other"))}${cell.inline("B3", t("S-2"))}</row>`,
      `<row r="4">${cell.inline("A4", t("_x0054_ee_x005F_x0031_"))}${cell.inline("B4", t("S-3"))}</row>`,
      `<row r="5">${cell.str("A5", "T_x0045_E_x005F_x0031_")}${cell.inline("B5", t("S-4"))}</row>`,
    ];
    const entries = workbookSkeleton(`<worksheet ${NS}><sheetData>${rows.join("")}</sheetData></worksheet>`);
    entries.push({ name: "xl/sharedStrings.xml", data: Buffer.from(`<sst ${NS}><si><t>tee_x005F_x0031_</t></si></sst>`) });
    const path = tmp.path("handles.xlsx");
    await writeFile(path, buildZip(entries));
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => [p.handle, p.variants.map((v) => v.externalId)])).toEqual([
      ["tee_x0031_", ["S-1", "S-3", "S-4"]],
      ["other", ["S-2"]],
    ]);
  });
});

describe("rich text", () => {
  it("joins the runs of an inline string (exceljs kept the last one)", async () => {
    const path = await workbook([
      (ref) => cell.inline(ref, run("Organic ", true) + run("cotton")),
      (ref) => cell.inline(ref, run("100% ") + run("organic", true) + run(" cotton")),
      (ref) => cell.inline(ref, t("Plain ") + run("and bold", true)),
      (ref) => cell.inline(ref, run("One run")),
    ]);
    expect(await descriptions(path)).toEqual(["Organic cotton", "100% organic cotton", "Plain and bold", "One run"]);
  });

  it("joins the runs of a shared string", async () => {
    const path = await workbook([(ref) => cell.shared(ref, 0)], [run("Organic ", true) + run("cotton")]);
    expect(await descriptions(path)).toEqual(["Organic cotton"]);
  });

  it("leaves out phonetic guides (rPh) and the layout between an inline string's elements", async () => {
    const path = await workbook([
      (ref) => cell.inline(ref, t("東京") + phonetic("トウキョウ")),
      (ref) => cell.inline(ref, run("東京", true) + run("の綿") + phonetic("トウキョウ")),
      (ref) => cell.inline(ref, `\n  ${run("Organic ", true)}\n  ${run("cotton")}\n`),
      (ref) => cell.inline(ref, `\n  ${t("Organic cotton")}\n`),
    ]);
    expect(await descriptions(path)).toEqual(["東京", "東京の綿", "Organic cotton", "Organic cotton"]);
  });

  it("leaves out the phonetic guide of a shared string with runs", async () => {
    const path = await workbook([(ref) => cell.shared(ref, 0)], [run("東京", true) + run("の綿") + phonetic("トウキョウ")]);
    expect(await descriptions(path)).toEqual(["東京の綿"]);
  });

  it("leaves out the phonetic guide of a plain shared string (exceljs read the guide) and the layout between a shared string's elements", async () => {
    const shared = [
      t("東京") + phonetic("トウキョウ"), // as Excel writes Japanese typed with an IME
      `\n  ${t("Organic cotton")}\n`,
      `\n  ${run("Organic ", true)}\n  ${run("cotton")}\n`,
      `<r>\n  <rPr><b/></rPr>\n  ${t("Organic")}\n</r>\n<r>\n  ${t(" cotton")}\n</r>`,
    ];
    const path = await workbook(
      shared.map((_, i) => (ref) => cell.shared(ref, i)),
      shared,
    );
    expect(await descriptions(path)).toEqual(["東京", "Organic cotton", "Organic cotton", "Organic cotton"]);
  });
});
