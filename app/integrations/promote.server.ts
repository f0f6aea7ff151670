// Promotion (GUIDE §2): a secondary becomes the primary. Variants are then regrouped by the new
// primary's structure on its next full run; every variant keeps its identity, so its passport URL
// and printed QR code keep working. The preview runs that full merge without writing anything.
import type { FieldKey } from "../catalog/fields";
import type { ShopDb } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { jobQueue } from "../jobs/index.server";
import { requestSync } from "../jobs/sync-jobs.server";
import { forgetSyncedHashes, loadOwnership, ownedBy } from "../ownership/ownership.server";
import { executeSync } from "../sync/engine.server";
import type { ChangeSet, MatchBy } from "../sync/merge";
import { findIntegration, type IntegrationRow } from "./integrations.server";
import { integrationKind } from "./kinds";
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

/**
 * Promotes an integration to primary, or (dryRun) shows what its structure would change: the
 * full merge of its records as the primary, nothing written.
 */
export async function promoteIntegration(db: ShopDb, kindOrId: string, options: { dryRun: boolean }): Promise<PromotionSummary> {
  const integration = await findIntegration(db, kindOrId);
  checkPromotable(integration);
  const catalogVariants = await db.variant.count({ where: { archivedAt: null } });
  const schedulable = integrationKind(integration.kind)?.syncsOnSchedule ?? false;
  const former = await db.integration.findFirst({ where: { primaryOfShop: { not: null } } });
  let summary: PromotionSummary = {
    integration: integration.kind,
    dryRun: options.dryRun,
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
  if (options.dryRun && schedulable) {
    const variantMoves: ChangeSet["variantMoves"] = [];
    const { report, coveredVariants } = await executeSync({
      shop: db.shopDomain,
      integrationId: integration.id,
      trigger: "manual",
      dryRun: true,
      roleOverride: "primary",
      source: () => sourceFor(db, integration, { scope: "full" }),
      onChanges: (part) => variantMoves.push(...part.variantMoves),
    });
    const changes = { ...report, variantMoves };
    const involved = [...new Set(variantMoves.flatMap((m) => [m.fromProductId, m.productId]))];
    const counts = await db.variant.groupBy({ by: ["productId"], where: { productId: { in: involved } }, _count: { _all: true } });
    const sizes = new Map(counts.map((c) => [c.productId, c._count._all]));
    summary = { ...summary, ...summarizeRegrouping(changes, catalogVariants, coveredVariants, sizes), previewed: true };
  }
  if (options.dryRun) return summary;

  await db.$transaction(async (tx) => {
    const others = await tx.integration.findMany({ where: { primaryOfShop: { not: null } }, select: { id: true } });
    await tx.integration.updateMany({ where: { primaryOfShop: { not: null } }, data: { primaryOfShop: null } });
    await tx.integration.update({ where: { id: integration.id }, data: { primaryOfShop: tx.shopDomain } });
    // Both integrations look at every record again under their new roles.
    await forgetSyncedHashes(tx, [integration.id, ...others.map((o) => o.id)]);
  });
  // The new structure applies with the new primary's next full run (Excel: its next upload).
  const syncStarted = schedulable && (await requestSync(jobQueue(), db, integration.id, "manual", "full"));
  return { ...summary, syncStarted };
}

const kindLabel = (kind: string) => integrationKind(kind)?.label ?? kind;

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
