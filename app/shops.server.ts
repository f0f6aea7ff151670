// The lifecycle of a shop: install (first authenticated request), uninstall, GDPR requests.
import { db as rootDb, type Db } from "./db.server";
import { deleteShopData, forShop } from "./db/scoped.server";
import { disconnectIntegration } from "./integrations/integrations.server";
import { onShopifyConnected } from "./integrations/shopify/connection.server";
import type { AdminGraphqlClient } from "./integrations/shopify/admin-client.server";

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
 * After Shopify authenticated the shop (install, reinstall, or a new token): record the shop, and
 * connect its Shopify integration (which queues the first sync on a new install).
 */
export async function onShopAuthenticated(shop: string, admin: AdminGraphqlClient): Promise<void> {
  const response = await admin.graphql(SHOP_PROFILE_QUERY);
  const body = (await response.json()) as { data?: { shop: { name: string }; shopLocales: { locale: string; primary: boolean }[] } };
  const name = body.data?.shop.name ?? "";
  const primaryLocale = body.data?.shopLocales.find((l) => l.primary)?.locale ?? "en";
  await rootDb.shop.upsert({
    where: { shop },
    create: { shop, name, primaryLocale },
    update: { name, primaryLocale, uninstalledAt: null },
  });
  await onShopifyConnected(forShop(shop));
}

/**
 * app/uninstalled: the shop's sessions go, its integrations are disconnected, and its catalog and
 * passports stay online (printed QR codes must keep working). Safe to receive twice.
 */
export async function onAppUninstalled(shop: string, client: Db = rootDb): Promise<void> {
  const db = forShop(shop, client);
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({});
    for (const integration of await tx.integration.findMany({ where: { status: { not: "disconnected" } }, select: { id: true } })) {
      await disconnectIntegration(tx, integration.id, "The app was uninstalled from Shopify. Reinstall it to sync again.");
    }
    await tx.job.deleteMany({ where: { status: "queued" } });
    await tx.shop.updateMany({ where: { uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  });
}

/**
 * customers/data_request and customers/redact: we hold no customer data, but keep a record that a
 * request came and what it was about. Only Shopify's ids are kept: the payload also carries the
 * customer's email and phone, which keeping would be holding the very data we are asked to erase.
 */
export async function recordComplianceRequest(shop: string, topic: string, payload: unknown, client: Db = rootDb): Promise<void> {
  await forShop(shop, client).complianceRequest.create({ data: { shop, topic, payload: JSON.stringify(complianceRecord(payload)) } });
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

/** shop/redact (48 hours after uninstall): every row of the shop, in every table, is deleted. */
export async function redactShop(shop: string, client: Db = rootDb): Promise<Record<string, number>> {
  return deleteShopData(shop, client);
}

/** app/scopes_update: the offline session records the scopes the merchant granted now. */
export async function updateGrantedScopes(shop: string, scopes: string[], client: Db = rootDb): Promise<void> {
  await forShop(shop, client).session.updateMany({ where: { isOnline: false }, data: { scope: scopes.join(",") } });
}
