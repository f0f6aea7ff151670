import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { redactShop } from "../shops.server";

/** 48 hours after uninstall Shopify asks us to erase the shop: every row of it goes. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  await redactShop(shop);
  return new Response();
};
