// Sync runs as recorded for merchants: trigger, status, progress, counts and per-record errors.
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { merchantMessage } from "../errors";
import type { RecordError, RunReport } from "./merge";

export type RunTrigger = "scheduled" | "webhook" | "manual" | "upload";

/** Per-record errors kept on a run; errorCount has the full number. */
export const MAX_STORED_ERRORS = 500;

type RunDb = ShopDb | ShopTx;

export async function startRun(
  db: ShopDb,
  run: { runId?: string; integrationId: string; trigger: RunTrigger; scope: "full" | "partial"; total?: number; attempt?: number },
): Promise<string> {
  const now = new Date();
  const data = { status: "running", scope: run.scope, phase: "fetching", startedAt: now, heartbeatAt: now, total: run.total ?? null, attempt: run.attempt ?? 1 };
  if (run.runId) {
    await db.syncRun.update({ where: { id: run.runId }, data });
    return run.runId;
  }
  const created = await db.syncRun.create({ data: { shop: db.shopDomain, integrationId: run.integrationId, trigger: run.trigger, ...data } });
  return created.id;
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
        products: report.products,
        skippedByField: report.skippedByField,
        unmatched: report.unmatched.slice(0, MAX_STORED_ERRORS),
        warnings: warnings.slice(0, MAX_STORED_ERRORS),
      }),
      finishedAt: new Date(),
    },
  });
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

/** A run that never got to the merge (a refused upload), recorded so it shows in the history. */
/**
 * A run refused before anything was saved, with its errors: a new failed run, or (runId) a
 * preview run turned into one, its would-be counts cleared.
 */
export async function recordRefusedRun(db: ShopDb, run: { runId?: string; integrationId: string; trigger: RunTrigger; message: string; errors: RecordError[] }): Promise<string> {
  const now = new Date();
  const refused = {
    status: "failed",
    message: run.message,
    errors: JSON.stringify(run.errors.slice(0, MAX_STORED_ERRORS)),
    errorCount: run.errors.length,
    finishedAt: now,
  };
  if (run.runId) {
    const counts = { created: 0, updated: 0, unchanged: 0, skipped: 0, unmatched: 0, archived: 0, failed: 0, details: "{}" };
    await db.syncRun.update({ where: { id: run.runId }, data: { ...refused, ...counts } });
    return run.runId;
  }
  const created = await db.syncRun.create({
    data: { shop: db.shopDomain, integrationId: run.integrationId, trigger: run.trigger, scope: "partial", startedAt: now, ...refused },
  });
  return created.id;
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
