// Configuration from environment variables (all listed in the README with their defaults).
import { databaseTarget, type DatabaseTarget } from "./db/target";

export interface AppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
  database: DatabaseTarget;
  port: number;
  /** Public base URL of passports (a brand's own domain in front of the app); defaults to appUrl. */
  passportBaseUrl: string;
  /** Development only: where the Admin API lives instead of https://{shop} (the Shopify simulator). */
  adminApiOrigin: string | null;
  production: boolean;
}

export const DEFAULT_SCOPES = "read_products,write_products";

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === "production";
  const appUrl = trimSlash(env.SHOPIFY_APP_URL || `http://localhost:${env.PORT || 3000}`);
  const adminApiOrigin = env.SHOPIFY_ADMIN_API_ORIGIN ? trimSlash(env.SHOPIFY_ADMIN_API_ORIGIN) : null;
  if (production && adminApiOrigin) {
    throw new Error(
      "SHOPIFY_ADMIN_API_ORIGIN is a development setting (it points the app at the Shopify simulator) and is refused when NODE_ENV=production. Unset it.",
    );
  }
  if (production && (!env.SHOPIFY_API_KEY || !env.SHOPIFY_API_SECRET)) {
    throw new Error("SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set in production (see README, Configuration).");
  }
  return {
    apiKey: env.SHOPIFY_API_KEY || "passport-dev-api-key",
    apiSecret: env.SHOPIFY_API_SECRET || "passport-dev-api-secret",
    appUrl,
    scopes: (env.SCOPES || DEFAULT_SCOPES).split(",").map((s) => s.trim()).filter(Boolean),
    database: databaseTarget(env.DATABASE_URL),
    port: Number(env.PORT || 3000),
    passportBaseUrl: trimSlash(env.PASSPORT_BASE_URL || appUrl),
    adminApiOrigin,
    production,
  };
}

let cached: AppConfig | undefined;
/** The process's configuration, read once. */
export function config(): AppConfig {
  cached ??= readConfig();
  return cached;
}
