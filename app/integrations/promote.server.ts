// Promotion (GUIDE §2): a secondary becomes the primary. Variants are then regrouped by the new
// primary's structure on its next full run; every variant keeps its identity, so its passport URL
// and printed QR code keep working. The preview runs that full merge without writing anything; the
// admin runs it in the background and shows its progress (startPromotionPreview).
import { createHash, randomUUID } from "node:crypto";
import type { FieldKey } from "../catalog/fields";
import { isUniqueViolation } from "../db/errors";
import type { ShopDb } from "../db/scoped.server";
import { MerchantError, merchantMessage } from "../errors";
import { jobQueue } from "../jobs/index.server";
import { requestSync } from "../jobs/sync-jobs.server";
import { forgetSyncedHashes, loadOwnership, ownedBy } from "../ownership/ownership.server";
import { executeSync } from "../sync/engine.server";
import type { ChangeSet, MatchBy } from "../sync/merge";
import { backgroundPreviewWhere, interruptedPreview, startingRun, type RunContext } from "../sync/runs.server";
import { findIntegration, type IntegrationRow } from "./integrations.server";
import { integrationKind, kindLabel } from "./kinds";
import { sourceFor } from "./sources.server";

export interface PromotionSummary {
  integration: string;
  dryRun: boolean;
  /** Products whose variants the new primary spreads over several products. */
  productsSplit: number;
  /** Products that receive variants from several current products. */
  productsMerged: number;
  productsCreated: number;
  /** Products left without any variant of the new primary's (archived by its full runs if it had them). */
  productsArchived: number;
  variantsMoved: number;
  variantsCreated: number;
  /** Catalog variants the new primary has no record of: they stay where they are. */
  variantsUnmatched: number;
  /** Whether the regrouping could be previewed (an Excel primary regroups with its next upload). */
  previewed: boolean;
  /**
   * The primary it replaces, which becomes a secondary: the identifier it then matches variants by,
   * and the fields it keeps owning (a promotion moves no field; the merchant transfers them).
   */
  formerPrimary: { integration: string; matchBy: MatchBy; ownedFields: FieldKey[] } | null;
  /**
   * The new primary's full sync, which regroups the variants, was queued: false for a preview, for
   * Excel (its next upload regroups) and for a paused integration (its sync waits for Resume).
   */
  syncStarted: boolean;
}

/**
 * What a regrouping does to products. `variantsPerProduct`: how many variants each product whose
 * variants move has now (a product keeping some of its variants while others leave is split).
 */
export function summarizeRegrouping(
  changes: Pick<ChangeSet, "variantMoves" | "products" | "counts">,
  catalogVariants: number,
  coveredVariants: number,
  variantsPerProduct: ReadonlyMap<string, number>,
): Omit<PromotionSummary, "integration" | "dryRun" | "previewed" | "formerPrimary" | "syncStarted"> {
  const moves = changes.variantMoves.filter((m) => m.fromProductId !== m.productId);
  const leaving = new Map<string, { targets: Set<string>; count: number }>();
  const originsByTarget = new Map<string, Set<string>>();
  for (const m of moves) {
    const origin = leaving.get(m.fromProductId) ?? leaving.set(m.fromProductId, { targets: new Set(), count: 0 }).get(m.fromProductId)!;
    origin.targets.add(m.productId);
    origin.count++;
    (originsByTarget.get(m.productId) ?? originsByTarget.set(m.productId, new Set()).get(m.productId)!).add(m.fromProductId);
  }
  let split = 0;
  for (const [productId, origin] of leaving) {
    const staying = (variantsPerProduct.get(productId) ?? origin.count) - origin.count;
    if (origin.targets.size + (staying > 0 ? 1 : 0) > 1) split++;
  }
  return {
    productsSplit: split,
    productsMerged: [...originsByTarget.entries()].filter(([target, origins]) => origins.size + (variantsPerProduct.has(target) ? 1 : 0) > 1).length,
    productsCreated: changes.products.created,
    productsArchived: changes.products.archived,
    variantsMoved: moves.length,
    variantsCreated: changes.counts.created,
    variantsUnmatched: Math.max(0, catalogVariants - coveredVariants),
  };
}

function checkPromotable(integration: IntegrationRow): void {
  const kind = integrationKind(integration.kind);
  if (integration.primaryOfShop) throw new MerchantError(`${kind?.label ?? integration.kind} is already the primary integration.`, true);
  if (!kind?.canBePrimary) throw new MerchantError(`${kind?.label ?? integration.kind} cannot be the primary integration.`, true);
  if (integration.status === "disconnected") throw new MerchantError(`${kind.label} is disconnected; connect it again first.`, true);
}

/** Whether a promotion is previewed by a dry run of the integration's records (an Excel primary regroups with its next upload). */
const previewable = (integration: IntegrationRow) => integrationKind(integration.kind)?.syncsOnSchedule ?? false;

type SourceResolver = typeof sourceFor;

/** The summary before any regrouping is worked out: the new primary, and the primary it replaces. */
async function startingSummary(db: ShopDb, integration: IntegrationRow, dryRun: boolean): Promise<PromotionSummary> {
  const former = await db.integration.findFirst({ where: { primaryOfShop: { not: null } } });
  return {
    integration: integration.kind,
    dryRun,
    productsSplit: 0,
    productsMerged: 0,
    productsCreated: 0,
    productsArchived: 0,
    variantsMoved: 0,
    variantsCreated: 0,
    variantsUnmatched: 0,
    previewed: false,
    formerPrimary: former
      ? { integration: former.kind, matchBy: former.matchBy === "barcode" ? "barcode" : "sku", ownedFields: ownedBy(await loadOwnership(db), former.id) }
      : null,
    syncStarted: false,
  };
}

/** The full merge of the integration's records as the primary, nothing written (a preview run, `runId` when recorded before). */
async function workOutRegrouping(
  db: ShopDb,
  integration: IntegrationRow,
  run: { runId?: string; heartbeatMs?: number; source?: SourceResolver } = {},
): Promise<ReturnType<typeof summarizeRegrouping>> {
  const catalogVariants = await db.variant.count({ where: { archivedAt: null } });
  const variantMoves: ChangeSet["variantMoves"] = [];
  const { report, coveredVariants } = await executeSync({
    shop: db.shopDomain,
    integrationId: integration.id,
    trigger: "manual",
    dryRun: true,
    roleOverride: "primary",
    runId: run.runId,
    heartbeatMs: run.heartbeatMs,
    source: () => (run.source ?? sourceFor)(db, integration, { scope: "full" }),
    onChanges: (part) => variantMoves.push(...part.variantMoves),
  });
  const changes = { ...report, variantMoves };
  const involved = [...new Set(variantMoves.flatMap((m) => [m.fromProductId, m.productId]))];
  const counts = await db.variant.groupBy({ by: ["productId"], where: { productId: { in: involved } }, _count: { _all: true } });
  const sizes = new Map(counts.map((c) => [c.productId, c._count._all]));
  return summarizeRegrouping(changes, catalogVariants, coveredVariants, sizes);
}

/**
 * Promotes an integration to primary, or (dryRun) shows what its structure would change: the
 * full merge of its records as the primary, nothing written. The dry run takes as long as reading
 * every record does (a Shopify bulk export: minutes for a large catalog): the admin starts it in
 * the background instead (startPromotionPreview).
 */
export async function promoteIntegration(db: ShopDb, kindOrId: string, options: { dryRun: boolean }): Promise<PromotionSummary> {
  const integration = await findIntegration(db, kindOrId);
  checkPromotable(integration);
  const summary = await startingSummary(db, integration, options.dryRun);
  if (options.dryRun) return previewable(integration) ? { ...summary, ...(await workOutRegrouping(db, integration)), previewed: true } : summary;

  await db.$transaction(async (tx) => {
    const others = await tx.integration.findMany({ where: { primaryOfShop: { not: null } }, select: { id: true } });
    await tx.integration.updateMany({ where: { primaryOfShop: { not: null } }, data: { primaryOfShop: null } });
    await tx.integration.update({ where: { id: integration.id }, data: { primaryOfShop: tx.shopDomain } });
    // Both integrations look at every record again under their new roles.
    await forgetSyncedHashes(tx, [integration.id, ...others.map((o) => o.id)]);
  });
  // The new structure applies with the new primary's next full run (Excel: its next upload).
  const syncStarted = previewable(integration) && (await requestSync(jobQueue(), db, integration.id, "manual", "full"));
  return { ...summary, syncStarted };
}

// ---------------------------------------------------------------------------------------------
// The preview in the background. "Make primary" starts it and answers at once with its run; the
// admin polls the run (its progress, then the summary kept with it) until it is done, and only a
// finished preview can be confirmed. It runs in the process that started it, recorded as a
// preview run: a run cut short by a restart shows as interrupted, never as running for ever.

/** What a promotion preview keeps on its run (`details.context`, RunContext), read back by id. */
export interface PromotionPreviewContext extends RunContext {
  preview: "promotion";
  integrationId: string;
  /** The primary it was worked out against: a promotion is confirmed only against the same one. */
  primaryId: string | null;
  /** The process working it out (previewWorker): a run left by another process is alive only while its heartbeat is. */
  worker: string;
  /** Records the integration's last full run read: the progress bar's scale while the source gives no total. */
  expected: number | null;
  /** Once it is worked out. */
  summary?: PromotionSummary;
}

/** A promotion preview as the admin shows it. */
export interface PromotionPreviewView {
  /** Null when there is nothing to work out (Excel regroups with its next upload): the summary is there at once. */
  runId: string | null;
  integrationId: string;
  /** The integration's kind. */
  integration: string;
  status: "running" | "finished" | "failed";
  /** While running: "fetching" (the source's export), "merging" (compared with the catalog), "summarizing". */
  phase: string | null;
  processed: number;
  total: number | null;
  /** `total` is the estimate from the integration's last full run (the source does not say up front). */
  estimated: boolean;
  summary: PromotionSummary | null;
  /** Why it failed and what to do. */
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** A running preview's heartbeat (a sync's is a minute: a preview's interruption must show sooner). */
export const PREVIEW_HEARTBEAT_MS = 10_000;
/** A preview run of another process whose heartbeat is older than this was left by a process that stopped. */
export const PREVIEW_STALE_MS = 60_000;
/** A finished preview is shown again (not worked out again) this long, while nothing changed meanwhile. */
export const PREVIEW_REUSE_MS = 15 * 60_000;

declare global {
  var __passportPromotionPreviews: { worker: string; running: Map<string, Promise<void>> } | undefined;
}

/** This process (kept across module reloads in development) and the previews it is working out. */
const previews = (globalThis.__passportPromotionPreviews ??= { worker: randomUUID(), running: new Map() });

/** The id of the process working out previews here (a preview's `worker`). */
export const previewWorker = (): string => previews.worker;


type RunRow = NonNullable<Awaited<ReturnType<ShopDb["syncRun"]["findUnique"]>>>;

function promotionContext(details: string): PromotionPreviewContext | null {
  const context = (JSON.parse(details) as { context?: Partial<PromotionPreviewContext> }).context;
  return context?.preview === "promotion" && typeof context.integrationId === "string" ? (context as PromotionPreviewContext) : null;
}

/** Still being worked out: running, or merged and its summary not yet written. */
const inProgress = (row: RunRow, context: PromotionPreviewContext) => row.status === "running" || (row.status === "preview" && !context.summary);

/** Left by a process that stopped (or by this one, which no longer works on it). */
function abandoned(row: RunRow, context: PromotionPreviewContext, now: number): boolean {
  if (context.worker === previews.worker) return !previews.running.has(row.id);
  const lastSign = Math.max(row.createdAt.getTime(), row.heartbeatAt?.getTime() ?? 0, row.finishedAt?.getTime() ?? 0);
  return lastSign < now - PREVIEW_STALE_MS;
}

function previewView(row: RunRow, context: PromotionPreviewContext, kind: string): PromotionPreviewView {
  const summary = row.status === "preview" ? (context.summary ?? null) : null;
  const status = summary ? "finished" : row.status === "failed" ? "failed" : "running";
  return {
    runId: row.id,
    integrationId: row.integrationId,
    integration: kind,
    status,
    phase: status !== "running" ? null : row.status === "preview" ? "summarizing" : row.phase,
    processed: row.processed,
    total: row.total ?? context.expected,
    estimated: row.total === null && context.expected !== null,
    summary,
    message: status === "failed" ? (row.message ?? "The preview could not be finished. Nothing was changed. Start the preview again.") : null,
    startedAt: (row.startedAt ?? row.createdAt).toISOString(),
    finishedAt: status === "running" ? null : (row.finishedAt?.toISOString() ?? null),
  };
}

/** A preview run and its context, a run left by a stopped process closed as interrupted first. */
async function loadPreview(db: ShopDb, runId: string, now = Date.now()): Promise<{ view: PromotionPreviewView; context: PromotionPreviewContext } | null> {
  let row = await db.syncRun.findUnique({ where: { id: runId } });
  const context = row && promotionContext(row.details);
  if (!row || !context) return null;
  if (inProgress(row, context) && abandoned(row, context, now)) {
    await db.syncRun.updateMany({ where: { id: row.id, status: row.status }, data: interruptedPreview() });
    row = await db.syncRun.findUniqueOrThrow({ where: { id: runId } });
  }
  const integration = await db.integration.findUnique({ where: { id: row.integrationId }, select: { kind: true } });
  return { view: previewView(row, promotionContext(row.details) ?? context, integration?.kind ?? "unknown"), context };
}

/**
 * A promotion preview by its run id: its progress, then its summary or why it failed. Null for a
 * run that is no promotion preview, or not the shop's (`db` reads only the shop's runs).
 */
export async function readPromotionPreview(db: ShopDb, runId: string): Promise<PromotionPreviewView | null> {
  return (await loadPreview(db, runId))?.view ?? null;
}

/** Whether a finished preview still says what a promotion would do now: recent, same primary, no sync since it started. */
async function stillCurrent(db: ShopDb, view: PromotionPreviewView, context: PromotionPreviewContext, primaryId: string | null): Promise<boolean> {
  if (Date.now() - Date.parse(view.finishedAt ?? view.startedAt) > PREVIEW_REUSE_MS || context.primaryId !== primaryId) return false;
  return (await db.integration.count({ where: { lastSyncAt: { gte: new Date(view.startedAt) } } })) === 0;
}

/**
 * The id of the preview that follows `previous` (the integration's last one): two requests
 * starting a preview at the same moment make the same id, so only one of them can record it.
 */
function nextPreviewId(shop: string, integrationId: string, previous: string | null): string {
  return `pp${createHash("sha256").update(`${shop}\n${integrationId}\n${previous ?? ""}`).digest("hex").slice(0, 30)}`;
}

/**
 * Starts the preview of promoting an integration, in the background, and returns it at once
 * (running, with its run id). While a preview of the integration is running, or one finished
 * recently and nothing changed since, that one is returned instead: never two at a time. An
 * integration with nothing to work out (Excel) gets its summary at once, without a run.
 */
export async function startPromotionPreview(
  db: ShopDb,
  kindOrId: string,
  options: { source?: SourceResolver; heartbeatMs?: number } = {},
): Promise<PromotionPreviewView> {
  const integration = await findIntegration(db, kindOrId);
  checkPromotable(integration);
  if (!previewable(integration)) {
    const now = new Date().toISOString();
    const summary = await startingSummary(db, integration, true);
    const view = { runId: null, integrationId: integration.id, integration: integration.kind, processed: 0, total: null, estimated: false, message: null };
    return { ...view, status: "finished", phase: null, summary, startedAt: now, finishedAt: now };
  }
  const primary = await db.integration.findFirst({ where: { primaryOfShop: { not: null } }, select: { id: true } });
  const latest = await db.syncRun.findFirst({
    where: { integrationId: integration.id, trigger: "manual", ...backgroundPreviewWhere("promotion") },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  const last = latest && (await loadPreview(db, latest.id));
  if (last && (last.view.status === "running" || (last.view.status === "finished" && (await stillCurrent(db, last.view, last.context, primary?.id ?? null))))) {
    return last.view;
  }

  const runId = nextPreviewId(db.shopDomain, integration.id, latest?.id ?? null);
  const context: PromotionPreviewContext = {
    preview: "promotion",
    integrationId: integration.id,
    primaryId: primary?.id ?? null,
    worker: previews.worker,
    expected: await expectedRecords(db, integration.id),
  };
  try {
    // Made here, not by startRun: the id is chosen (nextPreviewId), so two requests make one row.
    await db.syncRun.create({ data: { id: runId, shop: db.shopDomain, integrationId: integration.id, trigger: "manual", ...startingRun({ scope: "full", context }) } });
  } catch (error) {
    // Another request started this same preview a moment before: that one is shown.
    const theirs = isUniqueViolation(error) ? await readPromotionPreview(db, runId) : null;
    if (theirs) return theirs;
    throw error;
  }
  // Registered before anything else can read the run: this process works on it.
  const work = workOutPreview(db, integration, runId, context, options).finally(() => previews.running.delete(runId));
  previews.running.set(runId, work);
  return (await readPromotionPreview(db, runId))!;
}

/** Records the integration's last full run read (the progress bar's scale), if it had one. */
async function expectedRecords(db: ShopDb, integrationId: string): Promise<number | null> {
  const last = await db.syncRun.findFirst({
    where: { integrationId, scope: "full", status: { in: ["succeeded", "preview"] }, processed: { gt: 0 } },
    orderBy: { createdAt: "desc" },
    select: { processed: true },
  });
  return last?.processed ?? null;
}

/** The preview's work: the dry run on its run, then the summary kept with the run; or why it failed. */
async function workOutPreview(
  db: ShopDb,
  integration: IntegrationRow,
  runId: string,
  context: PromotionPreviewContext,
  options: { source?: SourceResolver; heartbeatMs?: number },
): Promise<void> {
  try {
    const regrouping = await workOutRegrouping(db, integration, { runId, heartbeatMs: options.heartbeatMs ?? PREVIEW_HEARTBEAT_MS, source: options.source });
    const summary: PromotionSummary = { ...(await startingSummary(db, integration, true)), ...regrouping, previewed: true };
    const row = await db.syncRun.findUniqueOrThrow({ where: { id: runId }, select: { details: true } });
    const details = { ...(JSON.parse(row.details) as Record<string, unknown>), context: { ...context, summary } };
    await db.syncRun.update({ where: { id: runId }, data: { details: JSON.stringify(details) } });
  } catch (error) {
    if (!(error instanceof MerchantError)) console.error("Passport: a promotion preview failed:", error instanceof Error ? error.message : error);
    // The engine recorded the failure as a sync's; a preview is not retried: the merchant starts it again.
    await db.syncRun
      .updateMany({ where: { id: runId }, data: { status: "failed", phase: null, message: previewFailureMessage(error), finishedAt: new Date() } })
      .catch(() => undefined);
  }
}

/** Why a preview failed, for the merchant: what happened, that nothing changed, and what to do. */
export function previewFailureMessage(error: unknown): string {
  if (!(error instanceof MerchantError)) return merchantMessage(error, "Nothing was changed. Try again in a few minutes; if this keeps happening, contact support.");
  // A sync's failure is retried by itself; a preview's is not (the merchant starts it again).
  // A sync's "Passport will try again automatically." (or "…automatically; <more>.") does not hold for a preview.
  const reason = error.message.replace(/\s*Passport will try again automatically(?:\.|;[^.]*\.)/g, "");
  return `${reason} Nothing was changed.${error.permanent ? "" : " Try again in a few minutes."}`;
}

/** Resolves once this process is done with the preview (tests; a preview of another process resolves at once). */
export function settledPromotionPreview(runId: string): Promise<void> {
  return previews.running.get(runId) ?? Promise.resolve();
}

/**
 * Promotes the integration the merchant confirmed, after its preview (`previewRunId`): only a
 * finished preview of this integration, worked out against the current primary, can be
 * confirmed. An integration with nothing to preview (Excel) needs none.
 */
export async function confirmPromotion(db: ShopDb, kindOrId: string, previewRunId: string | null): Promise<PromotionSummary> {
  const integration = await findIntegration(db, kindOrId);
  checkPromotable(integration);
  if (previewable(integration)) {
    const preview = previewRunId ? await loadPreview(db, previewRunId) : null;
    const label = kindLabel(integration.kind);
    if (!preview || preview.view.integrationId !== integration.id) {
      throw new MerchantError(`Passport has not shown what making ${label} the primary would change. Choose Make primary to see it first.`, true);
    }
    if (preview.view.status === "running") throw new MerchantError("The preview is still being worked out. Confirm once it shows what would change.", true);
    if (preview.view.status === "failed") throw new MerchantError("The preview could not be finished, so there is nothing to confirm. Choose Make primary to try again.", true);
    const primary = await db.integration.findFirst({ where: { primaryOfShop: { not: null } }, select: { id: true } });
    if ((primary?.id ?? null) !== preview.context.primaryId) {
      throw new MerchantError("The primary integration changed after this preview. Choose Make primary again to see what the change would do now.", true);
    }
  }
  return promoteIntegration(db, integration.id, { dryRun: false });
}

/** What the merchant reads once the promotion is done: the new roles, and when the regrouping happens. */
export function promotedMessage(summary: PromotionSummary): string {
  const next = kindLabel(summary.integration);
  const former = summary.formerPrimary ? ` ${kindLabel(summary.formerPrimary.integration)} is now a secondary integration.` : "";
  const when = summary.syncStarted
    ? `A full sync of ${next} has started: it regroups your variants by ${next}'s products.`
    : integrationKind(summary.integration)?.syncsOnSchedule
      ? `${next} is paused: its next full sync, when you resume it, regroups your variants by its products.`
      : `Your next upload regroups your variants by its products.`;
  return `${next} is now the primary integration.${former} ${when} Every passport keeps its address and QR code.`;
}
