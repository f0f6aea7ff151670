import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { recordComplianceRequest } from "../shops.server";

/** We store no customer data; the request is recorded and answered. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, payload } = await authenticate.webhook(request);
  await recordComplianceRequest(shop, topic, payload);
  return new Response();
};
