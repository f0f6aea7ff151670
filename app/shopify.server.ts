// The Shopify app object (as in Shopify's Remix template): embedded, App Store distribution,
// token-exchange auth, expiring offline tokens refreshed automatically, sessions encrypted at rest.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
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
  // Logs go to standard error, so command-line tools keep standard output for their results.
  logger: {
    level: cfg.production ? LogSeverity.Warning : LogSeverity.Info,
    log: (severity, message) => {
      process.stderr.write(`[shopify ${LogSeverity[severity].toLowerCase()}] ${message}\n`);
    },
  },
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
