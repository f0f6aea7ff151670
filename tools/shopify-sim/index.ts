// Programmatic API of the Shopify simulator (see README.md).
import { ShopifySim } from "./server.ts";
import type { ShopifySimOptions } from "./sim.ts";

export { ShopifySim } from "./server.ts";
export type {
  FailureInjection,
  FailureTarget,
  HttpReply,
  ShopifySimOptions,
  SimStats,
  ThrottleSettings,
} from "./sim.ts";
export { SAMPLE_STORE_CSV, staffUser, type IssuedSessionToken, type StaffUser, type StaffUserFields } from "./sim.ts";
export { signSessionToken, sessionTokenClaims, SESSION_TOKEN_LIFETIME_SECONDS, type SignSessionTokenOptions } from "./session-token.ts";
export { adminHostParam, parseAdminShellPath, DEFAULT_APP_PATH } from "./admin-shell.ts";
export { relaxFrameAncestors } from "./app-frame.ts";
export type { ProductInput, ProductPatch, VariantInput, VariantPatch, VariantSelector, ShopState } from "./store.ts";
export { SimInputError } from "./store.ts";
export type { WebhookDelivery, WebhookSettings, ReleaseOrder } from "./webhooks.ts";
export { restProduct } from "./webhooks.ts";
export type { BulkOperationRecord } from "./context.ts";
export { generateCatalog, type GenerateCatalogOptions } from "./catalog.ts";
export {
  parseShopifyProductCsv,
  readShopifyProductCsv,
  toShopifyProductCsv,
  writeShopifyProductCsv,
  ShopifyCsvError,
} from "./csv.ts";
export {
  API_VERSION,
  DEFAULT_APP_ID,
  PLACEHOLDER_ORIGIN,
  isValidGtin,
  gtinCheckDigit,
  type SeedProduct,
  type SeedVariant,
  type ProductRecord,
  type VariantRecord,
} from "./model.ts";

/**
 * Starts a simulator (in-process). Use port 0 in tests; `sim.url` is its origin.
 *
 *   const sim = await startShopifySim({ apiKey, apiSecret, appUrl });
 *   // point the app at sim.url with SHOPIFY_ADMIN_API_ORIGIN …
 *   await sim.close();
 */
export async function startShopifySim(options: ShopifySimOptions = {}): Promise<ShopifySim> {
  const sim = new ShopifySim(options);
  return sim.start();
}
