// The count of shared strings, checked while exceljs reads the table (an 18 MB upload of 13
// million tiny ones took 1.4 GB). The reader applies the default limit, resolveLimits()'s
// 2,000,000; it is made small here so that the files stay small.
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildZip, makeTempDir, workbookSkeleton } from "./fixtures/helpers";
import type * as LimitsModule from "./limits";
import { type Limits, WorkbookRejected } from "./limits";
import { readProductsWorkbook } from "./reader";

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
