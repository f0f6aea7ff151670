// Which Excel runs in a sync history were the check of an uploaded file that Passport refused (a
// cell with a problem, no product rows, not a workbook): nothing was imported, so the history
// shows them as file checks, not as failed syncs. The run itself no longer says so (a refused
// check's run is cleared to its errors and message); the upload it checked does (its preview's
// previewRunId). A failed import, whose run is its own, is never taken for one.
import type { ShopDb } from "../../db/scoped.server";
import type { RunView } from "../../sync/runs.server";

/** Whether a run could be a refused file's check: a failed upload run not marked as a preview (whose own context says what it is). */
function couldBeRefusedCheck(run: RunView): boolean {
  return run.trigger === "upload" && run.status === "failed" && (run.details.context as { preview?: unknown } | undefined)?.preview === undefined;
}

/** The runs, each marked whether it is the check of a file Passport refused (the history's HistoryRun). */
export async function withRefusedFileChecks(db: ShopDb, runs: RunView[]): Promise<(RunView & { refusedFileCheck: boolean })[]> {
  const candidates = runs.filter(couldBeRefusedCheck).map((r) => r.id);
  const refused = new Set<string>();
  if (candidates.length > 0) {
    // The preview is JSON written by JSON.stringify: its run id reads `"previewRunId":"<id>"`.
    const uploads = await db.upload.findMany({
      where: { OR: candidates.map((id) => ({ preview: { contains: `"previewRunId":${JSON.stringify(id)}` } })) },
      select: { preview: true },
    });
    for (const upload of uploads) {
      const { previewRunId } = JSON.parse(upload.preview ?? "{}") as { previewRunId?: unknown };
      if (typeof previewRunId === "string") refused.add(previewRunId);
    }
  }
  return runs.map((run) => ({ ...run, refusedFileCheck: refused.has(run.id) }));
}
