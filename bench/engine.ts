// engine: merge + apply of 50,000 variants (10,000 products × 5) into an empty SQLite catalog
// through executeSync (the Shopify integration as primary), then the same records again (must
// write nothing), then records with every description and weight changed (updates). Baseline: the
// rows the first run wrote, inserted into a fresh migrated SQLite file with plain better-sqlite3
// prepared statements in one transaction.
import path from "node:path";
import type { SourceRecord } from "../app/sync/records";
import type { BaselineResult } from "./support/baseline-process";
import { catalogRecords } from "./support/catalog";
import { runForResult } from "./support/child";
import { BENCH_SHOP, benchDir, configureAppEnv, migratedSqliteFile, removeDir, rowCounts, SYNC_TABLES } from "./support/env";
import { formatCount, formatMs, progress, Report, round } from "./support/report";
import { measuredSync } from "./support/timing";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS || 10_000);
const VARIANTS = 5;

export async function main(): Promise<void> {
  const report = new Report("engine");
  const dir = benchDir("engine");
  const dbFile = migratedSqliteFile(path.join(dir, "engine.db"));
  configureAppEnv(dbFile);
  const { db } = await import("../app/db.server");
  const { forShop } = await import("../app/db/scoped.server");
  const { connectIntegration } = await import("../app/integrations/integrations.server");

  try {
    const shopDb = forShop(BENCH_SHOP);
    const { integration } = await connectIntegration(shopDb, "shopify");
    const sync = async (label: string, change: (record: SourceRecord) => SourceRecord = (r) => r) => {
      // Fresh objects each run, outside the timing: the second run gets equal, not identical, input.
      const records = [...catalogRecords({ products: PRODUCTS, variantsPerProduct: VARIANTS })].map(change);
      progress(`${label}: ${formatCount(records.length)} products, ${formatCount(records.length * VARIANTS)} variants…`);
      const run = await measuredSync(label, integration.id, async () => ({ scope: "full", records }));
      const { marks } = run;
      const batchesMs = (marks.doneAt ?? marks.startedAt) - marks.startedAt;
      progress(`${label}: done in ${formatMs(run.ms)}`);
      const { runId, report } = run.result;
      return { ms: run.ms, memory: run.memory, runId, counts: { ...report.counts }, batchesMs, finishMs: run.ms - batchesMs };
    };

    const first = await sync("first run");
    const afterFirst = rowCounts(dbFile);
    const second = await sync("second run");
    const afterSecond = rowCounts(dbFile);

    progress("baseline: copying the first run's rows into a fresh SQLite file with better-sqlite3…");
    // In a process of its own: the rows it reads (hundreds of MB of objects) are never this
    // process's, so the third run's memory is the third run's.
    const baselineFile = migratedSqliteFile(path.join(dir, "baseline.db"));
    const { baselineMs, baselineCounts, rowsCopied } = await runForResult<BaselineResult>("bench/support/baseline-process.ts", [dbFile, first.runId, baselineFile]);

    // Every product's description and every variant's weight changed: 60,000 values updated, with
    // their history, links and a new version of every passport.
    const third = await sync("third run (every description and weight changed)", (r) => ({
      ...r,
      fields: { ...r.fields, description: { en: `<p>Updated: ${r.handle}</p>` } },
      variants: r.variants.map((v) => ({ ...v, fields: { ...v.fields, weight: Number(v.fields.weight) + 1 } })),
    }));
    const afterThird = rowCounts(dbFile);

    const c1 = first.counts;
    const c2 = second.counts;
    report.section(`engine: ${formatCount(PRODUCTS)} products × ${VARIANTS} variants into an empty SQLite catalog (executeSync, Shopify primary)`);
    report.figure("firstRunMs", "first run (empty catalog)", round(first.ms), formatMs(first.ms));
    report.figure("firstRunBatchesMs", "  of which reading, merging and writing until the last batch was read", round(first.batchesMs), formatMs(first.batchesMs));
    report.figure("firstRunFinishMs", "  of which the last batch, passports and the run record", round(first.finishMs), formatMs(first.finishMs));
    report.figure("firstRunCounts", "first run counts", { ...c1 }, JSON.stringify(c1));
    report.figure("secondRunMs", "second run (same records)", round(second.ms), formatMs(second.ms));
    report.figure("secondRunBatchesMs", "  of which reading + merging (nothing to write)", round(second.batchesMs), formatMs(second.batchesMs));
    report.figure("secondRunCounts", "second run counts", { ...c2 }, JSON.stringify(c2));
    report.figure("thirdRunMs", "third run (every description and weight changed)", round(third.ms), formatMs(third.ms));
    report.figure("thirdRunCounts", "third run counts", { ...third.counts }, JSON.stringify(third.counts));
    report.figure("thirdRunPeakRssMb", "peak RSS (third run)", third.memory.peakRssMb, `${third.memory.peakRssMb} MB (${third.memory.startRssMb} MB at start), peak heap ${third.memory.peakHeapMb} MB`);
    report.figure("rowsWritten", "rows written by the first run", afterFirst, SYNC_TABLES.map((t) => `${t} ${formatCount(afterFirst[t])}`).join(", "));
    report.figure("baselineMs", `baseline: the same ${formatCount(rowsCopied)} rows with better-sqlite3, one transaction`, round(baselineMs), formatMs(baselineMs));
    report.figure("variantsPerSecond", "first run throughput", round((PRODUCTS * VARIANTS) / (first.ms / 1000), 0), `${formatCount((PRODUCTS * VARIANTS) / (first.ms / 1000))} variants/s`);
    report.figure("peakRssMb", "peak RSS (first run)", first.memory.peakRssMb, `${first.memory.peakRssMb} MB (${first.memory.startRssMb} MB at start)`);
    report.figure("peakHeapMb", "peak V8 heap used (first run)", first.memory.peakHeapMb, `${first.memory.peakHeapMb} MB (heap total ${first.memory.peakHeapTotalMb} MB)`);
    report.figure("secondRunPeakRssMb", "peak RSS (second run)", second.memory.peakRssMb, `${second.memory.peakRssMb} MB`);
    report.figure("secondRunPeakHeapMb", "peak V8 heap used (second run)", second.memory.peakHeapMb, `${second.memory.peakHeapMb} MB`);

    report.section("goals");
    const ratio = first.ms / baselineMs;
    const secondRatio = second.ms / first.ms;
    report.set("ratioFirstToBaseline", round(ratio, 3));
    report.set("ratioSecondToFirst", round(secondRatio, 3));
    report.goal("ratioFirstToBaseline", "first run / baseline", round(ratio, 2), "<=", 4);
    report.goal("ratioSecondToFirst", "second run / first run", round(secondRatio, 3), "<", 0.2);
    report.goal("peakRssMb", "peak RSS of the first run (MB)", first.memory.peakRssMb, "<", 500);
    const expectedRows = PRODUCTS * VARIANTS;
    report.check("firstRunComplete", "first run created every variant and passport", c1.created === expectedRows && c1.failed === 0 && afterFirst.Passport === expectedRows, `${formatCount(c1.created)} created, ${formatCount(afterFirst.Passport)} passports`);
    const unchangedTables = SYNC_TABLES.filter((t) => t !== "SyncRun").every((t) => afterSecond[t] === afterFirst[t]);
    report.check(
      "secondRunWroteNothing",
      "second run wrote nothing",
      c2.created === 0 && c2.updated === 0 && c2.archived === 0 && c2.unchanged === expectedRows && unchangedTables && afterSecond.SyncRun === afterFirst.SyncRun + 1,
      `created ${c2.created}, updated ${c2.updated}, unchanged ${formatCount(c2.unchanged)}; row counts ${unchangedTables ? "unchanged" : "CHANGED"} (SyncRun +${afterSecond.SyncRun - afterFirst.SyncRun}, its own record)`,
    );
    const versionsAdded = afterThird.PassportVersion - afterSecond.PassportVersion;
    report.check(
      "thirdRunUpdatedEverything",
      "third run updated every variant and versioned every passport",
      third.counts.updated === expectedRows && third.counts.created === 0 && versionsAdded === expectedRows && afterThird.FieldValue === afterSecond.FieldValue,
      `updated ${formatCount(third.counts.updated)}, ${formatCount(versionsAdded)} new passport versions, ${formatCount(afterThird.FieldChange - afterSecond.FieldChange)} history rows`,
    );
    report.check(
      "baselineCopiedEverything",
      "baseline holds the same rows",
      SYNC_TABLES.every((t) => baselineCounts[t] === (t === "SyncRun" ? 1 : afterFirst[t])),
      `${formatCount(rowsCopied)} rows`,
    );
    report.finish();
  } finally {
    await db.$disconnect();
    removeDir(dir);
  }
}
