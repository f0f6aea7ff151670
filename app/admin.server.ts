// What every embedded admin route starts with: Shopify authenticates the request (session token),
// and the route gets the shop-scoped database.
import { authenticate } from "./shopify.server";
import { forShop, type ShopDb } from "./db/scoped.server";
import { ensureShopInstalled } from "./shops.server";

export interface AdminContext {
  shop: string;
  db: ShopDb;
  /** Who is acting, for history ("Manual edit by …"). */
  user: string;
  admin: Awaited<ReturnType<typeof authenticate.admin>>["admin"];
}

export async function adminContext(request: Request): Promise<AdminContext> {
  const { session, admin, sessionToken } = await authenticate.admin(request);
  // Shopify's install hook runs once per token: an install that failed there is completed here.
  await ensureShopInstalled(session.shop, admin);
  const user = session.onlineAccessInfo?.associated_user.email ?? (sessionToken?.sub ? `staff ${sessionToken.sub}` : "a staff member");
  return { shop: session.shop, db: forShop(session.shop), user, admin };
}

/** App Bridge script for the admin page (APP_BRIDGE_URL: the simulator's stand-in in development). */
export function appBridgeUrl(): string | undefined {
  if (process.env.NODE_ENV === "production") return undefined;
  return process.env.APP_BRIDGE_URL || undefined;
}
