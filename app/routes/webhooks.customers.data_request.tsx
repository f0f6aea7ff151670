import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { recordComplianceRequest } from "../shops.server";

const TOPIC = "customers/data_request";

/** We store no customer data; the request is recorded (by its ids, once per webhook: a redelivery adds nothing) and answered. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, webhookId, payload } = await authenticate.webhook(request);
  await recordComplianceRequest(shop, { topic: TOPIC, webhookId, payload });
  return new Response();
};
