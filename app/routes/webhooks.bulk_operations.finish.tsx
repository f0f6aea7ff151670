import type { ActionFunctionArgs } from "@remix-run/node";
import { handleBulkOperationFinished } from "../integrations/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) => handleBulkOperationFinished(request);
