import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { refreshShopProfile } from "../shops.server";

// The shop's name and language appear on its passports. Without an offline session (the app was
// uninstalled) there is nothing to update. A failure answers 500, so Shopify sends it again.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, admin } = await authenticate.webhook(request);
  if (admin) await refreshShopProfile(shop, admin);
  return new Response();
};
