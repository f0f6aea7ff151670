// The Shopify integration's connection lifecycle: created on install (primary when the shop has
// none), reconnected on reinstall (its links are kept, so no product is duplicated), and a full
// sync queued at once.
import type { ShopDb } from "../../db/scoped.server";
import { jobQueue } from "../../jobs/index.server";
import { requestSync } from "../../jobs/sync-jobs.server";
import { connectIntegration } from "../integrations.server";

/** Called when Shopify authenticated the shop with a new token (install, reinstall, re-auth). */
export async function onShopifyConnected(db: ShopDb): Promise<void> {
  const existing = await db.integration.findUnique({ where: { shop_kind: { shop: db.shopDomain, kind: "shopify" } } });
  // Already connected and working (or paused on purpose): a new token changes nothing.
  if (existing && (existing.status === "active" || existing.status === "paused")) return;
  // New, reinstalled, or in error (a new token is what "reconnect" asked for). Only an install's
  // sync is the first one; a reconnected integration's is one more automatic sync.
  const trigger = existing?.status === "error" ? "scheduled" : "install";
  const { integration } = await connectIntegration(db, "shopify");
  await requestSync(jobQueue(), db, integration.id, trigger, "full");
}
