// Which Excel runs in a sync history were the check of an uploaded file that Passport refused (a
// cell with a problem, no product rows, not a workbook): nothing was imported, so the history
// shows them as file checks, not as failed syncs. The run says so itself: recordRefusedRun marks
// it refused. A failed import, whose run is its own, is never taken for one.
import type { ShopDb } from "../../db/scoped.server";
import type { RunView } from "../../sync/runs.server";

/** An upload run refused before anything was saved: only a file's check is refused so. */
function isRefusedCheck(run: RunView): boolean {
  return run.trigger === "upload" && run.status === "failed" && run.details.refused === true;
}

/**
 * Whether a run could be a check refused before refused runs kept their context (cleared to their
 * errors and message): a failed upload run with no context. A failed import looks the same.
 */
function couldBeOlderRefusedCheck(run: RunView): boolean {
  return run.trigger === "upload" && run.status === "failed" && run.details.refused === undefined && run.details.context === undefined;
}

/** The runs, each marked whether it is the check of a file Passport refused (the history's HistoryRun). */
export async function withRefusedFileChecks(db: ShopDb, runs: RunView[]): Promise<(RunView & { refusedFileCheck: boolean })[]> {
  const refused = new Set(runs.filter(isRefusedCheck).map((r) => r.id));
  // Runs stored before recordRefusedRun kept the context: the upload that was checked names its
  // check's run (its preview's previewRunId), as JSON written by JSON.stringify.
  const older = runs.filter(couldBeOlderRefusedCheck).map((r) => r.id);
  if (older.length > 0) {
    const uploads = await db.upload.findMany({
      where: { OR: older.map((id) => ({ preview: { contains: `"previewRunId":${JSON.stringify(id)}` } })) },
      select: { preview: true },
    });
    for (const upload of uploads) {
      const { previewRunId } = JSON.parse(upload.preview ?? "{}") as { previewRunId?: unknown };
      if (typeof previewRunId === "string") refused.add(previewRunId);
    }
  }
  return runs.map((run) => ({ ...run, refusedFileCheck: refused.has(run.id) }));
}
