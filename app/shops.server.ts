// The lifecycle of a shop: install (first authenticated request), uninstall, GDPR requests.
import { LRUCache } from "lru-cache";
import { db as rootDb, type Db } from "./db.server";
import { isUniqueViolation } from "./db/errors";
import { deleteShopData, forShop, type ShopDb } from "./db/scoped.server";
import { restoreAfterReinstall, stopForUninstall } from "./integrations/integrations.server";
import { onShopifyConnected } from "./integrations/shopify/connection.server";
import type { AdminGraphqlClient } from "./integrations/shopify/admin-client.server";
import { jobQueue } from "./jobs/index.server";
import type { JobQueue } from "./jobs/queue";
import { regenerateAllPassports } from "./passports/passports.server";

const SHOP_PROFILE_QUERY = `#graphql
  query ShopProfile {
    shop {
      name
    }
    shopLocales {
      locale
      primary
    }
  }
`;

/**
 * Shops whose install this process knows complete. Kept a few minutes only: an uninstall may have
 * reached another instance of the app.
 */
const installedShops = new LRUCache<string, true>({ max: 10_000, ttl: 5 * 60_000 });
/** Installs running in this process: concurrent requests of a shop share one. */
const installsRunning = new Map<string, Promise<void>>();

/**
 * After Shopify authenticated the shop (install, reinstall, or a new token): record the shop,
 * connect its Shopify integration (which queues the first sync on a new install), and bring back
 * the integrations an uninstall stopped. Safe to run again when a step failed (ensureShopInstalled).
 */
export function onShopAuthenticated(shop: string, admin: AdminGraphqlClient): Promise<void> {
  const running = installsRunning.get(shop);
  if (running) return running;
  const install = completeInstall(shop, admin).finally(() => installsRunning.delete(shop));
  installsRunning.set(shop, install);
  return install;
}

/**
 * Every admin request: completes the install when its first attempt failed. Shopify runs the
 * install hook once per token, so a transient failure there (Shopify answering 500, a database
 * hiccup) would otherwise leave the shop without its Shopify integration until the token expires.
 */
export async function ensureShopInstalled(shop: string, admin: AdminGraphqlClient): Promise<void> {
  if (installedShops.has(shop)) return;
  if (await isInstallComplete(shop)) {
    installedShops.set(shop, true);
    return;
  }
  await onShopAuthenticated(shop, admin);
}

/** Installed: the shop is recorded and not uninstalled, Shopify is connected, and nothing the uninstall stopped is left stopped. */
async function isInstallComplete(shop: string): Promise<boolean> {
  const [row, integrations] = await Promise.all([
    rootDb.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } }),
    forShop(shop).integration.findMany({
      where: { OR: [{ kind: "shopify" }, { statusBeforeUninstall: { not: null } }] },
      select: { kind: true, status: true, statusBeforeUninstall: true },
    }),
  ]);
  if (!row || row.uninstalledAt) return false;
  return integrations.some((i) => i.kind === "shopify" && i.status !== "disconnected") && integrations.every((i) => i.statusBeforeUninstall === null);
}

async function completeInstall(shop: string, admin: AdminGraphqlClient): Promise<void> {
  installedShops.delete(shop);
  const profile = await shopProfile(admin);
  // The row exists before the first sync (passports show the shop's name); its name, locale and
  // install mark change last, so a failed attempt leaves them for the retry to see.
  const before = await rootDb.shop.upsert({ where: { shop }, create: { shop, ...profile }, update: {}, select: { name: true, primaryLocale: true } });
  const db = forShop(shop);
  await onShopifyConnected(db);
  await restoreAfterReinstall(db);
  await rootDb.shop.update({ where: { shop }, data: { ...profile, uninstalledAt: null } });
  installedShops.set(shop, true);
  if (profileChanged(before, profile)) regeneratePassportsInBackground(db);
}

/**
 * shop/update: the merchant changed the shop's settings in Shopify. Its name and primary language
 * are read again from Shopify (not from the webhook, which may arrive after a later one), and the
 * passports get a new version when either changed. Shops not installed are left alone: their next
 * install reads both anyway.
 */
export async function refreshShopProfile(shop: string, admin: AdminGraphqlClient): Promise<void> {
  const row = await rootDb.shop.findUnique({ where: { shop }, select: { name: true, primaryLocale: true, uninstalledAt: true } });
  if (!row || row.uninstalledAt) return;
  const profile = await shopProfile(admin);
  if (!profileChanged(row, profile)) return;
  await rootDb.shop.update({ where: { shop }, data: profile });
  regeneratePassportsInBackground(forShop(shop));
}

type ShopProfile = { name: string; primaryLocale: string };

/** Whether what passports show of the shop (its name, its primary language) differs. */
function profileChanged(before: ShopProfile, after: ShopProfile): boolean {
  return before.name !== after.name || before.primaryLocale !== after.primaryLocale;
}

async function shopProfile(admin: AdminGraphqlClient): Promise<ShopProfile> {
  const response = await admin.graphql(SHOP_PROFILE_QUERY);
  const body = (await response.json()) as { data?: { shop: { name: string }; shopLocales: { locale: string; primary: boolean }[] } };
  // No data (throttled, an error): storing a blank name would rename every passport; the install is retried instead.
  if (!body.data) throw new Error("Shopify did not return the shop's name and languages.");
  return { name: body.data.shop.name, primaryLocale: body.data.shopLocales.find((l) => l.primary)?.locale ?? "en" };
}

/** Passport regenerations running in this process, one after the other per shop. */
const regenerations = new Map<string, Promise<void>>();

/**
 * Passports show the shop's name and speak its primary language: they get a new version after
 * either changed. The app has no job for this, so it runs after the request, which it does not hold up.
 */
function regeneratePassportsInBackground(db: ShopDb): void {
  const shop = db.shopDomain;
  const regeneration = (regenerations.get(shop) ?? Promise.resolve())
    .then(() => regenerateAllPassports(db))
    .then(
      () => undefined,
      (error: unknown) => console.error(`Passport: the passports of ${shop} could not be updated to the shop's new name or language:`, error instanceof Error ? error.message : error),
    )
    .finally(() => {
      if (regenerations.get(shop) === regeneration) regenerations.delete(shop);
    });
  regenerations.set(shop, regeneration);
}

/** The passport regeneration running for a shop in this process, if any (tests wait for it). */
export function passportRegeneration(shop: string): Promise<void> | undefined {
  return regenerations.get(shop);
}

/**
 * app/uninstalled: the shop's sessions go, its integrations stop syncing (shown as disconnected),
 * and its catalog and passports stay online (printed QR codes must keep working). The uninstall is
 * not the merchant removing integrations: they keep their roles and fields, and a reinstall brings
 * them back as they were. Safe to receive twice.
 */
export async function onAppUninstalled(shop: string, client: Db = rootDb): Promise<void> {
  const db = forShop(shop, client);
  installedShops.delete(shop);
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({});
    for (const integration of await tx.integration.findMany({ where: { status: { not: "disconnected" } }, select: { id: true } })) {
      await stopForUninstall(tx, integration.id, "The app was uninstalled from Shopify. Reinstall it to sync again.");
    }
    await tx.job.deleteMany({ where: { status: "queued" } });
    await tx.shop.updateMany({ where: { uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  });
}

/** A compliance webhook as received: its topic, its X-Shopify-Webhook-Id and its payload. */
export interface ComplianceWebhook {
  topic: string;
  /** The same on every delivery of one webhook (Shopify retries, and delivers at least once). */
  webhookId: string;
  payload: unknown;
}

/**
 * customers/data_request and customers/redact: we hold no customer data, but keep a record that a
 * request came and what it was about. Only Shopify's ids are kept: the payload also carries the
 * customer's email and phone, which keeping would be holding the very data we are asked to erase.
 * Each webhook is stored once: a redelivery (same webhook id, same shop) adds nothing and returns
 * `stored: false`, to be answered like the first delivery.
 */
export async function recordComplianceRequest(shop: string, webhook: ComplianceWebhook, client: Db = rootDb): Promise<{ stored: boolean }> {
  const { topic, webhookId, payload } = webhook;
  try {
    await forShop(shop, client).complianceRequest.create({ data: { shop, topic, webhookId, payload: JSON.stringify(complianceRecord(payload)) } });
    return { stored: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { stored: false };
    throw error;
  }
}

/** What is kept of a compliance webhook's payload: the ids of the customer, the request and the orders. */
export function complianceRecord(payload: unknown): { customerId?: number | string; dataRequestId?: number | string; orderIds?: (number | string)[] } {
  const body = isObject(payload) ? payload : {};
  const id = (value: unknown) => (typeof value === "number" || typeof value === "string" ? value : undefined);
  const ids = (value: unknown) => (Array.isArray(value) ? value.map(id).filter((v) => v !== undefined) : undefined);
  return {
    customerId: isObject(body.customer) ? id(body.customer.id) : undefined,
    dataRequestId: isObject(body.data_request) ? id(body.data_request.id) : undefined,
    orderIds: ids(body.orders_to_redact) ?? ids(body.orders_requested),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** shop/redact (48 hours after uninstall): every row of the shop, in every table, and its queued jobs are deleted. */
export async function redactShop(shop: string, client: Db = rootDb, queue: JobQueue = jobQueue()): Promise<Record<string, number>> {
  installedShops.delete(shop);
  const deleted = await deleteShopData(shop, client);
  await queue.forgetShop(shop);
  return deleted;
}

/** app/scopes_update: the offline session records the scopes the merchant granted now. */
export async function updateGrantedScopes(shop: string, scopes: string[], client: Db = rootDb): Promise<void> {
  await forShop(shop, client).session.updateMany({ where: { isOnline: false }, data: { scope: scopes.join(",") } });
}
