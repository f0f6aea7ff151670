import { writeFile } from "node:fs/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFieldKey, parseFieldValue, type Certification, type FieldKey, type Material } from "../../catalog/fields";
import { normalizeGtin } from "../../passports/gs1";
import { ean13 } from "./examples";
import { generateWorkbook } from "./generate";
import { buildZip, fmt, makeTempDir, readZipEntries, reorderZip, type TestCell, type TestSheet, workbookSkeleton, writeProducts, writeProductsStreaming, writeXlsx } from "./fixtures/helpers";
import { WorkbookRejected } from "./limits";
import { type ReadOptions, readProductsWorkbook, streamProductsWorkbook, type WorkbookStream } from "./reader";

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let n = 0;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

async function read(records: Record<string, TestCell>[], options: Partial<ReadOptions> = {}, extra: TestSheet[] = []) {
  const path = tmp.path(`t${++n}.xlsx`);
  await writeProducts(path, records, extra);
  return readProductsWorkbook(path, { primaryLocale: "en", ...options });
}

const EAN_A = ean13("401234500001"); // 4012345000016
const EAN_B = ean13("401234500002");
const gtin14 = (code: string) => (normalizeGtin(code) as { gtin: string }).gtin;

const tee = (over: Record<string, TestCell> = {}): Record<string, TestCell> => ({
  "Product Handle": "tee",
  Title: "Organic Tee",
  SKU: "TEE-S",
  ...over,
});

describe("reading products", () => {
  it("reads every field kind into records; empty cells stay absent", async () => {
    const r = await read([
      {
        "Product Handle": "organic-cotton-tee",
        Title: "Organic Cotton T-Shirt",
        "Title [de]": "Bio-Baumwoll-T-Shirt",
        Description: "Soft.\nBreathable.",
        Images: "https://cdn.example.com/a.jpg\nhttps://cdn.example.com/b.jpg",
        "Brand / vendor": "Nordlys",
        Tags: "organic, cotton",
        "Material 1": "Organic cotton",
        "Material 1 %": 95,
        "Material 1 Recycled %": 0,
        "Material 1 Origin": "IN",
        "Material 2": "Elastane",
        "Material 2 %": 5,
        "Country of production": "PT",
        "Carbon footprint (kg CO2e)": 2.1,
        "Water use (L)": "2 700",
        "Certification 1 Name": "GOTS",
        "Certification 1 Body": "Control Union",
        "Certification 1 Valid until": fmt(new Date(Date.UTC(2027, 5, 30)), "yyyy-mm-dd"),
        "Certification 1 Link": "https://certs.example.com/gots",
        "Weight (g)": 145,
        SKU: "TEE-S",
        "Barcode (GTIN)": EAN_A,
        "Option1 Name": "Size",
        "Option1 Value": "S",
        Manufacturer: "",
      },
      { "Product Handle": "organic-cotton-tee", "Weight (g)": 155, SKU: "TEE-M", "Barcode (GTIN)": EAN_B, "Option1 Value": "M" },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rowCount).toBe(2);
    expect(r.productCount).toBe(1);
    expect(r.translationLocales).toEqual(["de"]);
    const [p] = r.records;
    expect(p.externalId).toBe("organic-cotton-tee");
    expect(p.handle).toBe("organic-cotton-tee");
    expect(p.ref).toEqual({ sheet: "Products", row: 2 });
    expect(p.fields).toEqual({
      title: { en: "Organic Cotton T-Shirt", de: "Bio-Baumwoll-T-Shirt" },
      description: { en: "Soft.\nBreathable." },
      images: [{ url: "https://cdn.example.com/a.jpg" }, { url: "https://cdn.example.com/b.jpg" }],
      vendor: "Nordlys",
      tags: ["organic", "cotton"],
      materials: [
        { material: "Organic cotton", massPercent: 95, recycledPercent: 0, originCountry: "IN" },
        { material: "Elastane", massPercent: 5 },
      ],
      countryOfProduction: "PT",
      carbonFootprint: 2.1,
      waterUse: 2700,
      certifications: [{ name: "GOTS", body: "Control Union", validUntil: "2027-06-30", url: "https://certs.example.com/gots" }],
    });
    expect("manufacturer" in p.fields).toBe(false);
    expect(p.variants).toEqual([
      {
        externalId: "TEE-S",
        fields: { weight: 145, sku: "TEE-S", barcode: gtin14(EAN_A), options: [{ name: "Size", value: "S" }] },
        position: 1,
        ref: { sheet: "Products", row: 2 },
      },
      {
        externalId: "TEE-M",
        fields: { weight: 155, sku: "TEE-M", barcode: gtin14(EAN_B), options: [{ name: "Size", value: "M" }] },
        position: 2,
        ref: { sheet: "Products", row: 3 },
      },
    ]);
  });

  it("groups rows by handle wherever they are, case-insensitively", async () => {
    const r = await read([
      { "Product Handle": "tee", Title: "Tee", SKU: "A" },
      { "Product Handle": "cap", Title: "Cap", SKU: "B" },
      { "Product Handle": "TEE", SKU: "C" },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => [p.handle, p.variants.map((v) => v.externalId)])).toEqual([
      ["tee", ["A", "C"]],
      ["cap", ["B"]],
    ]);
  });

  it("understands numbers stored as text, units and percent formats", async () => {
    const r = await read([
      tee({
        "Carbon footprint (kg CO2e)": "12,5",
        "Water use (L)": "1200.5",
        "Weight (g)": "150 g",
        "Material 1": "Cotton",
        "Material 1 %": fmt(0.6, "0%"),
        "Material 2": "Linen",
        "Material 2 %": "40%",
      }),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields).toMatchObject({
      carbonFootprint: 12.5,
      waterUse: 1200.5,
      weight: 150,
      materials: [
        { material: "Cotton", massPercent: 60 },
        { material: "Linen", massPercent: 40 },
      ],
    });
  });

  it("reads a number whose format only displays a % (quoted) as it is, not times 100", async () => {
    const r = await read([tee({ "Material 1": "Cotton", "Material 1 %": fmt(100, '0"%"') })]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields).toMatchObject({ materials: [{ material: "Cotton", massPercent: 100 }] });
  });

  it("reports numbers stored as text that could be thousands or decimals, instead of guessing", async () => {
    const r = await read([tee({ "Carbon footprint (kg CO2e)": "12,500", "Water use (L)": "2,700", "Weight (g)": "1,250" })]);
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => [e.column, e.message])).toEqual([
      ["Carbon footprint (kg CO2e)", expect.stringMatching(/^"12,500" could be read as 12500 .* or as 12.5 .*Write 12500 or 12.5/)],
      ["Water use (L)", expect.stringMatching(/^"2,700" could be read as 2700 .* or as 2.7 .*Write 2700 or 2.7/)],
      ["Weight (g)", expect.stringMatching(/^"1,250" could be read as 1250 .* or as 1.25 .*Write 1250 or 1.25/)],
    ]);
  });

  it("understands dates as text, serials and Date cells", async () => {
    const r = await read([
      tee({
        "Certification 1 Name": "A",
        "Certification 1 Valid until": "2027-01-31",
        "Certification 2 Name": "B",
        "Certification 2 Valid until": 46418,
        "Certification 3 Name": "C",
        "Certification 3 Valid until": new Date(Date.UTC(2027, 0, 31)),
      }),
    ]);
    expect(r.errors).toEqual([]);
    expect((r.records[0].fields.certifications as Certification[]).map((c) => c.validUntil)).toEqual(["2027-01-31", "2027-01-31", "2027-01-31"]);
  });

  it("refuses a year alone as a date instead of reading it as a day in 1905", async () => {
    const r = await read([tee({ "Certification 1 Name": "GOTS", "Certification 1 Valid until": "2027" })]);
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => [e.column, e.message])).toEqual([["Certification 1 Valid until", '"2027" is a year, not a date. Enter the full date as YYYY-MM-DD, e.g. 2027-12-31.']]);
  });

  it("uses formulas' cached results and reports formulas without one", async () => {
    const ok = await read([tee({ "Weight (g)": { formula: "100+50", result: 150 }, Manufacturer: { formula: '"Acme"&" Ltd"', result: "Acme Ltd" } })]);
    expect(ok.errors).toEqual([]);
    expect(ok.records[0].fields).toMatchObject({ weight: 150, manufacturer: "Acme Ltd" });
    // A saved result of 0 is a result (exceljs dropped it).
    const zero = await read([tee({ "Carbon footprint (kg CO2e)": { formula: "0*5", result: 0 } })]);
    expect(zero.errors).toEqual([]);
    expect(zero.records[0].fields).toMatchObject({ carbonFootprint: 0 });

    const bad = await read([tee({ "Weight (g)": { formula: "100+50" } as never })]);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatchObject({ row: 2, column: "Weight (g)", cellRef: "D2" });
    expect(bad.errors[0].message).toMatch(/formula without a saved result/);
    expect(bad.records).toEqual([]);
    expect(bad.productsWithErrors).toEqual(["tee"]);
  });

  it("reads rich text and hyperlink cells", async () => {
    const r = await read([
      tee({
        Title: { richText: [{ text: "Organic " }, { font: { bold: true }, text: "Tee" }] },
        Images: { text: "front photo", hyperlink: "https://cdn.example.com/front.jpg" },
        "Certification 1 Name": "GOTS",
        "Certification 1 Link": { text: "see certificate", hyperlink: "https://certs.example.com/gots" },
        Manufacturer: { text: "Acme", hyperlink: "https://acme.example.com" },
      }),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields).toMatchObject({
      title: { en: "Organic Tee" },
      images: [{ url: "https://cdn.example.com/front.jpg" }],
      certifications: [{ name: "GOTS", url: "https://certs.example.com/gots" }],
      manufacturer: "Acme",
    });
  });

  it("keeps GTIN leading zeros from text and pads numeric GTINs", async () => {
    const upc = "012345678905";
    const r = await read([
      tee({ SKU: "A", "Barcode (GTIN)": upc }),
      tee({ SKU: "B", "Barcode (GTIN)": 36000291452 }), // UPC 036000291452 typed as a number
      tee({ SKU: "C", "Barcode (GTIN)": "9638-5074" }), // GTIN-8 with a dash
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].variants.map((v) => v.fields.barcode)).toEqual(["00012345678905", "00036000291452", "00000096385074"]);
  });

  it("reports GTINs with a wrong length or check digit", async () => {
    const r = await read([tee({ SKU: "A", "Barcode (GTIN)": "4012345000017" }), tee({ SKU: "B", "Barcode (GTIN)": "12345" })]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "Barcode (GTIN)"],
      [3, "Barcode (GTIN)"],
    ]);
    expect(r.errors[0].message).toMatch(/wrong check digit: the last digit should be 6/);
    expect(r.errors[1].message).toMatch(/has 5 digits; a GTIN has 8, 12, 13 or 14/);
  });

  it("reports invalid country codes, URLs and numbers with the cell", async () => {
    const r = await read([
      tee({
        "Country of production": "XX",
        Images: "ftp://cdn.example.com/a.jpg",
        "Weight (g)": "heavy",
        "Carbon footprint (kg CO2e)": -1,
        "Material 1": "Cotton",
        "Material 1 %": 100,
        "Material 1 Origin": "Narnia",
      }),
    ]);
    const byColumn = Object.fromEntries(r.errors.map((e) => [e.column, e.message]));
    expect(byColumn["Country of production"]).toMatch(/"XX" is not an ISO 3166 two-letter country code/);
    expect(byColumn.Images).toMatch(/must start with http/);
    expect(byColumn["Weight (g)"]).toMatch(/"heavy" is not a number/);
    expect(byColumn["Carbon footprint (kg CO2e)"]).toMatch(/must be 0 or more/);
    expect(byColumn["Material 1 Origin"]).toMatch(/"Narnia" is not an ISO 3166/);
    expect(r.errors.every((e) => e.cellRef && e.row === 2)).toBe(true);
  });

  it("says how many images and tags a product may have, and how long a tag may be, in words", async () => {
    const r = await read([
      tee({
        Images: Array.from({ length: 300 }, (_, i) => `https://cdn.example.com/${i}.jpg`).join("\n"),
        Tags: Array.from({ length: 300 }, (_, i) => `t${i}`).join(", "),
      }),
      tee({ "Product Handle": "cap", SKU: "CAP", Tags: `organic, ${"x".repeat(300)}`, Images: "https://cdn.example.com/cap.jpg\nftp://cdn.example.com/cap.jpg" }),
    ]);
    expect(r.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      // The count is the problem, not the links: no hint about https://.
      [2, "Images", "This cell has more than 250 images; keep at most 250."],
      [2, "Tags", "This cell has more than 250 entries; keep at most 250."],
      [3, "Images", '"ftp://cdn.example.com/cap.jpg" must start with http:// or https://. Links must start with https://.'],
      [3, "Tags", `"${"x".repeat(59)}…" is longer than 255 characters; shorten it to 255 at most.`],
    ]);
  });

  it("accepts lower-case codes and English country names", async () => {
    const r = await read([tee({ "Country of production": "pt", "Material 1": "Wool", "Material 1 %": 100, "Material 1 Origin": "New Zealand" })]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields).toMatchObject({ countryOfProduction: "PT", materials: [{ material: "Wool", massPercent: 100, originCountry: "NZ" }] });
  });
});

describe("materials", () => {
  it("requires the shares to add up to 100", async () => {
    const r = await read([tee({ "Material 1": "Cotton", "Material 1 %": 80, "Material 2": "Linen", "Material 2 %": 10 })]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ row: 2, column: "Material 1 %" });
    expect(r.errors[0].message).toMatch(/add up to 90%; they must add up to 100%/);
  });

  it("requires a name and a share per material, and shares between 0 and 100", async () => {
    const r = await read([
      tee({ SKU: "A", "Material 1 %": 100 }),
      { "Product Handle": "b", Title: "B", SKU: "B", "Material 1": "Cotton" },
      { "Product Handle": "c", Title: "C", SKU: "C", "Material 1": "Cotton", "Material 1 %": 120 },
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "Material 1"],
      [3, "Material 1 %"],
      [4, "Material 1 %"],
    ]);
    expect(r.errors[0].message).toMatch(/"Material 1" is empty/);
    expect(r.errors[2].message).toMatch(/120 is not a percentage between 0 and 100/);
    expect(r.records).toEqual([]);
  });

  it("reads added groups beyond the template's six", async () => {
    const row: Record<string, TestCell> = tee();
    for (let i = 1; i <= 8; i++) {
      row[`Material ${i}`] = `Fibre ${i}`;
      row[`Material ${i} %`] = 12.5;
    }
    const r = await read([row]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields.materials).toHaveLength(8);
  });
});

describe("streaming", () => {
  async function stream(records: Record<string, TestCell>[]) {
    const path = tmp.path(`s${++n}.xlsx`);
    await writeProducts(path, records);
    return streamProductsWorkbook(path, { primaryLocale: "en" });
  }

  /** Each product handed over, with the number of rows read when it came out. */
  async function handOvers(s: WorkbookStream): Promise<[string, number][]> {
    const seen: [string, number][] = [];
    for await (const record of s.records) seen.push([record.externalId, s.summary().rowCount]);
    return seen;
  }

  it("hands over each product once its last row is read, before the rest of the sheet", async () => {
    const s = await stream([
      { "Product Handle": "tee", Title: "Tee", SKU: "A" },
      { "Product Handle": "tee", SKU: "B" },
      { "Product Handle": "cap", Title: "Cap", SKU: "C" },
      { "Product Handle": "sock", Title: "Sock", SKU: "D" },
    ]);
    expect(s.products).toBe(3);
    // Rows read when each product came out: tee after its 2nd row, cap after the 3rd …
    expect(await handOvers(s)).toEqual([
      ["tee", 2],
      ["cap", 3],
      ["sock", 4],
    ]);
    expect(s.summary()).toMatchObject({ errors: [], rowCount: 4, productCount: 3 });
  });

  it("keeps the order of first rows when a product's rows are apart", async () => {
    const s = await stream([
      { "Product Handle": "tee", Title: "Tee", SKU: "A" },
      { "Product Handle": "cap", Title: "Cap", SKU: "B" },
      { "Product Handle": "tee", SKU: "C" },
      { "Product Handle": "sock", Title: "Sock", SKU: "D" },
    ]);
    // cap is complete after row 2 but waits for tee, which starts before it.
    expect(await handOvers(s)).toEqual([
      ["tee", 3],
      ["cap", 3],
      ["sock", 4],
    ]);
  });

  it("reports a product handed over before its SKU turned out to be repeated", async () => {
    const s = await stream([
      { "Product Handle": "tee", Title: "Tee", SKU: "DUP" },
      { "Product Handle": "cap", Title: "Cap", SKU: "DUP" },
    ]);
    const handles: string[] = [];
    for await (const record of s.records) handles.push(record.externalId);
    expect(handles).toEqual(["tee"]); // out before row 3 was read; the errors say it is not valid
    expect(s.summary().errors.map((e) => e.row)).toEqual([2, 3]);
    expect(s.summary().productsWithErrors.sort()).toEqual(["cap", "tee"]);
  });
});

describe("identifiers", () => {
  /**
   * The longest time the event loop was held while `work` ran: while it is held, the server
   * answers no one. (Not the whole reading's time: reading 20,000 rows takes seconds of its own
   * on a busy machine, in pieces that let other requests through.)
   */
  async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stalledMs: number }> {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      const result = await work();
      return { result, stalledMs: delay.max / 1e6 };
    } finally {
      delay.disable();
    }
  }

  it("reports every row of a duplicate SKU, across products", async () => {
    const r = await read([
      tee({ SKU: "DUP", "Option1 Name": "Size", "Option1 Value": "S" }),
      tee({ SKU: "DUP", "Option1 Value": "M" }),
      { "Product Handle": "cap", Title: "Cap", SKU: "DUP" },
      { "Product Handle": "sock", Title: "Sock", SKU: "OK" },
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "SKU"],
      [3, "SKU"],
      [4, "SKU"],
    ]);
    expect(r.errors[0].message).toMatch(/The SKU "DUP" is also used on rows 3 and 4/);
    expect(r.records.map((p) => p.handle)).toEqual(["sock"]);
    expect(r.productsWithErrors.sort()).toEqual(["cap", "tee"]);
  });

  it("reports a SKU used on 20,000 rows without holding up the server, naming a few of the other rows", async () => {
    // The review's 204 KB file: every row listed every other row (and sorted them), which kept
    // the server busy for minutes (130 s here) before the merchant saw anything.
    const path = tmp.path("dup-20k.xlsx");
    const rows = Array.from({ length: 20_000 }, (_, i) => [`p${i}`, "P", "DUP"]);
    await writeProductsStreaming(path, [["Product Handle", "Title", "SKU"], ...rows]);
    const { result: r, stalledMs } = await longestStall(() => readProductsWorkbook(path, { primaryLocale: "en" }));
    expect(stalledMs).toBeLessThan(2000);
    expect(r.records).toEqual([]);
    expect(r.errors[0]).toMatchObject({ row: 2, column: "SKU", message: 'The SKU "DUP" is also used on rows 3, 4, 5, 6, 7 and 19,994 more. Every variant needs its own SKU.' });
    expect(r.errors[1].message).toBe('The SKU "DUP" is also used on rows 2, 4, 5, 6, 7 and 19,994 more. Every variant needs its own SKU.');
    expect(r.errors.at(-1)?.message).toMatch(/and 10,000 more errors not listed/);
  });

  it("reports 10,000 variants of one product with the same options without holding up the server", async () => {
    const path = tmp.path("same-options-10k.xlsx");
    const rows = Array.from({ length: 10_000 }, (_, i) => ["p", i === 0 ? "P" : "", i === 0 ? "Size" : "", "S"]);
    await writeProductsStreaming(path, [["Product Handle", "Title", "Option1 Name", "Option1 Value"], ...rows]);
    const { result: r, stalledMs } = await longestStall(() => readProductsWorkbook(path, { primaryLocale: "en" }));
    expect(stalledMs).toBeLessThan(2000);
    expect(r.productsWithErrors).toEqual(["p"]);
    expect(r.errors[0].message).toBe(
      'This row has the same option values as rows 3, 4, 5, 6, 7 and 9,994 more of the product "p", and no SKU or barcode to tell them apart. Give each variant different option values, or its own SKU.',
    );
  });

  it("reports every row of a duplicate barcode (also when written differently)", async () => {
    const r = await read([tee({ SKU: "A", "Barcode (GTIN)": EAN_A }), tee({ SKU: "B", "Barcode (GTIN)": `0${EAN_A}` })]);
    expect(r.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(r.errors[0].message).toMatch(new RegExp(`The barcode "${EAN_A}" is also used on row 3`));
  });

  it("derives variant ids: SKU, else GTIN-14, else handle/options, else the handle", async () => {
    const r = await read([
      { "Product Handle": "p", Title: "P", SKU: "S1", "Barcode (GTIN)": EAN_A, "Option1 Name": "Size", "Option1 Value": "S" },
      { "Product Handle": "p", "Barcode (GTIN)": EAN_B, "Option1 Value": "M" },
      { "Product Handle": "p", "Option1 Value": "L" },
      { "Product Handle": "r", Title: "R", "Option1 Name": "Size", "Option1 Value": "L", "Option2 Name": "Colour", "Option2 Value": "Blue" },
      { "Product Handle": "q", Title: "Q" },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records.flatMap((p) => p.variants.map((v) => v.externalId))).toEqual(["S1", gtin14(EAN_B), "p/L", "r/L/Blue", "q"]);
  });

  it("identifies a variant without SKU, barcode or options by its product, never by its row", async () => {
    // The review's r1.xlsx and r3.xlsx, and a row added above: the scarf's only variant is the
    // same variant (one passport, the one on its labels) wherever its row is.
    const alone = await read([{ "Product Handle": "wool-scarf", Title: "Wool Scarf", "Country of production": "IT" }]);
    const below = await read([
      { "Product Handle": "linen-cap", Title: "Linen Cap", "Country of production": "PT" },
      { "Product Handle": "wool-scarf", Title: "Wool Scarf", "Country of production": "IT" },
    ]);
    const ids = (r: typeof alone) => r.records.map((p) => [p.externalId, p.variants.map((v) => v.externalId)]);
    expect(ids(alone)).toEqual([["wool-scarf", ["wool-scarf"]]]);
    expect(ids(below)).toEqual([
      ["linen-cap", ["linen-cap"]],
      ["wool-scarf", ["wool-scarf"]],
    ]);
    // Several such variants: by their order among the product's rows that have nothing to tell
    // them apart; the first keeps the handle alone, rows with a SKU in between change nothing.
    const several = await read([
      { "Product Handle": "cap", Title: "Cap" },
      { "Product Handle": "other", Title: "Other" },
      { "Product Handle": "cap", SKU: "CAP-RED" },
      { "Product Handle": "cap" },
      { "Product Handle": "cap" },
    ]);
    expect(several.errors).toEqual([]);
    expect(ids(several)).toEqual([
      ["cap", ["cap", "CAP-RED", "cap#2", "cap#3"]],
      ["other", ["other"]],
    ]);
    expect(several.records[0].variants.map((v) => v.position)).toEqual([1, 2, 3, 4]);
  });

  it("reports a variant known by its handle when another variant of the product has that SKU", async () => {
    const r = await read([
      { "Product Handle": "cap", Title: "Cap", SKU: "cap" },
      { "Product Handle": "cap" },
    ]);
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "Product Handle"],
      [3, "Product Handle"],
    ]);
    expect(r.errors[1].message).toMatch(/This row's variant and the one on row 2 of the product "cap" would both be known as "cap".*Give each variant its own SKU/);
  });

  it("reports rows of one product that cannot be told apart", async () => {
    const r = await read([
      { "Product Handle": "p", Title: "P", "Option1 Name": "Size", "Option1 Value": "S" },
      { "Product Handle": "p", "Option1 Value": "S" },
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "Product Handle"],
      [3, "Product Handle"],
    ]);
    expect(r.errors[0].message).toMatch(/same option values as row 3/);
  });
});

describe("product-level values across rows", () => {
  it("accepts a value on one row only or repeated identically", async () => {
    const r = await read([
      tee({ SKU: "A", "Brand / vendor": "Nordlys" }),
      tee({ SKU: "B", Title: undefined }),
      tee({ SKU: "C", "Brand / vendor": "Nordlys", Title: "Organic Tee" }),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].fields).toMatchObject({ title: { en: "Organic Tee" }, vendor: "Nordlys" });
  });

  it("reports the row and column that conflict", async () => {
    const r = await read([
      tee({ SKU: "A", "Brand / vendor": "Nordlys", "Title [de]": "Bio-Shirt" }),
      tee({ SKU: "B", "Brand / vendor": "Nordlys" }),
      tee({ SKU: "C", "Brand / vendor": "Acme", "Title [de]": "Anderes Shirt" }),
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [4, "Brand / vendor"],
      [4, "Title [de]"],
    ]);
    expect(r.errors[0].message).toMatch(/Brand \/ vendor is "Acme" on this row but "Nordlys" on row 2, for the same product "tee"/);
    expect(r.errors[0].cellRef).toMatch(/^[A-Z]+4$/);
    expect(r.records).toEqual([]);
  });

  it("turns differing values of variantOverride fields into variant overrides, not conflicts", async () => {
    const r = await read([
      tee({ SKU: "A", "Weight (g)": 145, "Country of production": "PT", "Material 1": "Cotton", "Material 1 %": 100 }),
      tee({ SKU: "B", "Weight (g)": 155, "Country of production": "PT", "Material 1": "Cotton", "Material 1 %": 100 }),
      tee({ SKU: "C", "Country of production": "PT", "Material 1": "Linen", "Material 1 %": 100 }),
    ]);
    expect(r.errors).toEqual([]);
    const [p] = r.records;
    // the same on every row → the product's value
    expect(p.fields.countryOfProduction).toBe("PT");
    // differing → each row's own value; rows without a value get none
    expect(p.fields.weight).toBeUndefined();
    expect(p.fields.materials).toBeUndefined();
    expect(p.variants.map((v) => v.fields.weight)).toEqual([145, 155, undefined]);
    expect(p.variants.map((v) => (v.fields.materials as Material[] | undefined)?.[0].material)).toEqual(["Cotton", "Cotton", "Linen"]);
    expect(p.variants.every((v) => v.fields.countryOfProduction === undefined)).toBe(true);
  });
});

describe("options", () => {
  it("takes option names from any row of the product (Shopify style)", async () => {
    const r = await read([
      tee({ SKU: "A", "Option1 Name": "Size", "Option1 Value": "S", "Option2 Name": "Colour", "Option2 Value": "Blue" }),
      tee({ SKU: "B", "Option1 Value": "M", "Option2 Value": "Blue" }),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records[0].variants[1].fields.options).toEqual([
      { name: "Size", value: "M" },
      { name: "Colour", value: "Blue" },
    ]);
  });

  it("reports conflicting names, values without a name and missing values", async () => {
    const r = await read([
      tee({ SKU: "A", "Option1 Name": "Size", "Option1 Value": "S" }),
      tee({ SKU: "B", "Option1 Name": "Colour", "Option1 Value": "Blue" }),
      { "Product Handle": "cap", Title: "Cap", SKU: "C", "Option2 Value": "Red" },
      { "Product Handle": "hat", Title: "Hat", SKU: "D", "Option1 Name": "Size", "Option1 Value": "S" },
      { "Product Handle": "hat", SKU: "E" },
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [3, "Option1 Name"],
      [4, "Option2 Value"],
      [6, "Option1 Value"],
    ]);
    expect(r.errors[0].message).toMatch(/"Colour" on this row but "Size" on row 2/);
    expect(r.errors[1].message).toMatch(/"Option2 Value" is filled in but "Option2 Name" is empty/);
    expect(r.errors[2].message).toMatch(/no value for the option "Size"/);
  });
});

describe("part order inside the file", () => {
  it("reads the same whatever order the workbook's parts are stored in", async () => {
    const path = tmp.path("order.xlsx");
    await writeProducts(path, [
      tee({
        "Material 1": "Cotton",
        "Material 1 %": fmt(0.6, "0%"),
        "Material 2": "Linen",
        "Material 2 %": fmt(0.4, "0%"),
        "Certification 1 Name": "GOTS",
        "Certification 1 Valid until": fmt(new Date(Date.UTC(2027, 0, 31)), "dd.mm.yyyy"),
        Manufacturer: fmt(new Date(Date.UTC(2026, 4, 1)), "yyyy-mm-dd"),
      }),
    ]);
    const expected = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(expected.errors).toEqual([]);
    expect(expected.records[0].fields).toMatchObject({
      materials: [
        { material: "Cotton", massPercent: 60 },
        { material: "Linen", massPercent: 40 },
      ],
      certifications: [{ name: "GOTS", validUntil: "2027-01-31" }],
      manufacturer: "2026-05-01",
    });
    const orders: [string[], string[]][] = [
      // shared strings and relationships before the sheet, workbook and styles after it
      [["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"], ["xl/styles.xml", "xl/workbook.xml"]],
      // sheet first, everything else after
      [["xl/worksheets/sheet1.xml"], ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"]],
    ];
    for (const [i, [first, last]] of orders.entries()) {
      const reordered = tmp.path(`order-${i}.xlsx`);
      await reorderZip(path, reordered, first, last);
      const r = await readProductsWorkbook(reordered, { primaryLocale: "en" });
      expect(r.errors).toEqual([]);
      expect(r.records).toEqual(expected.records);
    }
  });
});

describe("where the sheet is stored", () => {
  it("reads a Products sheet stored under any part name the workbook's relationships give", async () => {
    const path = tmp.path("part-name.xlsx");
    await writeProducts(path, [tee()]);
    const expected = await readProductsWorkbook(path, { primaryLocale: "en" });
    // As some generators write it: the sheet's part named after the sheet.
    const entries = (await readZipEntries(path)).map((e) => {
      if (e.name === "xl/worksheets/sheet1.xml") return { ...e, name: "xl/worksheets/products-data.xml" };
      if (e.name === "xl/_rels/workbook.xml.rels" || e.name === "[Content_Types].xml") {
        return { ...e, data: Buffer.from(e.data.toString("utf8").replaceAll("worksheets/sheet1.xml", "worksheets/products-data.xml")) };
      }
      return e;
    });
    const renamed = tmp.path("part-name-renamed.xlsx");
    await writeFile(renamed, buildZip(entries));
    const r = await readProductsWorkbook(renamed, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual(expected.records);
  });
});

describe("text encoding", () => {
  // ~900 KB of text, nearly all of it in characters of two, three and four bytes: the XML is
  // inflated in pieces, and a piece ends in the middle of a character almost wherever it ends.
  const titles = (tail: string) => Array.from({ length: 3000 }, (_, i) => `${"ü".repeat(100)}${tail.repeat(25)} ${i}`);

  it("keeps every character whole, in shared strings and in text stored in cells", async () => {
    // exceljs's (non-streaming) writer itself breaks characters outside the BMP: three bytes here.
    const sharedTitles = titles("✓");
    const shared = tmp.path("utf8-shared.xlsx");
    await writeProducts(shared, sharedTitles.map((title, i) => ({ "Product Handle": `p${i}`, Title: title })));
    // Text in the cells (t="str"), as the export writes it.
    const inlineTitles = titles("🧵");
    const inline = tmp.path("utf8-inline.xlsx");
    await writeProductsStreaming(inline, [["Product Handle", "Title"], ...inlineTitles.map((title, i) => [`p${i}`, title])]);
    for (const [path, expected] of [[shared, sharedTitles], [inline, inlineTitles]] as const) {
      const result = await readProductsWorkbook(path, { primaryLocale: "en" });
      expect(result.errors).toEqual([]);
      expect(result.records.map((r) => (r.fields.title as Record<string, string>).en)).toEqual(expected);
    }
  });
});

describe("rows marked Archived in source", () => {
  it("leaves archived rows' variants as they are, with a warning per row that says how to import them", async () => {
    const r = await read([
      { "Product Handle": "tee", Title: "Organic Tee", "Brand / vendor": "Nordlys", SKU: "TEE-S", "Weight (g)": 150, "Archived in source": "Yes" },
      { "Product Handle": "tee", SKU: "TEE-M", "Weight (g)": 160, "Archived in source": "No" },
      { "Product Handle": "tee", SKU: "TEE-L", "Weight (g)": 160 },
      { "Product Handle": "cap", Title: "Cap", SKU: "CAP-1", "Archived in source": "yes" },
      { "Product Handle": "cap", SKU: "CAP-2", "Archived in source": true },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.row, w.column, w.cellRef])).toEqual([
      [2, "Archived in source", "F2"],
      [5, "Archived in source", "F5"],
      [6, "Archived in source", "F6"],
    ]);
    expect(r.warnings[0].message).toBe(
      'This row is marked "Archived in source: Yes", so its variant was not imported and stays as it is in Passport. To import it (and bring an archived variant back), set "Archived in source" to No or clear the cell, and upload the file again.',
    );
    // The tee keeps the product values written on its archived first row (as the export writes
    // them), not that row's variant or its weight; the cap, archived on every row, is left out
    // (as the primary, a full import finds it missing, and it stays archived).
    expect(r.records).toHaveLength(1);
    expect(r.records[0].fields).toEqual({ title: { en: "Organic Tee" }, vendor: "Nordlys", weight: 160 });
    expect(r.records[0].variants.map((v) => [v.externalId, v.position])).toEqual([
      ["TEE-M", 2],
      ["TEE-L", 3],
    ]);
    expect(r.productsWithErrors).toEqual([]);
  });

  it("keeps the ids of variants without identifiers when an archived one is before them", async () => {
    const r = await read([
      { "Product Handle": "cap", Title: "Cap", "Archived in source": "Yes" },
      { "Product Handle": "cap" },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records.map((p) => p.variants.map((v) => v.externalId))).toEqual([["cap#2"]]);
  });

  it("reports values other than Yes or No, and does not check the variant cells of archived rows", async () => {
    const r = await read([
      { "Product Handle": "tee", Title: "Tee", SKU: "TEE-S", "Archived in source": "maybe" },
      { "Product Handle": "cap", Title: "Cap", SKU: "CAP-1", "Barcode (GTIN)": "123", "Archived in source": "Yes" },
      { "Product Handle": "cap", SKU: "CAP-2" },
    ]);
    expect(r.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [2, "Archived in source", '"maybe" is not Yes or No. Write No (or clear the cell) to import this row, or Yes to leave its variant as it is.'],
    ]);
    expect(r.records.map((p) => p.handle)).toEqual(["cap"]);
  });
});

describe("rows repeated or out of order", () => {
  /** A Products sheet of hand-written rows (handle, SKU), in the order given. */
  async function sheetOfRows(rows: [number, string, string][]): Promise<string> {
    const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
    const xml =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      `<row r="1">${cell("A1", "Product Handle")}${cell("B1", "SKU")}</row>` +
      rows.map(([r, handle, sku]) => `<row r="${r}">${cell(`A${r}`, handle)}${cell(`B${r}`, sku)}</row>`).join("") +
      "</sheetData></worksheet>";
    const path = tmp.path(`order${++n}.xlsx`);
    await writeFile(path, buildZip(workbookSkeleton(xml)));
    return path;
  }

  it("refuses a sheet with a repeated row number as damaged, with what to do (no internal error)", async () => {
    // The review's duprow.xlsx: a product's last row repeated.
    const lastRowTwice = await sheetOfRows([[2, "tee", "TEE-S"], [3, "tee", "TEE-M"], [4, "tee", "TEE-L"], [4, "tee", "TEE-L"]]);
    const err = await readProductsWorkbook(lastRowTwice, { primaryLocale: "en" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbookRejected);
    expect((err as WorkbookRejected).code).toBe("corrupt");
    expect((err as WorkbookRejected).message).toBe(
      'The "Products" sheet in this file is damaged: row 4 appears twice. Open the file in Excel or LibreOffice, save it again as "Excel Workbook (.xlsx)" and upload the new file.',
    );
    // A middle row repeated (it was reported as a SKU "also used on rows  and undefined").
    const middleRowTwice = await sheetOfRows([[2, "tee", "TEE-S"], [3, "tee", "TEE-M"], [3, "tee", "TEE-M"], [4, "tee", "TEE-L"]]);
    await expect(readProductsWorkbook(middleRowTwice, { primaryLocale: "en" })).rejects.toThrow(/damaged: row 3 appears twice/);
  });

  it("refuses a sheet whose rows are out of order, before any product is handed over", async () => {
    const path = await sheetOfRows([[2, "tee", "TEE-S"], [5, "cap", "CAP-1"], [3, "tee", "TEE-M"]]);
    const stream = await streamProductsWorkbook(path, { primaryLocale: "en" }).catch((e: unknown) => e);
    expect(stream).toBeInstanceOf(WorkbookRejected);
    expect((stream as WorkbookRejected).message).toMatch(/damaged: row 3 comes after row 5\. Open the file in Excel or LibreOffice, save it again/);
  });
});

describe("rows and columns", () => {
  it("reports a row without a handle", async () => {
    const r = await read([tee(), { "Product Handle": "", Title: "Orphan", SKU: "X" }]);
    expect(r.errors).toEqual([
      expect.objectContaining({ row: 3, column: "Product Handle", cellRef: "A3", message: expect.stringMatching(/This row has no Product Handle/) }),
    ]);
    expect(r.records.map((p) => p.handle)).toEqual(["tee"]);
    expect(r.rowCount).toBe(2);
  });

  it("reports handles with spaces", async () => {
    const r = await read([tee({ "Product Handle": "organic tee" })]);
    expect(r.errors[0].message).toMatch(/is not a valid handle/);
  });

  it("checks titles only when asked (requireTitle)", async () => {
    const rows = [{ "Product Handle": "tee", Title: "", SKU: "A", "Title [de]": "Nur Deutsch" }, { "Product Handle": "cap", Title: "Cap", SKU: "B" }];
    const lenient = await read(rows);
    expect(lenient.errors).toEqual([]);
    expect(lenient.records).toHaveLength(2);
    const strict = await read(rows, { requireTitle: true });
    expect(strict.errors).toEqual([expect.objectContaining({ row: 2, column: "Title", message: expect.stringMatching(/The product "tee" has no title/) })]);
    expect(strict.records.map((p) => p.handle)).toEqual(["cap"]);
  });

  it("reports a missing Title column when titles are required", async () => {
    const r = await read([{ "Product Handle": "tee", SKU: "A" }], { requireTitle: true });
    expect(r.errors).toEqual([expect.objectContaining({ row: 1, column: "Title", message: expect.stringMatching(/"Title" column is missing/) })]);
    expect(r.records).toEqual([]);
  });

  it("warns about unknown columns and headerless data", async () => {
    const path = tmp.path("unknown.xlsx");
    await writeXlsx(path, [
      {
        name: "Products",
        rows: [
          ["Product Handle", "Title", "Colour code", "Archived in source", "Title [xx!]", null],
          ["tee", "Tee", "#fff", "No", "?", "stray value"],
        ],
      },
    ]);
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.row, w.column, w.cellRef])).toEqual([
      [1, "Colour code", "C1"],
      [1, "Title [xx!]", "E1"],
      [2, "F", "F2"],
    ]);
    expect(r.warnings[0].message).toMatch(/is not a Passport column, so it was not imported/);
    expect(r.warnings[2].message).toMatch(/Column F has values but no header/);
    expect(r.records).toHaveLength(1);
  });

  it("reports a missing Product Handle column", async () => {
    const r = await read([{ Title: "Tee", SKU: "A" }]);
    expect(r.errors).toEqual([expect.objectContaining({ row: 1, column: "Product Handle", message: expect.stringMatching(/"Product Handle" column is missing/) })]);
    expect(r.records).toEqual([]);
  });

  it("refuses a Products sheet without a header row, empty or unreadable, instead of importing nothing", async () => {
    // Empty: nothing to import, and a "full" import of it would look like every product deleted.
    const empty = tmp.path("empty-sheet.xlsx");
    await writeFile(empty, buildZip(workbookSkeleton()));
    // Rows with a namespace prefix (<x:row>), which Excel reads but exceljs does not see at all.
    const prefixed = tmp.path("prefixed-sheet.xlsx");
    const cell = (ref: string, text: string) => `<x:c r="${ref}" t="inlineStr"><x:is><x:t>${text}</x:t></x:is></x:c>`;
    await writeFile(
      prefixed,
      buildZip(
        workbookSkeleton(
          '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
            `<x:row r="1">${cell("A1", "Product Handle")}${cell("B1", "Title")}</x:row><x:row r="2">${cell("A2", "tee")}${cell("B2", "Tee")}</x:row>` +
            "</x:sheetData></x:worksheet>",
        ),
      ),
    );
    for (const path of [empty, prefixed]) {
      const r = await readProductsWorkbook(path, { primaryLocale: "en" });
      expect(r.records).toEqual([]);
      expect(r.errors).toEqual([
        expect.objectContaining({
          row: 0,
          column: "Product Handle",
          message: expect.stringMatching(/^The "Products" sheet has no header row with a "Product Handle" column, so nothing could be imported\..*template.*save it as "Excel Workbook \(\.xlsx\)"/),
        }),
      ]);
    }
  });

  it("reports a column that appears twice", async () => {
    const path = tmp.path("dup-col.xlsx");
    await writeXlsx(path, [{ name: "Products", rows: [["Product Handle", "SKU", "sku"], ["tee", "A", "B"]] }]);
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors[0]).toMatchObject({ row: 1, column: "sku", cellRef: "C1" });
    expect(r.errors[0].message).toMatch(/appears twice \(columns B and C\)/);
  });

  it("skips blank rows above the header and between products", async () => {
    const path = tmp.path("blank.xlsx");
    await writeXlsx(path, [{ name: "Products", rows: [[], ["Product Handle", "Title"], ["tee", "Tee"], [], [null, null], ["cap", "Cap"]] }]);
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    expect(r.rowCount).toBe(2);
    expect(r.records.map((p) => p.ref)).toEqual([
      { sheet: "Products", row: 3 },
      { sheet: "Products", row: 6 },
    ]);
  });

  it("reads the sheet whatever the case of its name, and ignores other sheets", async () => {
    const path = tmp.path("case.xlsx");
    await writeXlsx(path, [
      { name: "Notes", rows: [["Product Handle"], ["not-this"]] },
      { name: "products", rows: [["Product Handle", "Title"], ["tee", "Tee"]] },
    ]);
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.sheet).toBe("products");
    expect(r.records.map((p) => p.handle)).toEqual(["tee"]);
    expect(r.records[0].ref).toEqual({ sheet: "products", row: 2 });
  });

  it("reports error cells", async () => {
    const r = await read([tee({ "Weight (g)": { error: "#N/A" } as never })]);
    expect(r.errors[0].message).toMatch(/Excel error #N\/A/);
  });

  it("stops at the row limit and says so", async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ "Product Handle": `p${i}`, Title: `P${i}`, SKU: `S${i}` }));
    const r = await read(rows, { limits: { maxRows: 5 } });
    expect(r.rowCount).toBe(5);
    expect(r.errors).toEqual([expect.objectContaining({ row: 7, message: expect.stringMatching(/more than 5 rows, the limit for one file; reading stopped at row 7/) })]);
    expect(r.records).toHaveLength(5);
  });

  it("refuses cells over the length limit (100 KB strings)", async () => {
    const r = await read([tee({ Description: "x".repeat(100_000) })]);
    expect(r.errors).toEqual([expect.objectContaining({ column: "Description", message: expect.stringMatching(/100,000 characters; a cell may hold at most 32,767/) })]);
    expect(r.records).toEqual([]);
  });

  it("lists at most maxIssues issues, then sums up the rest", async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ "Product Handle": `p${i}`, "Weight (g)": "heavy" }));
    const r = await read(rows, { limits: { maxIssues: 3 } });
    expect(r.errors).toHaveLength(4);
    expect(r.errors[3]).toMatchObject({ row: 0, message: expect.stringMatching(/and 3 more errors not listed/) });
  });

  it("uses the shop's primary locale for plain text columns", async () => {
    const r = await read([{ "Product Handle": "tee", Title: "T-Shirt", "Title [en]": undefined, "Title [fr-ca]": "Chandail" }], { primaryLocale: "de" });
    expect(r.records[0].fields.title).toEqual({ de: "T-Shirt", "fr-CA": "Chandail" });
  });
});

// The merge trusts the reader's values (SourceBatch.valuesChecked) instead of checking each again:
// what the reader hands over must be exactly what parseFieldValue makes of it.
describe("values the reader hands over are already checked", () => {
  function expectChecked(fields: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(fields)) {
      expect(isFieldKey(key), key).toBe(true);
      const again = parseFieldValue(key as FieldKey, value);
      expect(again, key).toEqual({ ok: true, value });
    }
  }

  it("gives every value in the form parseFieldValue gives it, however the cells were written", async () => {
    const r = await read([
      {
        "Product Handle": "Tee",
        Title: "  Organic Tee  ",
        Description: "<p>Soft</p>",
        Images: " https://cdn.example.com/a.jpg ",
        Tags: " organic ,cotton,, ",
        "Product status": "DRAFT",
        "Material 1": " Cotton ",
        "Material 1 %": "100",
        "Material 1 Origin": "in",
        "Country of production": " pt ",
        "Carbon footprint (kg CO2e)": "2,5",
        "Certification 1 Name": "GOTS",
        "Certification 1 Valid until": "2027-06-30",
        "Weight (g)": "145",
        SKU: " TEE-S ",
        "Barcode (GTIN)": EAN_A,
        "Option1 Name": " Size ",
        "Option1 Value": " S ",
      },
      { "Product Handle": "tee", SKU: "TEE-M", "Barcode (GTIN)": `0${EAN_B}`, "Country of production": "es", "Option1 Value": "M" },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.records).toHaveLength(1);
    const [p] = r.records;
    expect(p.fields.status).toBe("draft");
    expect(p.variants.map((v) => v.fields.countryOfProduction)).toEqual(["PT", "ES"]);
    expect(p.variants[1].fields.barcode).toBe(gtin14(EAN_B));
    expectChecked(p.fields);
    for (const v of p.variants) expectChecked(v.fields);
  });

  it("does so for every field of a generated workbook", async () => {
    const path = tmp.path("generated.xlsx");
    await generateWorkbook(path, { products: 20, variantsPerProduct: 3, locales: ["de"] });
    const r = await readProductsWorkbook(path, { primaryLocale: "en" });
    expect(r.errors).toEqual([]);
    const keys = new Set<string>();
    for (const p of r.records) {
      expectChecked(p.fields);
      Object.keys(p.fields).forEach((k) => keys.add(k));
      for (const v of p.variants) {
        expectChecked(v.fields);
        Object.keys(v.fields).forEach((k) => keys.add(k));
      }
    }
    expect(keys.size).toBeGreaterThan(15);
  });
});

describe("repeated cells", () => {
  it("checks a value repeated on a product's rows once, and still reports a bad one on every row", async () => {
    const materials = { "Material 1": "Cotton", "Material 1 %": 60, "Material 2": "Linen", "Material 2 %": 40 };
    const r = await read([
      { ...tee({ SKU: "A" }), "Country of production": "PT", ...materials },
      { ...tee({ SKU: "B" }), "Country of production": "PT", ...materials },
      { ...tee({ SKU: "C", Title: undefined }), "Country of production": "XX", ...materials, "Material 2 %": 50 },
      { ...tee({ SKU: "D", Title: undefined }), "Country of production": "XX", ...materials, "Material 2 %": 50 },
    ]);
    const problems = r.errors.map((e) => [e.row, e.column]);
    expect(problems).toEqual([
      [4, "Country of production"],
      [4, "Material 1 %"],
      [5, "Country of production"],
      [5, "Material 1 %"],
    ]);
    expect(r.records).toEqual([]);
  });
});
