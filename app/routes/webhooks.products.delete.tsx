import type { ActionFunctionArgs } from "@remix-run/node";
import { handleProductWebhook } from "../integrations/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) => handleProductWebhook(request, "products/delete");
