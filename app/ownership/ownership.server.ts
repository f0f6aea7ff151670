// Field ownership in the database: reading the map, transferring and switching off fields, and
// applying defaults when an integration connects. Rules are in ownership.ts.
import { FIELD_KEYS, fieldDef, isFieldKey, type FieldKey } from "../catalog/fields";
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { integrationKind, kindLabel } from "../integrations/kinds";
import { ownershipMatrix, planConnect, type ConnectPlan, type IntegrationRole, type OwnershipMap, type OwnershipRow } from "./ownership";

type Db = ShopDb | ShopTx;

export async function loadOwnership(db: Db): Promise<OwnershipMap> {
  const rows = await db.fieldOwnership.findMany({ select: { field: true, integrationId: true } });
  const map = new Map<FieldKey, string | null>();
  for (const r of rows) if (isFieldKey(r.field)) map.set(r.field, r.integrationId);
  return map;
}

/**
 * Links of an integration forget their hashes, so its next run compares every record with the
 * catalog again (after it gained a field, or its role changed).
 */
export async function forgetSyncedHashes(db: Db, integrationIds: string[]): Promise<void> {
  if (integrationIds.length) await db.externalLink.updateMany({ where: { integrationId: { in: integrationIds } }, data: { hash: null } });
}

/**
 * Gives a field to an integration, or switches it off (null: edited by hand in the app). The new
 * owner's next sync writes the field for every record.
 */
export async function setFieldOwner(db: ShopDb, field: string, integrationId: string | null, changedBy: string): Promise<void> {
  if (!isFieldKey(field)) throw new MerchantError(`There is no field called "${field}".`, true);
  if (integrationId) {
    const integration = await db.integration.findUnique({ where: { id: integrationId } });
    if (!integration) throw new MerchantError("That integration does not exist in this shop.", true);
    if (integration.status === "disconnected") {
      throw new MerchantError(`${fieldDef(field).label} cannot go to a disconnected integration. Reconnect it first.`, true);
    }
  }
  await db.$transaction(async (tx) => {
    await tx.fieldOwnership.upsert({
      where: { shop_field: { shop: db.shopDomain, field } },
      create: { shop: db.shopDomain, field, integrationId, updatedBy: changedBy },
      update: { integrationId, updatedBy: changedBy },
    });
    if (integrationId) await forgetSyncedHashes(tx, [integrationId]);
  });
}

/** Claims an integration's unassigned fields on connect; returns the conflicts for the merchant. */
export async function applyConnectDefaults(
  db: Db,
  integrationId: string,
  role: IntegrationRole,
  provides: readonly FieldKey[],
  changedBy = "Passport (defaults on connect)",
): Promise<ConnectPlan> {
  const plan = planConnect(await loadOwnership(db), integrationId, role, provides);
  for (const field of plan.claim) {
    await db.fieldOwnership.create({ data: { shop: db.shopDomain, field, integrationId, updatedBy: changedBy } });
  }
  if (plan.claim.length) await forgetSyncedHashes(db, [integrationId]);
  return plan;
}

/** Fields whose owner disconnects go back to unassigned, so another integration can take them. */
export async function releaseFields(db: Db, integrationId: string): Promise<void> {
  await db.fieldOwnership.deleteMany({ where: { integrationId } });
}

export function ownedBy(ownership: OwnershipMap, integrationId: string): FieldKey[] {
  return FIELD_KEYS.filter((f) => ownership.get(f) === integrationId);
}

export interface OwnershipView {
  integrations: { id: string; label: string; role: IntegrationRole; status: string }[];
  rows: (OwnershipRow & { ownerLabel: string })[];
  /** Default fields of an integration that another owns: the merchant decides. */
  conflicts: { field: FieldKey; label: string; wantedBy: string; wantedById: string; ownedBy: string }[];
}

/** The ownership matrix (fields × integrations) as the admin shows and exports it. */
export async function ownershipView(db: ShopDb): Promise<OwnershipView> {
  const [ownership, rows] = await Promise.all([loadOwnership(db), db.integration.findMany({ where: { status: { not: "disconnected" } }, orderBy: { createdAt: "asc" } })]);
  const integrations = rows.map((r) => ({
    id: r.id,
    label: kindLabel(r.kind),
    role: (r.primaryOfShop ? "primary" : "secondary") as IntegrationRole,
    status: r.status,
    provides: integrationKind(r.kind)?.provides ?? [],
  }));
  const label = (id: string | null) => integrations.find((i) => i.id === id)?.label ?? "a disconnected integration";
  const conflicts = integrations.flatMap((i) =>
    planConnect(ownership, i.id, i.role, i.provides).conflicts.map((c) => ({ field: c.field, label: fieldDef(c.field).label, wantedBy: i.label, wantedById: i.id, ownedBy: label(c.ownerId) })),
  );
  return {
    integrations: integrations.map(({ provides: _provides, ...i }) => i),
    rows: ownershipMatrix(ownership).map((r) => ({ ...r, ownerLabel: r.state === "owned" ? label(r.ownerId) : r.state === "off" ? "Nobody (edited by hand)" : "Unassigned (edited by hand)" })),
    conflicts,
  };
}

/** The matrix as rows for a CSV or spreadsheet: one line per field. */
export function ownershipTable(view: OwnershipView): string[][] {
  const header = ["Field", "Level", "Owner", "Default owner", "Meaning"];
  const lines = view.rows.map((r) => [
    r.label,
    r.level,
    r.ownerLabel,
    r.defaultOwner ? `the ${r.defaultOwner} integration` : "none (edited by hand until assigned)",
    fieldDef(r.field).help,
  ]);
  return [header, ...lines];
}

/** CSV (RFC 4180) of a table. */
export function toCsv(table: string[][]): string {
  return table.map((row) => row.map((cell) => (/[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(",")).join("\r\n") + "\r\n";
}
