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
export async function adminClientForShop(
  shop: string,
  unauthenticatedAdmin: UnauthenticatedAdmin = appUnauthenticatedAdmin,
  expireSession: (shop: string) => Promise<boolean> = appExpireOfflineSession,
  forgetSession: (shop: string) => Promise<void> = appForgetOfflineSession,
): Promise<AdminGraphqlClient> {
  const connect = async () => {
    try {
      return (await unauthenticatedAdmin(shop)).admin;
    } catch (error) {
      throw toMerchantError(error);
    }
  };
  // Shopify refused the token before its known expiry (expired early, revoked): refresh it once
  // with the refresh token. When Shopify refuses the refresh (or there is no refresh token) the
  // session is useless: it is dropped, so that the merchant opening the app from Shopify admin
  // gets a new token (the reconnect we ask for). shopify-app-remix reports a refused refresh token
  // (OAuth's invalid_grant) as a bare Response(500), the same as Shopify being unreachable during
  // the refresh: the two cannot be told apart here, and a token Shopify refuses never works
  // again, so that answer counts as refused. Any other failure (a database error storing the new
  // session) keeps the session: the error goes up and the job is retried with it.
  const renew = async () => {
    if (!(await expireSession(shop))) {
      await forgetSession(shop);
      return null;
    }
    try {
      return (await unauthenticatedAdmin(shop)).admin;
    } catch (error) {
      if (!(error instanceof Response) && classifyThrown(error).kind !== "auth") throw toMerchantError(error);
    }
    await forgetSession(shop);
    return null;
  };
  return withAuthErrors(await connect(), renew);
}

/** Marks the shop's offline session expired, so the next use refreshes it. False without a refresh token. */
async function appExpireOfflineSession(shop: string): Promise<boolean> {
  const { sessionStorage } = await import("../../shopify.server");
  const session = await sessionStorage?.loadSession(`offline_${shop}`);
  if (!session?.refreshToken) return false;
  // Long past, but not 0: a session with expiry 0 reads back as one that never expires.
  session.expires = new Date(Date.UTC(2000, 0, 1));
  await sessionStorage!.storeSession(session);
  return true;
}

async function appForgetOfflineSession(shop: string): Promise<void> {
  const { sessionStorage } = await import("../../shopify.server");
  await sessionStorage?.deleteSession(`offline_${shop}`);
}

/**
 * Wraps a client so that authentication failures of its calls become the reconnect error, after
 * one attempt with a renewed client when `renew` can give one.
 */
export function withAuthErrors(admin: AdminGraphqlClient, renew?: () => Promise<AdminGraphqlClient | null>): AdminGraphqlClient {
  let current = admin;
  let renewed = false;
  return {
    async graphql(query, options) {
      for (;;) {
        try {
          return await current.graphql(query, options);
        } catch (error) {
          if (error instanceof MerchantError) throw error;
          if (classifyThrown(error).kind !== "auth") throw error;
          const next = !renewed && renew ? await renew() : null;
          renewed = true;
          if (!next) throw reconnectError();
          current = next;
        }
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
