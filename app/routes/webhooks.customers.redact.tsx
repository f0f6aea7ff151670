import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { recordComplianceRequest } from "../shops.server";

const TOPIC = "customers/redact";

/** We store no customer data, so there is nothing to erase; the request is recorded (by its ids), once per webhook. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, webhookId, payload } = await authenticate.webhook(request);
  await recordComplianceRequest(shop, { topic: TOPIC, webhookId, payload });
  return new Response();
};
