// passports: 100,000 passports in SQLite (20,000 products × 5 variants with GTINs, built with
// executeSync), the built app started on loopback, and /p/<id> and /01/<gtin> loaded with random
// ids by autocannon in a separate process, with the trivial /ping of the same server as baseline.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ensureBuilt, freePort, startApp } from "../scripts/app-process.ts";
import { catalogRecords } from "./support/catalog";
import { runForResult } from "./support/child";
import {
  BENCH_API_KEY,
  BENCH_API_SECRET,
  BENCH_ENCRYPTION_KEY,
  BENCH_SHOP,
  benchDir,
  configureAppEnv,
  migratedSqliteFile,
  removeDir,
} from "./support/env";
import { processRssMb } from "./support/memory";
import { formatCount, formatMs, progress, Report, round } from "./support/report";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS || 20_000);
const VARIANTS = 5;
/** Products per sync run while building the catalog (partial runs: each adds its slice). */
const SLICE = 2_000;
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const WARMUP_SECONDS = 3;
/**
 * Concurrent clients of the load: a busy passport server (hundreds of scans a second). With more
 * connections than the server needs to stay saturated, latency only measures queueing (the mean
 * is connections ÷ throughput), not the cost of a page; the 50-connection run below shows that.
 */
const CONNECTIONS = 10;
const SAMPLE = 25;

interface LoadResult {
  requestsPerSec: number;
  requests: number;
  latencyAvg: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

async function buildCatalog(dbFile: string): Promise<void> {
  configureAppEnv(dbFile);
  const { db } = await import("../app/db.server");
  try {
    const { forShop } = await import("../app/db/scoped.server");
    const { connectIntegration } = await import("../app/integrations/integrations.server");
    const { executeSync } = await import("../app/sync/engine.server");
    const shopDb = forShop(BENCH_SHOP);
    await shopDb.shop.create({ data: { shop: BENCH_SHOP, name: "Northwind Apparel", primaryLocale: "en" } });
    const { integration } = await connectIntegration(shopDb, "shopify");
    const t0 = performance.now();
    for (let first = 0; first < PRODUCTS; first += SLICE) {
      const count = Math.min(SLICE, PRODUCTS - first);
      const { report } = await executeSync({
        shop: BENCH_SHOP,
        integrationId: integration.id,
        trigger: "manual",
        source: async () => ({ scope: "partial", records: [...catalogRecords({ products: count, variantsPerProduct: VARIANTS, firstProduct: first })] }),
      });
      if (report.counts.created !== count * VARIANTS) throw new Error(`a catalog slice created ${report.counts.created} variants, not ${count * VARIANTS}: ${JSON.stringify(report.errors.slice(0, 3))}`);
      const done = first + count;
      const elapsed = performance.now() - t0;
      progress(`catalog: ${formatCount(done * VARIANTS)} of ${formatCount(PRODUCTS * VARIANTS)} passports (${formatMs(elapsed)}, about ${formatMs((elapsed / done) * (PRODUCTS - done))} to go)`);
    }
  } finally {
    await db.$disconnect();
  }
}

function writePaths(dbFile: string, dir: string): { p: string; gtin: string; ping: string; passports: number; ids: { publicId: string; gtin: string }[] } {
  const sqlite = new Database(dbFile, { readonly: true });
  const rows = sqlite.prepare(`SELECT "publicId", "gtin" FROM "Passport" WHERE "held" = 0 AND "currentVersion" > 0`).all() as { publicId: string; gtin: string | null }[];
  sqlite.close();
  const ids = rows.filter((r): r is { publicId: string; gtin: string } => r.gtin !== null);
  const files = { p: path.join(dir, "paths-p.txt"), gtin: path.join(dir, "paths-01.txt"), ping: path.join(dir, "paths-ping.txt") };
  writeFileSync(files.p, rows.map((r) => `/p/${r.publicId}`).join("\n") + "\n");
  writeFileSync(files.gtin, ids.map((r) => `/01/${r.gtin}`).join("\n") + "\n");
  writeFileSync(files.ping, "/ping\n");
  return { ...files, passports: rows.length, ids };
}

/** A random sample of responses: /p → 200 HTML naming the passport, /01 → 307 to that passport, /ping → 200. */
async function checkSample(origin: string, ids: { publicId: string; gtin: string }[]): Promise<{ ok: number; total: number; problems: string[] }> {
  const problems: string[] = [];
  let ok = 0;
  const sample = Array.from({ length: SAMPLE }, () => ids[Math.floor(Math.random() * ids.length)]);
  for (const id of sample) {
    const page = await fetch(`${origin}/p/${id.publicId}`, { headers: { accept: "text/html" } });
    const body = await page.text();
    if (page.status === 200 && /text\/html/.test(page.headers.get("content-type") ?? "") && body.length > 500) ok++;
    else problems.push(`/p/${id.publicId} → ${page.status}`);
    const link = await fetch(`${origin}/01/${id.gtin}`, { redirect: "manual" });
    await link.arrayBuffer();
    const location = link.headers.get("location") ?? "";
    if (link.status === 307 && location.endsWith(`/p/${id.publicId}`)) ok++;
    else problems.push(`/01/${id.gtin} → ${link.status} ${location}`);
  }
  const ping = await fetch(`${origin}/ping`);
  if (ping.status === 200 && (await ping.text()) === "ok") ok++;
  else problems.push(`/ping → ${ping.status}`);
  return { ok, total: sample.length * 2 + 1, problems };
}

export async function main(): Promise<void> {
  const report = new Report("passports");
  const reuse = process.env.BENCH_PASSPORTS_DB;
  const dir = benchDir("passports");
  const dbFile = reuse ? path.resolve(reuse) : path.join(dir, "passports.db");
  try {
    let buildMs: number | null = null;
    if (reuse && existsSync(dbFile)) {
      progress(`reusing the catalog in ${dbFile} (BENCH_PASSPORTS_DB)`);
    } else {
      migratedSqliteFile(dbFile);
      progress(`building ${formatCount(PRODUCTS * VARIANTS)} passports with executeSync (${PRODUCTS / SLICE} runs of ${formatCount(SLICE)} products; this takes a while)…`);
      const t0 = performance.now();
      await buildCatalog(dbFile);
      buildMs = performance.now() - t0;
    }
    const paths = writePaths(dbFile, dir);
    progress(`${formatCount(paths.passports)} published passports, ${formatCount(paths.ids.length)} with a GTIN`);

    await ensureBuilt((m) => progress(m));
    const port = await freePort();
    progress(`starting the app on 127.0.0.1:${port} (NODE_ENV=production, rate limit off)…`);
    const app = await startApp({
      port,
      output: "ignore",
      env: {
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        DATABASE_URL: `file:${dbFile}`,
        SHOPIFY_API_KEY: BENCH_API_KEY,
        SHOPIFY_API_SECRET: BENCH_API_SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
        PUBLIC_RATE_LIMIT: "0",
        PASSPORT_BACKGROUND: "off",
        SHOPIFY_ADMIN_API_ORIGIN: undefined,
      },
    });
    try {
      const sample = await checkSample(app.url, paths.ids);
      progress(`sample: ${sample.ok}/${sample.total} responses as expected`);

      // The last two are not goals: /p with a single connection shows its service time alone, and
      // with 50 connections how latency grows once requests queue.
      const routes = [
        { key: "ping", label: "/ping (baseline)", file: paths.ping, connections: CONNECTIONS },
        { key: "p", label: "/p/<publicId>", file: paths.p, connections: CONNECTIONS },
        { key: "gtin", label: "/01/<gtin>", file: paths.gtin, connections: CONNECTIONS },
        { key: "pSingle", label: "/p/<publicId>, 1 connection", file: paths.p, connections: 1 },
        { key: "pSaturated", label: "/p/<publicId>, 50 connections", file: paths.p, connections: 50 },
      ] as const;
      const results: Record<string, LoadResult & { serverPeakRssMb: number | null }> = {};
      for (const route of routes) {
        progress(`load: ${route.label}${route.connections === CONNECTIONS ? `, ${CONNECTIONS} connections` : ""}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s…`);
        let serverPeak: number | null = null;
        const sampler = setInterval(() => {
          void processRssMb(app.child.pid!).then((rss) => {
            if (rss !== null && (serverPeak === null || rss > serverPeak)) serverPeak = rss;
          });
        }, 100);
        try {
          const result = await runForResult<LoadResult>("bench/support/load-process.ts", [app.url, route.file, String(route.connections), String(SECONDS), String(WARMUP_SECONDS)]);
          results[route.key] = { ...result, serverPeakRssMb: serverPeak };
        } finally {
          clearInterval(sampler);
        }
        progress(`  ${formatCount(results[route.key].requestsPerSec)} req/s, p50 ${results[route.key].p50} ms, p99 ${results[route.key].p99} ms`);
      }

      report.section(`passports: ${formatCount(paths.passports)} passports in SQLite; autocannon in its own process, ${CONNECTIONS} connections (unless said), ${SECONDS} s per route`);
      if (buildMs !== null) report.figure("catalogBuildMs", `building the catalog (${PRODUCTS / SLICE} executeSync runs)`, round(buildMs), formatMs(buildMs));
      report.figure("passports", "published passports", paths.passports, formatCount(paths.passports));
      for (const route of routes) {
        const r = results[route.key];
        const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}×${formatCount(n)}`).join(", ");
        report.figure(`${route.key}RequestsPerSec`, `${route.label} throughput`, round(r.requestsPerSec, 0), `${formatCount(r.requestsPerSec)} req/s`);
        report.figure(`${route.key}P50Ms`, `${route.label} latency p50`, r.p50, `${r.p50} ms`);
        report.figure(`${route.key}P99Ms`, `${route.label} latency p99`, r.p99, `${r.p99} ms (p90 ${r.p90} ms, max ${r.max} ms)`);
        report.figure(`${route.key}StatusCodes`, `${route.label} responses`, r.statusCodes, `${codes}${r.errors ? `, ${r.errors} errors` : ""}${r.timeouts ? `, ${r.timeouts} timeouts` : ""}`);
        report.figure(`${route.key}ServerPeakRssMb`, `${route.label} app server peak RSS`, r.serverPeakRssMb ?? 0, `${r.serverPeakRssMb ?? "?"} MB`);
      }

      report.section("goals");
      const ratioP = results.p.requestsPerSec / results.ping.requestsPerSec;
      const ratioGtin = results.gtin.requestsPerSec / results.ping.requestsPerSec;
      report.set("ratioPassportToPing", round(ratioP, 3));
      report.set("ratioGtinToPing", round(ratioGtin, 3));
      report.goal("ratioPassportToPing", "/p throughput / /ping throughput", round(ratioP, 2), ">=", 0.5);
      report.goal("pP99Ms", "/p latency p99 (ms)", results.p.p99, "<", 50);
      report.note(`(/01 throughput / /ping throughput: ${round(ratioGtin, 2)})`);
      report.check("sampleResponses", "sampled responses (/p 200 HTML, /01 307 to the passport, /ping 200)", sample.ok === sample.total, `${sample.ok}/${sample.total}${sample.problems.length ? `; ${sample.problems.slice(0, 3).join("; ")}` : ""}`);
      const only = (r: LoadResult, code: string) => Object.keys(r.statusCodes).every((c) => c === code) && r.errors === 0;
      report.check(
        "loadStatusCodes",
        "every response under load had the expected status",
        only(results.p, "200") && only(results.gtin, "307") && only(results.ping, "200") && only(results.pSingle, "200") && only(results.pSaturated, "200"),
      );
      report.finish();
    } finally {
      await app.stop();
    }
  } finally {
    removeDir(dir);
  }
}
