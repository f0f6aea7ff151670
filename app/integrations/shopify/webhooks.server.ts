// Product webhooks: verify (authenticate.webhook checks the HMAC), store the event (a duplicate
// delivery is ignored), ask for a partial sync, answer at once. The job does the work.
import { forShop } from "../../db/scoped.server";
import { jobQueue } from "../../jobs/index.server";
import { requestSync } from "../../jobs/sync-jobs.server";
import { authenticate } from "../../shopify.server";
import { bulkOperationIdOf, notifyBulkOperationFinished } from "./bulk.server";
import { storeWebhookEvent } from "./webhook-events.server";

export async function handleProductWebhook(request: Request, topic: string): Promise<Response> {
  const { shop, payload } = await authenticate.webhook(request);
  const db = forShop(shop);
  const { stored } = await storeWebhookEvent(db, {
    webhookId: request.headers.get("X-Shopify-Webhook-Id") ?? "",
    topic,
    payload,
    triggeredAt: request.headers.get("X-Shopify-Triggered-At") ?? undefined,
  });
  const integration = await db.integration.findUnique({ where: { shop_kind: { shop, kind: "shopify" } } });
  // Paused: the event is kept and applied on resume (requestSync keeps the request).
  if (stored && integration) await requestSync(jobQueue(), db, integration.id, "webhook", "partial");
  return new Response();
}

export async function handleBulkOperationFinished(request: Request): Promise<Response> {
  const { shop, payload } = await authenticate.webhook(request);
  const id = bulkOperationIdOf(payload);
  if (id) notifyBulkOperationFinished(shop, id);
  return new Response();
}
