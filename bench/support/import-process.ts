// The Excel import in its own process (as the app's request and worker would run it): upload →
// parse and validate → preview (dry run) → commit (the queued sync job, run here as the worker
// runs it). A process of its own, so its memory is the import's, not what generating the
// workbook and the bare read left behind.
// Usage: import-process.ts <database file> <workbook.xlsx>
// Prints `RESULT {"ms","previewMs","commitMs","previewChanges","status","commitRunId","counts","memory"}`.
import { readFile } from "node:fs/promises";
import type { JobQueue } from "../../app/jobs/queue";
import { childArguments } from "./child-arguments";
import { BENCH_SHOP, configureAppEnv, warmDatabaseClient } from "./env";
import { measure } from "./memory";
import { formatCount, formatMs, progress } from "./report";

const [databaseFile, workbook] = childArguments("import-process.ts", ["database file", "workbook.xlsx"]);
configureAppEnv(databaseFile);
const { db } = await import("../../app/db.server");
const { forShop } = await import("../../app/db/scoped.server");
const { uploadWorkbook, commitUpload, getUploadPreview, excelUploadSource } = await import("../../app/integrations/excel/uploads.server");
const { processSyncJob } = await import("../../app/jobs/sync-jobs.server");
const { getRun } = await import("../../app/sync/runs.server");
try {
  const shopDb = forShop(BENCH_SHOP);
  await warmDatabaseClient(shopDb);
  // The queue the commit goes through: the job is taken and run here, as the worker would.
  const jobs: { shop: string; key: string }[] = [];
  const queue: JobQueue = {
    backend: "database",
    send: async (job) => void jobs.push(job),
    work: async () => undefined,
    forgetShop: async () => undefined,
    stop: async () => undefined,
  };
  // The file's bytes in a function of their own: as in the app, where they are the upload
  // request's, they are garbage once the preview is done (a suspended async function would keep them).
  const upload = async () => uploadWorkbook(shopDb, { name: "catalog.xlsx", bytes: await readFile(workbook), createMissing: false });
  const phases = { previewMs: 0, commitMs: 0, previewChanges: 0 };
  const run = await measure(async () => {
    const t0 = performance.now();
    const preview = await upload();
    phases.previewMs = performance.now() - t0;
    phases.previewChanges = preview.changeCount;
    if (preview.status !== "previewed") throw new Error(`the preview says ${preview.status}: ${preview.message ?? ""} ${JSON.stringify(preview.errors.slice(0, 3))}`);
    progress(`preview ready in ${formatMs(phases.previewMs)} (${formatCount(preview.changeCount)} changes); committing…`);
    const t1 = performance.now();
    await commitUpload(queue, shopDb, preview.uploadId);
    const job = jobs.shift();
    if (!job) throw new Error("the commit queued no job");
    await processSyncJob({ ...job, attempt: 1 }, (jobDb, row) => excelUploadSource(jobDb, row));
    phases.commitMs = performance.now() - t1;
    return getUploadPreview(shopDb, preview.uploadId);
  });
  const commitRun = run.result.commitRunId ? await getRun(shopDb, run.result.commitRunId) : null;
  process.stdout.write(`RESULT ${JSON.stringify({ ms: run.ms, ...phases, status: run.result.status, commitRunId: run.result.commitRunId ?? null, counts: commitRun?.counts ?? null, memory: run.memory })}\n`);
} finally {
  await db.$disconnect();
}
process.exit(0);
