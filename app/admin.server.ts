// What every embedded admin route starts with: Shopify authenticates the request (session token),
// and the route gets the shop-scoped database.
import { authenticate } from "./shopify.server";
import { forShop, type ShopDb } from "./db/scoped.server";
import { ensureShopInstalled } from "./shops.server";
import type { Editor } from "./catalog/source-labels";
import { staffId } from "./staff";
import { rawSessionToken, requestEditor } from "./staff.server";

export interface AdminContext {
  shop: string;
  db: ShopDb;
  /** Who is acting, as a stable id ("staff 42", from the session token), for records that name nobody (ownership changes). */
  user: string;
  /**
   * Who is acting, with their name when Shopify gives it, for the history ("Manual edit by Jane
   * Doe"): asked for only where it is recorded, as it may cost a token exchange (staff.server.ts).
   */
  editor(): Promise<Editor>;
  admin: Awaited<ReturnType<typeof authenticate.admin>>["admin"];
}

export async function adminContext(request: Request): Promise<AdminContext> {
  const { session, admin, sessionToken } = await authenticate.admin(request);
  // Shopify's install hook runs once per token: an install that failed there is completed here.
  await ensureShopInstalled(session.shop, admin);
  const userId = sessionToken?.sub;
  let editor: Promise<Editor> | undefined;
  return {
    shop: session.shop,
    db: forShop(session.shop),
    user: staffId(userId),
    editor: () => (editor ??= requestEditor(session.shop, userId, rawSessionToken(request))),
    admin,
  };
}

/** App Bridge script for the admin page (APP_BRIDGE_URL: the simulator's stand-in in development). */
export function appBridgeUrl(): string | undefined {
  if (process.env.NODE_ENV === "production") return undefined;
  return process.env.APP_BRIDGE_URL || undefined;
}
