// Real office software: files exported by Passport open and re-save in LibreOffice and import the
// same; workbooks LibreOffice writes from scratch import correctly; its .xls/.ods are refused
// with the right message. Needs Debian's libreoffice-calc-nogui (CI installs it).
import { mkdir, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceRecord } from "../../sync/records";
import { ean13 } from "./examples";
import { makeTempDir, sofficeBinary, sofficeConvert, toFile } from "./fixtures/helpers";
import { WorkbookRejected } from "./limits";
import { readProductsWorkbook } from "./reader";
import { writeTemplate } from "./template";
import { writeProductsWorkbook } from "./writer";
import { roundTripProducts } from "./fixtures/products";

const soffice = sofficeBinary();
const TIMEOUT = 120_000;

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let profile: string;
beforeAll(async () => {
  tmp = await makeTempDir("passport-lo-");
  profile = tmp.path("profile");
  await mkdir(profile);
});
afterAll(async () => {
  await tmp.cleanup();
});

async function convert(input: string, to: string, infilter?: string): Promise<string> {
  const outDir = tmp.path(`out-${Math.random().toString(36).slice(2)}`);
  await mkdir(outDir);
  return sofficeConvert(input, { to, outDir, profileDir: profile, infilter });
}

const withoutRefs = (records: SourceRecord[]) => JSON.parse(JSON.stringify(records)) as SourceRecord[];

// LibreOffice is required (CI installs libreoffice-calc-nogui): a missing soffice fails, it does not skip.
if (!soffice) throw new Error("LibreOffice (soffice) is missing: apt-get install -y libreoffice-calc-nogui (.ci/run does this).");

describe("LibreOffice", () => {
  it(
    "an export re-saved by LibreOffice imports as the same records",
    async () => {
      const exported = tmp.path("export.xlsx");
      await toFile(exported, (out) => writeProductsWorkbook(out, roundTripProducts(), { primaryLocale: "en", locales: ["de", "fr"] }));
      const direct = await readProductsWorkbook(exported, { primaryLocale: "en" });
      expect(direct.errors).toEqual([]);

      const resaved = await convert(exported, "xlsx");
      const viaLibreOffice = await readProductsWorkbook(resaved, { primaryLocale: "en" });
      expect(viaLibreOffice.errors).toEqual([]);
      // The only warnings: the rows marked "Archived in source", which are not imported.
      expect(direct.warnings.map((w) => w.column)).toEqual(["Archived in source", "Archived in source"]);
      expect(viaLibreOffice.warnings).toEqual(direct.warnings);
      expect(withoutRefs(viaLibreOffice.records)).toEqual(withoutRefs(direct.records));
    },
    TIMEOUT,
  );

  it(
    "the template opens in LibreOffice and its examples still import after re-saving",
    async () => {
      const template = tmp.path("template.xlsx");
      await toFile(template, (out) => writeTemplate(out, { primaryLocale: "en" }));
      const resaved = await convert(template, "xlsx");
      const r = await readProductsWorkbook(resaved, { primaryLocale: "en", requireTitle: true });
      expect(r.errors).toEqual([]);
      expect(r.records.map((p) => p.handle)).toEqual(["organic-cotton-tee", "merino-wool-sweater"]);
    },
    TIMEOUT,
  );

  it(
    "a workbook LibreOffice writes from a CSV imports (numbers, dates, GTINs detected by LibreOffice)",
    async () => {
      const csv = tmp.path("products.csv");
      const ean = ean13("401234500001");
      await writeFile(
        csv,
        [
          "Product Handle,Title,Weight (g),Carbon footprint (kg CO2e),Country of production,Material 1,Material 1 %,Material 2,Material 2 %,Certification 1 Name,Certification 1 Valid until,SKU,Barcode (GTIN),Option1 Name,Option1 Value",
          `linen-shirt,Linen Shirt,210,"12,5",PT,Linen,70,Cotton,30,European Flax,2027-06-30,LS-S,0${ean},Size,S`,
          `linen-shirt,,220,"12,5",PT,Linen,70,Cotton,30,,,LS-M,036000291452,,M`,
        ].join("\n"),
      );
      const xlsx = await convert(csv, "xlsx", "CSV:44,34,76,1");
      const r = await readProductsWorkbook(xlsx, { primaryLocale: "en", requireTitle: true });
      expect(r.sheet.toLowerCase()).toBe("products");
      expect(r.errors).toEqual([]);
      expect(r.records).toHaveLength(1);
      const [p] = r.records;
      expect(p.fields).toMatchObject({
        title: { en: "Linen Shirt" },
        carbonFootprint: 12.5,
        countryOfProduction: "PT",
        materials: [
          { material: "Linen", massPercent: 70 },
          { material: "Cotton", massPercent: 30 },
        ],
        certifications: [{ name: "European Flax", validUntil: "2027-06-30" }],
      });
      expect(p.variants.map((v) => [v.externalId, v.fields.weight, v.fields.barcode])).toEqual([
        ["LS-S", 210, `0${ean}`],
        ["LS-M", 220, "00036000291452"],
      ]);
      expect(p.variants[1].fields.options).toEqual([{ name: "Size", value: "M" }]);
    },
    TIMEOUT,
  );

  it(
    "a spreadsheet built in LibreOffice (formulas, percent and date cells, hyperlinks, text GTINs) imports",
    async () => {
      const fods = tmp.path("built.fods");
      const cell = (v: string) => `<table:table-cell office:value-type="string"><text:p>${v}</text:p></table:table-cell>`;
      const headers = ["Product Handle", "Title", "Weight (g)", "Images", "Material 1", "Material 1 %", "Material 2", "Material 2 %", "Certification 1 Name", "Certification 1 Valid until", "Certification 1 Link", "SKU", "Barcode (GTIN)"];
      const ean = ean13("401234500002");
      await writeFile(
        fods,
        `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:automatic-styles>
  <number:percentage-style style:name="Npct"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
  <number:date-style style:name="Ndate"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
  <style:style style:name="pct" style:family="table-cell" style:data-style-name="Npct"/>
  <style:style style:name="date" style:family="table-cell" style:data-style-name="Ndate"/>
 </office:automatic-styles>
 <office:body><office:spreadsheet>
  <table:table table:name="Products">
   <table:table-row>${headers.map(cell).join("")}</table:table-row>
   <table:table-row>
    ${cell("wool-scarf")}
    <table:table-cell office:value-type="string"><text:p>Wool <text:span>Scarf</text:span></text:p></table:table-cell>
    <table:table-cell table:formula="of:=100+[.X1]*0+50" office:value-type="float" office:value="150"><text:p>150</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p><text:a xlink:href="https://cdn.example.com/scarf.jpg" xlink:type="simple">front photo</text:a></text:p></table:table-cell>
    ${cell("Wool")}
    <table:table-cell table:style-name="pct" office:value-type="percentage" office:value="0.8"><text:p>80%</text:p></table:table-cell>
    ${cell("Cashmere")}
    <table:table-cell table:style-name="pct" office:value-type="percentage" office:value="0.2"><text:p>20%</text:p></table:table-cell>
    ${cell("RWS")}
    <table:table-cell table:style-name="date" office:value-type="date" office:date-value="2026-12-31"><text:p>2026-12-31</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p><text:a xlink:href="https://certs.example.com/rws" xlink:type="simple">certificate</text:a></text:p></table:table-cell>
    ${cell("SCARF-1")}
    ${cell(`0${ean}`)}
   </table:table-row>
  </table:table>
 </office:spreadsheet></office:body>
</office:document>`,
      );
      const xlsx = await convert(fods, "xlsx");
      const r = await readProductsWorkbook(xlsx, { primaryLocale: "en" });
      expect(r.errors).toEqual([]);
      expect(r.records).toEqual([
        expect.objectContaining({
          handle: "wool-scarf",
          fields: {
            title: { en: "Wool Scarf" },
            images: [{ url: "https://cdn.example.com/scarf.jpg" }],
            materials: [
              { material: "Wool", massPercent: 80 },
              { material: "Cashmere", massPercent: 20 },
            ],
            certifications: [{ name: "RWS", validUntil: "2026-12-31", url: "https://certs.example.com/rws" }],
            weight: 150,
          },
        }),
      ]);
      expect(r.records[0].variants[0]).toMatchObject({ externalId: "SCARF-1", fields: { sku: "SCARF-1", barcode: `0${ean}` } });
    },
    TIMEOUT,
  );

  it(
    "refuses LibreOffice's .xls and .ods saves with the right message",
    async () => {
      const template = tmp.path("for-legacy.xlsx");
      await toFile(template, (out) => writeTemplate(out, { primaryLocale: "en" }));
      const xls = await convert(template, "xls");
      const legacy = await readProductsWorkbook(xls, { primaryLocale: "en" }).catch((e: unknown) => e);
      expect(legacy).toBeInstanceOf(WorkbookRejected);
      expect((legacy as WorkbookRejected).code).toBe("legacy-xls");
      const ods = await convert(template, "ods");
      const open = await readProductsWorkbook(ods, { primaryLocale: "en" }).catch((e: unknown) => e);
      expect((open as WorkbookRejected).message).toMatch(/OpenDocument spreadsheet \(.ods\)/);
    },
    TIMEOUT,
  );
});
