// The Admin GraphQL client the app talks to Shopify through. In a request it is
// shopify-app-remix's `admin` (from authenticate.admin); in background jobs (syncs, writes back)
// it comes from adminClientForShop, which loads the shop's offline session and refreshes an
// expiring offline token first (unauthenticated.admin). Every call of ours goes through
// graphql-client.server.ts on top of it (pacing, retries, errors).
import { MerchantError } from "../../errors";
import { classifyThrown, merchantErrorFor, reconnectError } from "./errors";

/** The shape of shopify-app-remix's `admin.graphql`. */
export interface AdminGraphqlClient {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

type UnauthenticatedAdmin = (shop: string) => Promise<{ admin: AdminGraphqlClient }>;

async function appUnauthenticatedAdmin(shop: string): Promise<{ admin: AdminGraphqlClient }> {
  // Loaded on first use: the app object reads configuration and the session store.
  const { unauthenticated } = await import("../../shopify.server");
  return unauthenticated.admin(shop);
}

/**
 * An Admin client for a background job of the shop. Fails with a permanent MerchantError telling
 * the merchant to reconnect when there is no offline session (never installed, uninstalled) or
 * Shopify refused to refresh its token; its calls fail the same way on HTTP 401/403.
 */
export async function adminClientForShop(shop: string, unauthenticatedAdmin: UnauthenticatedAdmin = appUnauthenticatedAdmin): Promise<AdminGraphqlClient> {
  let admin: AdminGraphqlClient;
  try {
    ({ admin } = await unauthenticatedAdmin(shop));
  } catch (error) {
    throw toMerchantError(error);
  }
  return withAuthErrors(admin);
}

/** Wraps a client so that authentication failures of its calls become the reconnect error. */
export function withAuthErrors(admin: AdminGraphqlClient): AdminGraphqlClient {
  return {
    async graphql(query, options) {
      try {
        return await admin.graphql(query, options);
      } catch (error) {
        if (error instanceof MerchantError) throw error;
        if (classifyThrown(error).kind === "auth") throw reconnectError();
        throw error;
      }
    },
  };
}

function toMerchantError(error: unknown): Error {
  if (error instanceof MerchantError) return error;
  const failure = classifyThrown(error);
  // Anything unrecognised (a database error loading the session …) stays an unexpected error.
  if (failure.kind === "other") return error instanceof Error ? error : new Error(String(error));
  return merchantErrorFor(failure);
}
