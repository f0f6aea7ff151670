// The Shopify app object (as in Shopify's Remix template): embedded, App Store distribution,
// token-exchange auth, expiring offline tokens refreshed automatically, sessions encrypted at rest.
// Requests authenticate with the shop's offline token, as background work does; a staff member's
// online token is asked for only where their name is recorded (staff.server.ts).
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { RequestedTokenType, shopifyApi, type Session, type Shopify } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { config } from "./config.server";
import { db } from "./db.server";
import { secretBox } from "./crypto/secret-box.server";
import { EncryptedSessionStorage } from "./sessions.server";
import { redirectAdminApi } from "./integrations/shopify/admin-origin.server";
import { onShopAuthenticated } from "./shops.server";

/** The newest stable Admin API version of the installed library. */
export const SHOPIFY_API_VERSION = ApiVersion.October26;

const cfg = config();
if (cfg.adminApiOrigin) setAbstractFetchFunc(redirectAdminApi(cfg.adminApiOrigin));

// Logs go to standard error, so command-line tools keep standard output for their results. At
// Info and above the libraries log no token (shopify-app-remix logs the session token at Debug).
const logger = {
  level: cfg.production ? LogSeverity.Warning : LogSeverity.Info,
  log: (severity: LogSeverity, message: string) => {
    process.stderr.write(`[shopify ${LogSeverity[severity].toLowerCase()}] ${message}\n`);
  },
};

const shopify = shopifyApp({
  apiKey: cfg.apiKey,
  apiSecretKey: cfg.apiSecret,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: cfg.scopes,
  appUrl: cfg.appUrl,
  authPathPrefix: "/auth",
  sessionStorage: new EncryptedSessionStorage(db, secretBox()),
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  logger,
  hooks: {
    // A failure here must not fail the request: the library has stored the session already and
    // will not run this hook again for it. The admin context (ensureShopInstalled) completes the
    // install instead, on the admin page being opened and on later ones until it succeeds. Answers
    // the library means for App Bridge (a redirect, "retry with a new session token") still go out.
    afterAuth: async ({ session, admin }) => {
      try {
        await onShopAuthenticated(session.shop, admin);
      } catch (error) {
        if (error instanceof Response && error.status < 500) throw error;
        const reason = error instanceof Response ? `Shopify answered HTTP ${error.status}` : error instanceof Error ? error.message : String(error);
        process.stderr.write(`Passport: setting up ${session.shop} failed (${reason}); the next admin request tries again.\n`);
      }
    },
  },
});

export default shopify;
export const apiVersion = SHOPIFY_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;

/**
 * The API object of @shopify/shopify-api with the app's credentials, for what the app object does
 * not expose: the online token exchange of staff.server.ts. shopifyApp keeps its own; this one is
 * made on first use (it logs its version when made).
 */
let authApi: Pick<Shopify, "auth" | "session"> | undefined;
function shopifyAuthApi(): Pick<Shopify, "auth" | "session"> {
  const appUrl = new URL(cfg.appUrl);
  authApi ??= shopifyApi({
    apiKey: cfg.apiKey,
    apiSecretKey: cfg.apiSecret,
    apiVersion: SHOPIFY_API_VERSION,
    scopes: cfg.scopes,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    isEmbeddedApp: true,
    logger,
    // As shopifyApp makes its own: no log line per future flag of the API library.
    _logDisabledFutureFlags: false,
  });
  return authApi;
}

/**
 * A staff member's online session: the admin request's session token exchanged for an online
 * access token (token exchange, `requested_token_type` online-access-token). Shopify describes the
 * staff member with it (associated_user) and sets when it expires (at most 24 hours).
 */
export async function exchangeOnlineToken(shop: string, sessionToken: string): Promise<Session> {
  const { session } = await shopifyAuthApi().auth.tokenExchange({ shop, sessionToken, requestedTokenType: RequestedTokenType.OnlineAccessToken });
  return session;
}

/** Where a staff member's online session is stored: the id shopify-app-remix gives it with useOnlineTokens. */
export function onlineSessionId(shop: string, userId: string): string {
  return shopifyAuthApi().session.getJwtSessionId(shop, userId);
}
