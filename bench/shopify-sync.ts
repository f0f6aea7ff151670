// shopify-sync: a full sync of 10,000 products / 50,000 variants from the Shopify simulator
// (throttling off, its own process) through shopifySource (bulk operation, JSONL streamed) and
// executeSync, then an immediate second sync (must write nothing). Baseline: the records the
// adapter produced, applied with executeSync from memory into a fresh database (own process).
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { SourceRecord } from "../app/sync/records";
import { runForResult, spawnTsx, stopChild, waitForLine } from "./support/child";
import { BENCH_SHOP, benchDir, configureAppEnv, migratedSqliteFile, removeDir, rowCounts, SYNC_TABLES } from "./support/env";
import type { MemoryPeaks } from "./support/memory";
import { formatCount, formatMs, progress, Report, round } from "./support/report";
import { measuredSync } from "./support/timing";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS || 10_000);
const VARIANTS = 5;
/** The sync waits for the bulk operation by polling (in production the finish webhook wakes it). */
const POLL = { pollInitialMs: 100, pollFactor: 1.5, pollMaxMs: 500 };

interface ApplyResult {
  ms: number;
  counts: Record<string, number>;
  memory: MemoryPeaks;
}

export async function main(): Promise<void> {
  const report = new Report("shopify-sync");
  const dir = benchDir("shopify-sync");
  const dbFile = migratedSqliteFile(path.join(dir, "sync.db"));
  configureAppEnv(dbFile);

  progress(`starting the Shopify simulator with ${formatCount(PRODUCTS)} products × ${VARIANTS} variants (own process)…`);
  const simChild = spawnTsx("bench/support/sim-process.ts", [String(PRODUCTS), String(VARIANTS), BENCH_SHOP]);
  const { db } = await import("../app/db.server");
  try {
    const sim = await waitForLine<{ url: string; token: string }>(simChild, "READY");
    progress(`simulator ready at ${sim.url}`);
    const { forShop } = await import("../app/db/scoped.server");
    const { connectIntegration } = await import("../app/integrations/integrations.server");
    const { shopifySource } = await import("../app/integrations/shopify/source.server");
    const { fetchAdminClient } = await import("../app/integrations/shopify/fetch-client");

    const shopDb = forShop(BENCH_SHOP);
    const { integration } = await connectIntegration(shopDb, "shopify");
    const admin = fetchAdminClient({ shop: BENCH_SHOP, accessToken: sim.token, apiVersion: "2026-10", origin: sim.url });
    const source = () => shopifySource(shopDb, integration, { scope: "full" }, { admin, bulk: POLL });

    const sync = async (label: string) => {
      progress(`${label}: bulk export, download and merge…`);
      const run = await measuredSync(label, integration.id, source);
      const { marks } = run;
      progress(`${label}: done in ${formatMs(run.ms)}`);
      const exportWaitMs = (marks.firstAt ?? marks.startedAt) - marks.startedAt;
      const streamMs = (marks.doneAt ?? marks.startedAt) - (marks.firstAt ?? marks.startedAt);
      return {
        ms: run.ms,
        memory: run.memory,
        counts: { ...run.result.report.counts },
        exportWaitMs,
        streamMs,
        finishMs: run.ms - exportWaitMs - streamMs,
        products: marks.records,
        variants: marks.variants,
      };
    };

    const first = await sync("first sync");
    const afterFirst = rowCounts(dbFile);
    const second = await sync("second sync");
    const afterSecond = rowCounts(dbFile);

    progress("collecting the adapter's records (a third export, not timed)…");
    const records: SourceRecord[] = [];
    for await (const record of (await source()).records) records.push(record);
    const recordsFile = path.join(dir, "records.json");
    writeFileSync(recordsFile, JSON.stringify(records));
    const collected = { products: records.length, variants: records.reduce((n, r) => n + r.variants.length, 0) };
    records.length = 0;
    await stopChild(simChild);

    progress("bare engine apply of the same records into a fresh database (own process)…");
    const bare = await runForResult<ApplyResult>("bench/support/apply-process.ts", [recordsFile]);
    progress(`bare apply: ${formatMs(bare.ms)}`);

    const c1 = first.counts;
    const c2 = second.counts;
    report.section(`shopify-sync: ${formatCount(PRODUCTS)} products × ${VARIANTS} variants from the simulator (bulk export, throttling off)`);
    report.figure("firstSyncMs", "first sync (empty catalog)", round(first.ms), formatMs(first.ms));
    report.figure("firstSyncExportWaitMs", "  bulk export until the first record arrived", round(first.exportWaitMs), formatMs(first.exportWaitMs));
    report.figure("firstSyncStreamMs", "  JSONL download + parse + merge + write until the last batch was read", round(first.streamMs), formatMs(first.streamMs));
    report.figure("firstSyncFinishMs", "  the last batch, passports and the run record", round(first.finishMs), formatMs(first.finishMs));
    report.figure("firstSyncCounts", "first sync counts", { ...c1 }, JSON.stringify(c1));
    report.figure("recordsPerSecond", "first sync throughput (records = products)", round(first.products / (first.ms / 1000), 0), `${formatCount(first.products / (first.ms / 1000))} products/s`);
    report.figure("variantsPerSecond", "first sync throughput (variants)", round(first.variants / (first.ms / 1000), 0), `${formatCount(first.variants / (first.ms / 1000))} variants/s`);
    report.figure("peakRssMb", "peak RSS (first sync)", first.memory.peakRssMb, `${first.memory.peakRssMb} MB (${first.memory.startRssMb} MB at start)`);
    report.figure("peakHeapMb", "peak V8 heap used (first sync)", first.memory.peakHeapMb, `${first.memory.peakHeapMb} MB (heap total ${first.memory.peakHeapTotalMb} MB)`);
    report.figure("secondSyncMs", "second sync (nothing changed)", round(second.ms), formatMs(second.ms));
    report.figure("secondSyncExportWaitMs", "  bulk export until the first record arrived", round(second.exportWaitMs), formatMs(second.exportWaitMs));
    report.figure("secondSyncCounts", "second sync counts", { ...c2 }, JSON.stringify(c2));
    report.figure("secondSyncPeakRssMb", "peak RSS (second sync)", second.memory.peakRssMb, `${second.memory.peakRssMb} MB`);
    report.figure("secondSyncPeakHeapMb", "peak V8 heap used (second sync)", second.memory.peakHeapMb, `${second.memory.peakHeapMb} MB`);
    report.figure("bareApplyMs", `bare engine apply of the ${formatCount(collected.products)} collected records (fresh DB, own process)`, round(bare.ms), formatMs(bare.ms));
    report.figure("bareApplyPeakRssMb", "peak RSS (bare apply process)", bare.memory.peakRssMb, `${bare.memory.peakRssMb} MB`);

    report.section("goals");
    const ratio = first.ms / bare.ms;
    report.set("ratioFirstSyncToBareApply", round(ratio, 3));
    report.goal("ratioFirstSyncToBareApply", "first sync / bare engine apply", round(ratio, 2), "<", 1.5);
    const expected = PRODUCTS * VARIANTS;
    report.check("firstSyncComplete", "first sync created every variant", c1.created === expected && c1.failed === 0 && afterFirst.Passport === expected, `${formatCount(c1.created)} created, ${formatCount(afterFirst.Passport)} passports`);
    const unchangedTables = SYNC_TABLES.filter((t) => t !== "SyncRun").every((t) => afterSecond[t] === afterFirst[t]);
    report.check(
      "secondSyncWroteNothing",
      "second sync wrote nothing",
      c2.created === 0 && c2.updated === 0 && c2.archived === 0 && unchangedTables && afterSecond.SyncRun === afterFirst.SyncRun + 1,
      `created ${c2.created}, updated ${c2.updated}, archived ${c2.archived}, unchanged ${formatCount(c2.unchanged)}; row counts ${unchangedTables ? "unchanged" : "CHANGED"}`,
    );
    report.check("bareApplySameRecords", "bare apply got the same records", collected.variants === expected && bare.counts.created === expected, `${formatCount(collected.products)} products, ${formatCount(bare.counts.created)} variants created`);
    report.finish();
  } finally {
    await stopChild(simChild);
    await db.$disconnect();
    removeDir(dir);
  }
}
