// excel: a generated 50,000-row workbook (10,000 products × 5) imported end to end as the shop's
// primary integration (Excel only): upload → parse and validate → preview (dry run) → commit (the
// queued sync job, all or nothing, with the preview's records); then the catalog exported to a
// new workbook. The import and the export each run in a process of their own
// (support/import-process.ts, support/export-process.ts), so each peak memory is their own, built
// and started as the app is in production (support/child.ts, runBuiltForResult).
// Baseline: a bare exceljs streaming read of the same file (every row and cell of every sheet),
// before and after the import (their mean), each in a process of its own built and started as the
// import's (support/bare-read-process.ts).
import path from "node:path";
import type { RunView } from "../app/sync/runs.server";
import { BENCH_SHOP, benchDir, configureAppEnv, migratedSqliteFile, removeDir, rowCounts } from "./support/env";
import { PRODUCTION_NODE_FLAGS } from "../scripts/app-process.ts";
import type { BareReadResult } from "./support/bare-read-process";
import type { BaselineResult } from "./support/baseline-process";
import { runBuiltForResult, runForResult } from "./support/child";
import { measure, type MemoryPeaks } from "./support/memory";
import { formatCount, formatMs, progress, Report, round } from "./support/report";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS || 10_000);
const VARIANTS = 5;

/** The heap cap of the second import: what Node would get in a 512 MB container. */
const CAPPED_HEAP_MB = 256;

interface ImportResult {
  ms: number;
  previewMs: number;
  commitMs: number;
  previewChanges: number;
  status: string;
  commitRunId: string | null;
  counts: RunView["counts"] | null;
  memory: MemoryPeaks;
}

/** The import in a process of its own, built and started as the app is in production (with other Node flags if given). */
function runImport(databaseFile: string, workbook: string, nodeFlags?: readonly string[]): Promise<ImportResult> {
  return runBuiltForResult<ImportResult>("bench/support/import-process.ts", [databaseFile, workbook], {}, nodeFlags);
}

/** The bare read in a process of its own, built and started as the import's. */
function runBareRead(workbook: string): Promise<BareReadResult> {
  return runBuiltForResult<BareReadResult>("bench/support/bare-read-process.ts", [workbook]);
}

export async function main(): Promise<void> {
  const report = new Report("excel");
  const dir = benchDir("excel");
  const dbFile = migratedSqliteFile(path.join(dir, "excel.db"));
  configureAppEnv(dbFile);
  const { db } = await import("../app/db.server");
  try {
    const { forShop } = await import("../app/db/scoped.server");
    const { connectIntegration } = await import("../app/integrations/integrations.server");
    const { generateWorkbook } = await import("../app/integrations/excel/generate");

    const shopDb = forShop(BENCH_SHOP);
    const { integration } = await connectIntegration(shopDb, "excel");
    if (!integration.primaryOfShop) throw new Error("the Excel integration should be the shop's primary");

    const workbook = path.join(dir, "catalog.xlsx");
    progress(`generating a workbook of ${formatCount(PRODUCTS)} products × ${VARIANTS} variants…`);
    const generated = await measure(() => generateWorkbook(workbook, { products: PRODUCTS, variantsPerProduct: VARIANTS }));
    progress(`generated ${formatCount(generated.result.rows)} rows, ${(generated.result.bytes / 1048576).toFixed(1)} MB, in ${formatMs(generated.ms)}`);

    progress("bare exceljs streaming read (own process)…");
    const bare = await runBareRead(workbook);
    progress(`bare read: ${formatCount(bare.rows)} rows, ${formatCount(bare.cells)} cells in ${formatMs(bare.ms)}`);

    progress("import: upload, parse and validate, preview, commit (own process)…");
    const imported = await runImport(dbFile, workbook);
    progress(`import done in ${formatMs(imported.ms)} (${imported.status})`);
    // The bare read again, right after the import: a machine whose speed drifts within minutes
    // would otherwise tilt the ratio by the moment of one read.
    progress("bare exceljs streaming read again (own process)…");
    const bareAfter = await runBareRead(workbook);
    progress(`bare read: ${formatMs(bareAfter.ms)}`);
    const bareMs = (bare.ms + bareAfter.ms) / 2;
    // The same import on a fresh database with the heap capped as a 512 MB container would have
    // it: how much of the peak is the heap's room for garbage.
    progress(`the same import with the V8 heap capped at ${CAPPED_HEAP_MB} MB, on a fresh database (own process)…`);
    const capped = await runImport(migratedSqliteFile(path.join(dir, "excel-capped.db")), workbook, [
      ...PRODUCTION_NODE_FLAGS.filter((flag) => !flag.startsWith("--max-old-space-size")),
      `--max-old-space-size=${CAPPED_HEAP_MB}`,
    ]);
    progress(`capped import done in ${formatMs(capped.ms)} (${capped.status})`);
    const counts = rowCounts(dbFile, ["Product", "Variant", "Passport"]);
    // What no import can go below on this stack: the file read (the bare read) and the commit's
    // rows written. The commit's rows are copied into a fresh file by plain better-sqlite3
    // statements in one transaction (the engine benchmark's baseline, support/baseline-process.ts).
    if (!imported.commitRunId) throw new Error("the import recorded no commit run");
    progress("the commit's rows again, with plain better-sqlite3 inserts (own process)…");
    const inserts = await runForResult<BaselineResult>("bench/support/baseline-process.ts", [dbFile, imported.commitRunId, migratedSqliteFile(path.join(dir, "inserts.db"))]);

    progress("export to a new workbook (own process)…");
    const exportFile = path.join(dir, "export.xlsx");
    const exported = await runBuiltForResult<{ ms: number; rows: number; products: number; bytes: number; memory: MemoryPeaks }>("bench/support/export-process.ts", [dbFile, exportFile]);
    const exportBytes = exported.bytes;
    progress(`exported ${formatCount(exported.rows)} rows in ${formatMs(exported.ms)}`);

    const rows = generated.result.rows;
    report.section(`excel: ${formatCount(rows)} rows (${formatCount(PRODUCTS)} products × ${VARIANTS}), Excel as the primary integration`);
    report.figure("generateMs", "generate the workbook", round(generated.ms), `${formatMs(generated.ms)} (${(generated.result.bytes / 1048576).toFixed(1)} MB)`);
    report.figure("workbookMb", "workbook size (MB)", round(generated.result.bytes / 1048576, 1));
    report.figure("bareReadMs", "bare exceljs streaming read (all sheets, rows, cells), mean of two", round(bareMs), `${formatMs(bareMs)} (${formatCount(bare.rows)} rows, ${formatCount(bare.cells)} cells)`);
    report.figure("bareReadRunsMs", "  before and after the import", { before: round(bare.ms), after: round(bareAfter.ms) }, `${formatMs(bare.ms)}, ${formatMs(bareAfter.ms)}`);
    report.figure("importMs", "import end to end", round(imported.ms), formatMs(imported.ms));
    report.figure("importPreviewMs", "  upload + parse + validate + preview (dry-run merge)", round(imported.previewMs), `${formatMs(imported.previewMs)} (${formatCount(imported.previewChanges)} changes)`);
    report.figure("importCommitMs", "  commit (preview's records + merge + apply + passports)", round(imported.commitMs), formatMs(imported.commitMs));
    report.figure("plainInsertsMs", "  the commit's rows alone, plain better-sqlite3 inserts", round(inserts.baselineMs), `${formatMs(inserts.baselineMs)} (${formatCount(inserts.rowsCopied)} rows)`);
    const floor = bareMs + inserts.baselineMs;
    report.figure("floorToBareRead", "  floor: (bare read + plain inserts) / bare read", round(floor / bareMs, 2));
    report.figure("importRowsPerSecond", "import throughput", round(rows / (imported.ms / 1000), 0), `${formatCount(rows / (imported.ms / 1000))} rows/s`);
    report.figure("importRunCounts", "commit run counts", imported.counts ? { ...imported.counts } : {}, JSON.stringify(imported.counts));
    report.figure("importPeakRssMb", "peak RSS (import, own process)", imported.memory.peakRssMb, `${imported.memory.peakRssMb} MB (${imported.memory.startRssMb} MB at start)`);
    report.figure("importPeakHeapMb", "peak V8 heap used (import)", imported.memory.peakHeapMb, `${imported.memory.peakHeapMb} MB (heap total ${imported.memory.peakHeapTotalMb} MB)`);
    report.figure("cappedImportMs", `import with the heap capped at ${CAPPED_HEAP_MB} MB`, round(capped.ms), `${formatMs(capped.ms)} (${capped.status})`);
    report.figure("cappedImportPeakRssMb", "  its peak RSS (own process)", capped.memory.peakRssMb, `${capped.memory.peakRssMb} MB (${capped.memory.startRssMb} MB at start)`);
    report.figure("cappedImportPeakHeapMb", "  its peak V8 heap used", capped.memory.peakHeapMb, `${capped.memory.peakHeapMb} MB (heap total ${capped.memory.peakHeapTotalMb} MB)`);
    report.figure("exportMs", "export to a new workbook", round(exported.ms), `${formatMs(exported.ms)} (${(exportBytes / 1048576).toFixed(1)} MB)`);
    report.figure("exportRowsPerSecond", "export throughput", round(exported.rows / (exported.ms / 1000), 0), `${formatCount(exported.rows / (exported.ms / 1000))} rows/s`);
    report.figure("exportPeakRssMb", "peak RSS (export, own process)", exported.memory.peakRssMb, `${exported.memory.peakRssMb} MB (${exported.memory.startRssMb} MB at start)`);
    report.figure("exportPeakHeapMb", "peak V8 heap used (export)", exported.memory.peakHeapMb, `${exported.memory.peakHeapMb} MB`);
    report.figure("generatePeakRssMb", "peak RSS (generation)", generated.memory.peakRssMb, `${generated.memory.peakRssMb} MB`);
    report.figure("bareReadPeakRssMb", "peak RSS (bare read)", bare.memory.peakRssMb, `${bare.memory.peakRssMb} MB`);

    report.section("goals");
    const ratio = imported.ms / bareMs;
    report.set("ratioImportToBareRead", round(ratio, 3));
    report.goal("ratioImportToBareRead", "import / bare exceljs read", round(ratio, 2), "<=", 3);
    const peak = Math.max(imported.memory.peakRssMb, exported.memory.peakRssMb);
    report.set("peakRssMb", peak);
    report.goal("peakRssMb", "peak RSS of import and export (MB)", peak, "<", 300);
    const expected = PRODUCTS * VARIANTS;
    report.check(
      "importComplete",
      "import committed every row",
      imported.status === "committed" && imported.counts?.created === expected && counts.Variant === expected && counts.Passport === expected && capped.counts?.created === expected,
      `upload ${imported.status}, ${formatCount(imported.counts?.created ?? 0)} created, ${formatCount(counts.Passport)} passports; capped: ${formatCount(capped.counts?.created ?? 0)} created`,
    );
    report.check("exportComplete", "export wrote every row", exported.rows === expected && exported.products === PRODUCTS, `${formatCount(exported.rows)} rows, ${formatCount(exported.products)} products`);
    report.finish();
  } finally {
    await db.$disconnect();
    removeDir(dir);
  }
}
