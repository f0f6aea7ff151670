// The Excel benchmark's baseline, in a process of its own, built and started as the import's
// (support/child.ts, runBuiltForResult): a bare exceljs streaming read of the workbook. In the
// benchmark's own process the read ran in a heap that generating the workbook had filled, and took
// from 1.4 to 2.2 s on one machine; here it runs as the import does, from a fresh process.
// Usage: bare-read-process.ts <workbook.xlsx>
// Prints `RESULT {"ms","rows","cells","memory"}`.
import ExcelJS from "exceljs";
import { childArguments } from "./child-arguments";
import { measure, type MemoryPeaks } from "./memory";

export interface BareReadResult {
  ms: number;
  rows: number;
  cells: number;
  memory: MemoryPeaks;
}

/** Every row and cell of every sheet, with exceljs's streaming reader and nothing else. */
async function bareRead(file: string): Promise<{ rows: number; cells: number }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "ignore" });
  let rows = 0;
  let cells = 0;
  for await (const worksheet of reader) {
    for await (const row of worksheet) {
      rows++;
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (cell.value !== null) cells++;
      });
    }
  }
  return { rows, cells };
}

const [workbook] = childArguments("bare-read-process.ts", ["workbook.xlsx"]);
const read = await measure(() => bareRead(workbook));
const result: BareReadResult = { ms: read.ms, ...read.result, memory: read.memory };
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
