// Sync runs as recorded for merchants: trigger, status, progress, counts and per-record errors.
import type { Db } from "../db.server";
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { MerchantError, merchantMessage } from "../errors";
import type { RecordError, RunReport } from "./merge";

/** What asked for a run. "install": the Shopify integration's first sync after an install or reinstall. */
export type RunTrigger = "install" | "scheduled" | "webhook" | "manual" | "upload";

/** Per-record errors kept on a run; errorCount has the full number. */
export const MAX_STORED_ERRORS = 500;

type RunDb = ShopDb | ShopTx;

/** A run's columns as it starts (startRun; a preview whose run row needs an id of its own makes it with them). */
export function startingRun(run: { scope: "full" | "partial"; total?: number; attempt?: number; context?: RunContext }) {
  const now = new Date();
  return {
    status: "running",
    scope: run.scope,
    phase: "fetching",
    startedAt: now,
    heartbeatAt: now,
    total: run.total ?? null,
    attempt: run.attempt ?? 1,
    ...(run.context ? { details: JSON.stringify({ context: run.context }) } : {}),
  };
}

export async function startRun(
  db: ShopDb,
  run: { runId?: string; integrationId: string; trigger: RunTrigger; scope: "full" | "partial"; total?: number; attempt?: number; context?: RunContext },
): Promise<string> {
  const data = startingRun(run);
  if (run.runId) {
    // Only while it is still running: one closed meanwhile (taken for stopped) is another run's work now.
    const taken = await db.syncRun.updateMany({ where: { id: run.runId, status: "running" }, data });
    if (taken.count === 0) throw new RunTakenOver();
    return run.runId;
  }
  const created = await db.syncRun.create({ data: { shop: db.shopDomain, integrationId: run.integrationId, trigger: run.trigger, ...data } });
  return created.id;
}

/**
 * The run was closed while it went (its process was taken for stopped: no heartbeat for
 * RUN_STALE_MS) and another run took its work over: it saves nothing, and counts as no failure.
 */
export class RunTakenOver extends MerchantError {
  constructor() {
    super("This sync stopped answering for a while and another sync took its place. Nothing this one read was saved.", false);
  }
}

/** How often a running run writes its heartbeat, whatever it is doing (waiting for a source too). */
export const RUN_HEARTBEAT_MS = 60_000;

/** A running run whose heartbeat is older than this was left by a process that stopped. */
export const RUN_STALE_MS = 10 * 60_000;

/** A run closed because its process stopped, as the merchant reads it. */
export function interruptedRun() {
  return { status: "failed", phase: null, finishedAt: new Date(), message: "The sync was interrupted (the app stopped while it ran). It is retried automatically." };
}

/**
 * What the code that started a run keeps on it beside the engine's figures, in its details
 * (`details.context`); the run's completion keeps it. A context with `preview` set marks a
 * preview worked out in the background (a promotion's): nothing retries it when it is cut short.
 */
export interface RunContext {
  /** What the background preview is of ("promotion"). */
  preview?: string;
}

/**
 * Where a background preview's run is told apart from a sync's (its details start with its
 * context): any preview's, or one kind's (RunContext.preview) when given.
 */
export function backgroundPreviewWhere(preview?: string) {
  return { details: { contains: `"context":{"preview":${preview === undefined ? "" : JSON.stringify(preview)}` } };
}

/** A background preview closed because its process stopped, as the merchant reads it: nothing retries it. */
export function interruptedPreview() {
  return {
    status: "failed",
    phase: null,
    finishedAt: new Date(),
    message: "The preview was interrupted: the app restarted while it ran. Nothing was changed. Start the preview again to see what would change.",
  };
}

/**
 * Writes the run's heartbeat every `everyMs` until the returned function is called, so a run that
 * waits a long time (a Shopify bulk export takes up to hours) is not taken for an interrupted one.
 * Only a run whose process stopped goes stale.
 */
export function keepRunAlive(db: RunDb, runId: string, everyMs = RUN_HEARTBEAT_MS): () => void {
  const timer = setInterval(() => {
    // A missed beat is made up by the next one; a finished run keeps its last heartbeat.
    void db.syncRun.updateMany({ where: { id: runId, status: "running" }, data: { heartbeatAt: new Date() } }).catch(() => undefined);
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** Runs left "running" by a process that stopped: their heartbeat is older than `staleMs`. */
export function staleRunsWhere(staleMs = RUN_STALE_MS) {
  return { status: "running", heartbeatAt: { lt: new Date(Date.now() - staleMs) } };
}

/** Whether a run of the integration is going on in some process (its heartbeat is fresh). */
export async function hasLiveRun(db: ShopDb, integrationId: string, staleMs = RUN_STALE_MS): Promise<boolean> {
  const live = await db.syncRun.count({ where: { integrationId, status: "running", heartbeatAt: { gte: new Date(Date.now() - staleMs) } } });
  return live > 0;
}

/**
 * Closes runs left running by a process that stopped: a background preview says nothing retries it,
 * any other run that its job is retried. Of one integration (before its retry starts), or of every
 * shop (`db` the unscoped client, no integration: the background housekeeping).
 */
export async function closeStaleRuns(db: RunDb | Db, integrationId?: string, staleMs = RUN_STALE_MS): Promise<number> {
  const where = { ...(integrationId === undefined ? {} : { integrationId }), ...staleRunsWhere(staleMs) };
  const previews = await db.syncRun.updateMany({ where: { ...where, ...backgroundPreviewWhere() }, data: interruptedPreview() });
  const closed = await db.syncRun.updateMany({ where, data: interruptedRun() });
  return previews.count + closed.count;
}

export async function updateRunProgress(db: RunDb, runId: string, progress: { processed: number; phase: string; total?: number }): Promise<void> {
  await db.syncRun.update({ where: { id: runId }, data: { ...progress, heartbeatAt: new Date() } });
}

export function runErrors(report: RunReport): RecordError[] {
  return report.errors.slice(0, MAX_STORED_ERRORS);
}

/** Records a run's outcome with its counts and per-record errors. */
export async function completeRun(
  db: RunDb,
  runId: string,
  report: RunReport,
  status: "succeeded" | "preview" | "failed",
  message?: string,
  warnings: { externalId: string; message: string }[] = [],
): Promise<void> {
  const c = report.counts;
  const context = await runContext(db, runId);
  await db.syncRun.update({
    where: { id: runId },
    data: {
      status,
      message: message ?? null,
      phase: null,
      created: c.created,
      updated: c.updated,
      unchanged: c.unchanged,
      skipped: c.skipped,
      unmatched: c.unmatched,
      archived: c.archived,
      failed: c.failed,
      errors: JSON.stringify(runErrors(report)),
      errorCount: report.errors.length,
      details: JSON.stringify({
        ...(context === undefined ? {} : { context }),
        products: report.products,
        skippedByField: report.skippedByField,
        unmatched: report.unmatched.slice(0, MAX_STORED_ERRORS),
        warnings: warnings.slice(0, MAX_STORED_ERRORS),
      }),
      finishedAt: new Date(),
    },
  });
}

/** The run's context (RunContext), kept through its completion. */
async function runContext(db: RunDb, runId: string): Promise<unknown> {
  const row = await db.syncRun.findUnique({ where: { id: runId }, select: { details: true } });
  return row ? (JSON.parse(row.details) as { context?: unknown }).context : undefined;
}

/** Records a failed run (creating it if it failed before it started) and returns the merchant message. */
export async function failRun(
  db: ShopDb,
  runId: string | null,
  run: { integrationId: string; trigger: RunTrigger; attempt?: number },
  error: unknown,
): Promise<{ runId: string; message: string }> {
  const message = merchantMessage(error);
  const data = { status: "failed", phase: null, message, finishedAt: new Date() };
  if (runId) {
    await db.syncRun.update({ where: { id: runId }, data });
    return { runId, message };
  }
  const created = await db.syncRun.create({
    data: { shop: db.shopDomain, integrationId: run.integrationId, trigger: run.trigger, attempt: run.attempt ?? 1, startedAt: new Date(), ...data },
  });
  return { runId: created.id, message };
}

/**
 * A run refused before anything was saved (a refused upload), with its errors, so it shows in the
 * history: a new failed run, or (runId) a preview run turned into one, its would-be counts
 * cleared and its context kept. Its details say it was refused (`refused`: the history shows a
 * refused upload run as a file's check). `failed`: how many records (an upload's rows) had a problem.
 */
export async function recordRefusedRun(
  db: ShopDb,
  run: { runId?: string; integrationId: string; trigger: RunTrigger; message: string; errors: RecordError[]; failed?: number },
): Promise<string> {
  const now = new Date();
  const refused = {
    status: "failed",
    phase: null,
    failed: run.failed ?? 0,
    message: run.message,
    errors: JSON.stringify(run.errors.slice(0, MAX_STORED_ERRORS)),
    errorCount: run.errors.length,
    finishedAt: now,
  };
  if (run.runId) {
    const context = await runContext(db, run.runId);
    const counts = { created: 0, updated: 0, unchanged: 0, skipped: 0, unmatched: 0, archived: 0 };
    await db.syncRun.update({ where: { id: run.runId }, data: { ...refused, ...counts, details: refusedDetails(context) } });
    return run.runId;
  }
  const created = await db.syncRun.create({
    data: { shop: db.shopDomain, integrationId: run.integrationId, trigger: run.trigger, scope: "partial", startedAt: now, ...refused, details: refusedDetails(undefined) },
  });
  return created.id;
}

function refusedDetails(context: unknown): string {
  return JSON.stringify({ ...(context === undefined ? {} : { context }), refused: true });
}

export interface RunView {
  id: string;
  integration: string;
  trigger: string;
  status: string;
  scope: string;
  phase: string | null;
  processed: number;
  total: number | null;
  counts: { created: number; updated: number; unchanged: number; skipped: number; unmatched: number; archived: number; failed: number };
  errors: RecordError[];
  errorCount: number;
  message: string | null;
  details: {
    products?: RunReport["products"];
    skippedByField?: RunReport["skippedByField"];
    unmatched?: RunReport["unmatched"];
    warnings?: { externalId: string; message: string }[];
    /** What the code that started the run keeps on it (RunContext; its own type is that code's). */
    context?: unknown;
    /** Refused before anything was saved (recordRefusedRun; earlier refused file checks got it from migration refused_file_checks). */
    refused?: boolean;
  };
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

type RunRow = Awaited<ReturnType<ShopDb["syncRun"]["findFirstOrThrow"]>>;

export function runView(row: RunRow, integrationKind: string): RunView {
  return {
    id: row.id,
    integration: integrationKind,
    trigger: row.trigger,
    status: row.status,
    scope: row.scope,
    phase: row.phase,
    processed: row.processed,
    total: row.total,
    counts: {
      created: row.created,
      updated: row.updated,
      unchanged: row.unchanged,
      skipped: row.skipped,
      unmatched: row.unmatched,
      archived: row.archived,
      failed: row.failed,
    },
    errors: JSON.parse(row.errors) as RecordError[],
    errorCount: row.errorCount,
    message: row.message,
    details: JSON.parse(row.details) as RunView["details"],
    attempt: row.attempt,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export async function listRuns(db: ShopDb, options: { integrationId?: string; take?: number } = {}): Promise<RunView[]> {
  const [rows, integrations] = await Promise.all([
    db.syncRun.findMany({
      where: options.integrationId ? { integrationId: options.integrationId } : {},
      orderBy: { createdAt: "desc" },
      take: options.take ?? 20,
    }),
    db.integration.findMany({ select: { id: true, kind: true } }),
  ]);
  const kinds = new Map(integrations.map((i) => [i.id, i.kind]));
  return rows.map((r) => runView(r, kinds.get(r.integrationId) ?? "unknown"));
}

export async function getRun(db: ShopDb, runId: string): Promise<RunView | null> {
  const row = await db.syncRun.findUnique({ where: { id: runId } });
  if (!row) return null;
  const integration = await db.integration.findUnique({ where: { id: row.integrationId }, select: { kind: true } });
  return runView(row, integration?.kind ?? "unknown");
}
