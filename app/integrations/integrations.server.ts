// Integrations of a shop: connect (role and default ownership), status, interval, match identifier,
// disconnect. Which kinds exist and how they fetch records is in kinds.server.ts.
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { applyConnectDefaults, forgetSyncedHashes, releaseFields } from "../ownership/ownership.server";
import type { ConnectPlan } from "../ownership/ownership";
import type { MatchBy } from "../sync/merge";
import { secretBox } from "../crypto/secret-box.server";
import { integrationKind, INTEGRATION_KINDS, kindLabel } from "./kinds";

export type IntegrationStatus = "active" | "paused" | "error" | "disconnected";
export type IntegrationRow = Awaited<ReturnType<ShopDb["integration"]["findFirstOrThrow"]>>;

/** Sync interval bounds (GUIDE §2): 1 hour to 7 days, 24 hours by default. */
export const INTERVAL_MINUTES = { min: 60, max: 7 * 24 * 60, default: 24 * 60 } as const;

export interface IntegrationView {
  id: string;
  kind: string;
  label: string;
  role: "primary" | "secondary";
  status: IntegrationStatus;
  error: string | null;
  /** Sync interval in minutes. */
  interval: number;
  matchBy: MatchBy;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  syncsOnSchedule: boolean;
  pendingSync: boolean;
}

export function integrationView(row: IntegrationRow): IntegrationView {
  const kind = integrationKind(row.kind);
  return {
    id: row.id,
    kind: row.kind,
    label: kind?.label ?? row.kind,
    role: row.primaryOfShop ? "primary" : "secondary",
    status: row.status as IntegrationStatus,
    error: row.status === "error" || row.status === "disconnected" ? row.statusMessage : null,
    interval: row.syncIntervalMinutes,
    matchBy: row.matchBy === "barcode" ? "barcode" : "sku",
    lastSyncAt: row.lastSyncAt?.toISOString() ?? null,
    nextSyncAt: row.nextSyncAt?.toISOString() ?? null,
    syncsOnSchedule: kind?.syncsOnSchedule ?? false,
    pendingSync: row.pendingScope !== null,
  };
}

export async function listIntegrations(db: ShopDb): Promise<IntegrationView[]> {
  const rows = await db.integration.findMany({ orderBy: [{ createdAt: "asc" }] });
  // The primary first, then the others in the order they were connected.
  return rows.map(integrationView).sort((a, b) => Number(b.role === "primary") - Number(a.role === "primary"));
}

export async function findIntegration(db: ShopDb, idOrKind: string): Promise<IntegrationRow> {
  const row = await db.integration.findFirst({ where: { OR: [{ id: idOrKind }, { kind: idOrKind }] } });
  if (!row) throw new MerchantError(`This shop has no "${idOrKind}" integration.`, true);
  return row;
}

export interface ConnectResult {
  integration: IntegrationRow;
  /** Default fields another integration owns: shown to the merchant, who chooses. */
  conflicts: ConnectPlan["conflicts"];
  reconnected: boolean;
}

/**
 * Connects an integration (or reconnects a disconnected one, keeping its links so nothing is
 * duplicated). It becomes the primary when the shop has none. Default ownership per GUIDE §2,
 * except for an integration the app's uninstall stopped: it comes back as it was (its fields, and
 * paused if it was paused).
 */
export async function connectIntegration(
  db: ShopDb,
  kindName: string,
  /** credentials: the integration's secret (API key …), stored encrypted. */
  options: { matchBy?: MatchBy; credentials?: string | null; settings?: Record<string, unknown> } = {},
): Promise<ConnectResult> {
  const kind = integrationKind(kindName);
  if (!kind) throw new MerchantError(`"${kindName}" is not an integration Passport offers (available: ${INTEGRATION_KINDS.map((k) => k.kind).join(", ")}).`, true);
  return db.$transaction(async (tx) => {
    const hasPrimary = (await tx.integration.count({ where: { primaryOfShop: { not: null } } })) > 0;
    const existing = await tx.integration.findUnique({ where: { shop_kind: { shop: tx.shopDomain, kind: kind.kind } } });
    const becomesPrimary = !hasPrimary && kind.canBePrimary;
    const stoppedByUninstall = existing?.statusBeforeUninstall != null;
    const data = {
      status: existing?.statusBeforeUninstall === "paused" ? "paused" : "active",
      statusMessage: null,
      statusBeforeUninstall: null,
      statusMessageBeforeUninstall: null,
      consecutiveFailures: 0,
      ...(options.matchBy ? { matchBy: options.matchBy } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials === null ? null : secretBox().encrypt(options.credentials) } : {}),
      ...(options.settings ? { settings: JSON.stringify(options.settings) } : {}),
      ...(becomesPrimary ? { primaryOfShop: tx.shopDomain } : {}),
      // Reconnected after a disconnect (which clears it), it is due at once: the schedule only
      // picks up an integration with a next sync time.
      ...(kind.syncsOnSchedule && existing && existing.nextSyncAt === null ? { nextSyncAt: new Date() } : {}),
    };
    const integration = existing
      ? await tx.integration.update({ where: { id: existing.id }, data })
      : await tx.integration.create({ data: { shop: tx.shopDomain, kind: kind.kind, syncIntervalMinutes: INTERVAL_MINUTES.default, ...data } });
    const role = integration.primaryOfShop ? "primary" : "secondary";
    // The uninstall kept the ownership matrix as the merchant left it: defaults would change it.
    const plan: ConnectPlan = stoppedByUninstall ? { claim: [], conflicts: [] } : await applyConnectDefaults(tx, integration.id, role, kind.provides);
    return { integration, conflicts: plan.conflicts, reconnected: existing !== null };
  });
}

export async function setPaused(db: ShopDb, integrationId: string, paused: boolean): Promise<IntegrationRow> {
  const row = await findIntegration(db, integrationId);
  if (row.status === "disconnected") throw new MerchantError(`${kindLabel(row.kind)} is disconnected. Connect it again before resuming.`, true);
  if (paused) return db.integration.update({ where: { id: row.id }, data: { status: "paused" } });
  return db.integration.update({ where: { id: row.id }, data: { status: "active", statusMessage: null, consecutiveFailures: 0 } });
}

export async function setSyncInterval(db: ShopDb, integrationId: string, minutes: number): Promise<IntegrationRow> {
  if (!Number.isInteger(minutes) || minutes < INTERVAL_MINUTES.min || minutes > INTERVAL_MINUTES.max) {
    throw new MerchantError("Choose a sync interval between 1 hour and 7 days.", true);
  }
  const row = await findIntegration(db, integrationId);
  const base = row.lastSyncAt ?? new Date();
  return db.integration.update({
    where: { id: row.id },
    data: { syncIntervalMinutes: minutes, nextSyncAt: new Date(base.getTime() + minutes * 60_000) },
  });
}

export async function setMatchBy(db: ShopDb, integrationId: string, matchBy: MatchBy): Promise<IntegrationRow> {
  if (matchBy !== "sku" && matchBy !== "barcode") throw new MerchantError("Variants can be matched by SKU or by barcode.", true);
  const row = await findIntegration(db, integrationId);
  return db.$transaction(async (tx) => {
    await forgetSyncedHashes(tx, [row.id]);
    return tx.integration.update({ where: { id: row.id }, data: { matchBy } });
  });
}

export async function updateSettings(db: ShopDb, integrationId: string, patch: Record<string, unknown>): Promise<IntegrationRow> {
  const row = await findIntegration(db, integrationId);
  const settings = { ...integrationSettings(row), ...patch };
  return db.$transaction(async (tx) => {
    await forgetSyncedHashes(tx, [row.id]);
    return tx.integration.update({ where: { id: row.id }, data: { settings: JSON.stringify(settings) } });
  });
}

export function integrationSettings(row: Pick<IntegrationRow, "settings">): Record<string, unknown> {
  try {
    return JSON.parse(row.settings) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Disconnects an integration: it stops syncing and its fields go back to unassigned; its data
 * stays in the catalog. A primary cannot be disconnected while others exist: promote one first.
 */
export async function disconnectIntegration(db: ShopDb | ShopTx, integrationId: string, reason: string): Promise<void> {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  // One the uninstall stopped is still the merchant's to disconnect (the reinstall must not bring it back).
  if (!row || (row.status === "disconnected" && row.statusBeforeUninstall === null)) return;
  if (row.primaryOfShop) {
    // The others enrich the primary's products: without it nothing would define them.
    const others = await db.integration.findMany({ where: { id: { not: row.id }, status: { not: "disconnected" } }, select: { kind: true } });
    if (others.length > 0) {
      const label = kindLabel(row.kind);
      throw new MerchantError(
        `${label} is the primary integration, so it cannot be disconnected while ${others.map((o) => kindLabel(o.kind)).join(" and ")} ${others.length === 1 ? "is" : "are"} connected. Make another integration primary first (Integrations page, "Make primary"), then disconnect ${label}.`,
        true,
      );
    }
  }
  await db.integration.update({
    where: { id: row.id },
    data: {
      status: "disconnected",
      statusMessage: reason,
      statusBeforeUninstall: null,
      statusMessageBeforeUninstall: null,
      nextSyncAt: null,
      pendingScope: null,
      pendingTrigger: null,
      pendingSince: null,
    },
  });
  await releaseFields(db, row.id);
}

/**
 * The app was uninstalled: the integration stops syncing (shown as disconnected, with the reason),
 * but it is not the merchant removing it. It keeps its role and its fields, and what it was
 * (status and message) is kept for the reinstall (restoreAfterReinstall).
 */
export async function stopForUninstall(db: ShopDb | ShopTx, integrationId: string, reason: string): Promise<void> {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row || row.status === "disconnected") return;
  await db.integration.update({
    where: { id: row.id },
    data: {
      status: "disconnected",
      statusMessage: reason,
      statusBeforeUninstall: row.status,
      statusMessageBeforeUninstall: row.statusMessage,
      nextSyncAt: null,
      pendingScope: null,
      pendingTrigger: null,
      pendingSince: null,
    },
  });
  // An import asked for and not run yet is not run after a reinstall, maybe days later, unasked:
  // it is back to its preview, for the merchant to import again (checked against the catalog then).
  await db.upload.updateMany({ where: { integrationId: row.id, status: "committing" }, data: { status: "previewed", runId: null } });
}

/**
 * After a reinstall: every integration the uninstall stopped is back as it was (status, message,
 * role and fields). Those that sync on a schedule are due at once, to catch up with what changed
 * while the app was uninstalled.
 */
export async function restoreAfterReinstall(db: ShopDb): Promise<IntegrationRow[]> {
  const stopped = await db.integration.findMany({ where: { statusBeforeUninstall: { not: null } } });
  const restored: IntegrationRow[] = [];
  for (const row of stopped) {
    restored.push(
      await db.integration.update({
        where: { id: row.id },
        data: {
          status: row.statusBeforeUninstall ?? "active",
          statusMessage: row.statusMessageBeforeUninstall,
          statusBeforeUninstall: null,
          statusMessageBeforeUninstall: null,
          nextSyncAt: integrationKind(row.kind)?.syncsOnSchedule ? new Date() : null,
        },
      }),
    );
  }
  return restored;
}

/** An integration's decrypted secret, for its adapter only (never logged, never sent to the browser). */
export function integrationCredentials(row: Pick<IntegrationRow, "credentials">): string | null {
  return row.credentials ? secretBox().decrypt(row.credentials) : null;
}
