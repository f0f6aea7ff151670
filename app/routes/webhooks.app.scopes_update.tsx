import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { updateGrantedScopes } from "../shops.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticate.webhook(request);
  const current = (payload as { current?: unknown }).current;
  await updateGrantedScopes(shop, Array.isArray(current) ? current.map(String) : []);
  return new Response();
};
