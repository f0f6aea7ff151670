// The marked copy of a large file is made in flat memory: it runs in a child process whose heap is
// far smaller than the file loaded whole would need (a 20,000-row file took about 200 MB that
// way; the 50,000-row file the review used took more than the 512 MB npm start gives the app).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "./fixtures/helpers";
import { generateWorkbook } from "./generate";

const HEAP_MB = 96;
const here = path.dirname(fileURLToPath(import.meta.url));

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("error workbook memory", () => {
  it(`marks a 20,000-row file within a ${HEAP_MB} MB heap`, async () => {
    const input = tmp.path("large.xlsx");
    const generated = await generateWorkbook(input, { products: 5000, variantsPerProduct: 4 });
    expect(generated.rows).toBe(20_000);
    const output = tmp.path("large - errors.xlsx");
    const script = tmp.path("annotate.mts");
    await writeFile(
      script,
      `import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { writeAnnotatedWorkbook } from ${JSON.stringify(path.join(here, "error-workbook.ts"))};
const out = createWriteStream(process.argv[3]);
await writeAnnotatedWorkbook(process.argv[2], out, [{ sheet: "Products", row: 19_999, column: "SKU", cellRef: "C19999", message: "This SKU is used twice." }]);
await finished(out);
console.log(JSON.stringify({ heapMB: Math.round(process.memoryUsage().heapUsed / 1e6) }));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [`--max-old-space-size=${HEAP_MB}`, "--import", "tsx", script, input, output], { cwd: path.resolve(here, "../../..") });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!).heapMB).toBeLessThan(HEAP_MB);

    // The copy holds every row, the marked cell and the Errors sheet. Read back whole: exceljs's
    // streaming reader copies sheets that come before workbook.xml (as exceljs writes them) to
    // temporary files, and now and then read one of them back empty.
    const copy = await new ExcelJS.Workbook().xlsx.readFile(output);
    const rows = (name: string) => {
      let count = 0;
      copy.getWorksheet(name)?.eachRow(() => count++);
      return count;
    };
    expect(rows("Products")).toBe(20_001);
    expect(rows("Errors")).toBe(2);
    const fill = copy.getWorksheet("Products")?.getRow(19_999).getCell(3).fill;
    expect(fill?.type === "pattern" ? fill.fgColor?.argb : undefined).toBe("FFFFC7CE");
  }, 180_000);
});
