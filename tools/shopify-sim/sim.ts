// The simulator's state and behaviour, independent of HTTP: shops and their catalogs, access
// tokens, throttling, failure injection, bulk operations and webhooks. server.ts exposes it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jwtVerify } from "jose";
import type { GraphQLSchema } from "graphql";
import { BulkManager } from "./bulk.ts";
import type { BulkOperationRecord, ResolverContext, SimServices } from "./context.ts";
import { readShopifyProductCsv } from "./csv.ts";
import { runGraphql, type GraphqlInput, type Throttle, type ThrottleStatus } from "./graphql.ts";
import { productSvg, infoFromPath, type ImageInfo } from "./images.ts";
import {
  API_VERSION,
  DEFAULT_APP_ID,
  PLACEHOLDER_ORIGIN,
  gid,
  isoSeconds,
  type ProductRecord,
  type SeedProduct,
} from "./model.ts";
import { loadAdminSchema } from "./schema.ts";
import { SESSION_TOKEN_LIFETIME_SECONDS, signSessionToken } from "./session-token.ts";
import { compileProductSearch } from "./search.ts";
import {
  IdGenerator,
  SimInputError,
  createProduct as storeCreateProduct,
  deleteProduct as storeDeleteProduct,
  editProduct as storeEditProduct,
  findProduct,
  newStats,
  seedShop,
  shopNameFromDomain,
  validShopDomain,
  type ProductInput,
  type ProductPatch,
  type ShopState,
  type ShopStats,
  type StoreContext,
} from "./store.ts";
import { WebhookDispatcher, restProduct, restShop, restTime, type ReleaseOrder, type WebhookDelivery, type WebhookSettings } from "./webhooks.ts";

export const SAMPLE_STORE_CSV = new URL("./sample-store.csv", import.meta.url);

export interface ThrottleSettings {
  enabled: boolean;
  bucketSize: number;
  restoreRate: number;
  maxQueryCost: number;
}

export interface ShopifySimOptions {
  /** Port to listen on (0 = any free port). Default 0. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Origin the simulator advertises (bulk file and image URLs). Default http://<host>:<port>. */
  publicUrl?: string;
  /** Catalog every newly installed shop starts with: a Shopify product CSV path, or products. Default: the bundled sample store. */
  seed?: string | SeedProduct[];
  /** The app's URL: webhooks go to `{appUrl}/webhooks/<topic>`. Without it no webhook is sent (they are still logged). */
  appUrl?: string | null;
  /** Default: env SHOPIFY_API_KEY, else the app's development default. */
  apiKey?: string;
  /** Default: env SHOPIFY_API_SECRET, else the app's development default. */
  apiSecret?: string;
  /** Scopes granted at install. Default: env SCOPES, else "read_products,write_products". */
  scopes?: string;
  /** Numeric app id; `$app` namespaces become `app--<appId>`. */
  appId?: number;
  /** Lifetime of expiring offline and online access tokens (s). Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Lifetime of refresh tokens (s). Default 90 days. */
  refreshTokenLifetimeSeconds?: number;
  throttle?: Partial<ThrottleSettings>;
  bulk?: { delayMs?: number; maxConcurrent?: number; batchSize?: number };
  webhooks?: Partial<WebhookSettings>;
  /** Topics the app subscribes to (as in shopify.app.toml); default: every topic is sent. */
  webhookTopics?: string[] | null;
  /** Whether a metafield change alone touches the product (updatedAt and products/update). Default true, as on Shopify. */
  metafieldChangesTouchProduct?: boolean;
  /** Shops created (seeded, not installed) at start. */
  shops?: string[];
  /** Name of the app in the admin shell page (`/admin/apps/<handle>`). Default "Passport". */
  appName?: string;
  /**
   * Serve the app to the admin shell through a small reverse proxy on its own port, which relaxes the
   * app's `Content-Security-Policy: frame-ancestors` (Shopify's app library only allows Shopify admin
   * origins to frame the app). Default true; false frames `appUrl` directly.
   */
  appFrameProxy?: boolean;
  /** Port of that proxy (0 = any free port). Default 0. */
  appFramePort?: number;
  /** Log lines (requests, webhooks). Default: silent. */
  log?: (line: string) => void;
  /** Clock for timestamps and the leaky bucket (tests). Default Date.now. */
  now?: () => number;
}

export type FailureTarget = "graphql" | "oauth" | "admin" | "bulk";

export interface FailureInjection {
  /** How many requests fail. */
  count: number;
  /** HTTP status (429, 500, 502, 503, 504…) or 0 to reset the connection. Ignored for target "bulk". */
  status?: number;
  /** Which requests: "graphql", "oauth", "admin" (both), or "bulk" (next bulk operations fail). Default "graphql". */
  target?: FailureTarget;
  /** Retry-After header for 429/503 (seconds). */
  retryAfter?: number;
  /** Only for this shop. */
  shop?: string;
}

interface PendingFailure extends Required<Omit<FailureInjection, "shop" | "retryAfter">> {
  shop: string | null;
  retryAfter: number | null;
}

interface AccessTokenRecord {
  token: string;
  shop: string;
  kind: "offline" | "online";
  scope: string;
  expiresAt: number | null;
  revoked: boolean;
  userId: number | null;
  createdAt: number;
}

interface RefreshTokenRecord {
  token: string;
  shop: string;
  expiresAt: number;
  revoked: boolean;
}

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface SimStats {
  requests: number;
  graphqlRequests: number;
  throttled: number;
  maxCostExceeded: number;
  requestedCost: number;
  costUsed: number;
  bulkOperations: number;
  tokenExchanges: number;
  tokenRefreshes: number;
  unauthorized: number;
  failuresInjected: number;
  webhooksSent: number;
  shops: Record<string, ShopStats & { installed: boolean; products: number; variants: number }>;
}

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE = "urn:shopify:params:oauth:token-type:online-access-token";
const INVALID_TOKEN_BODY = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };

/** A staff member of a shop, as online access tokens and App Bridge's `shopify.user()` describe them. */
export interface StaffUser {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  account_owner: boolean;
  locale: string;
  collaborator: boolean;
  email_verified: boolean;
}

/** What a test may set of a staff member (setStaffMember); the id is theirs. */
export type StaffUserFields = Partial<Omit<StaffUser, "id">>;

/** A staff member as the simulator describes them unless told otherwise (setStaffMember): "Merchant User <id>", account owner. */
export function staffUser(shop: ShopState, id: number): StaffUser {
  return {
    id,
    first_name: "Merchant",
    last_name: `User ${id}`,
    email: `user${id}@${shop.domain.replace(/\.myshopify\.(com|io)$/, "")}.example`,
    account_owner: true,
    locale: "en",
    collaborator: false,
    email_verified: true,
  };
}

/** What `GET /_sim/session-token` answers. */
export interface IssuedSessionToken {
  token: string;
  /** Unix time (s) of `exp`. */
  expiresAt: number;
  /** Seconds until `exp`. */
  expiresIn: number;
  shop: string;
  apiKey: string;
  user: { id: number; name: string; email: string; accountAccess: string; locale: string };
  scopes: string[];
}

function oauthError(status: number, error: string, description: string): HttpReply {
  return { status, body: { error, error_description: description } };
}

const VARIANT_INPUT_KEYS = [
  "options",
  "sku",
  "barcode",
  "price",
  "compareAtPrice",
  "grams",
  "weight",
  "weightUnit",
  "inventoryQuantity",
  "taxable",
  "countryCodeOfOrigin",
  "harmonizedSystemCode",
];
const VARIANT_SELECTOR_KEYS = ["id", "position", "matchSku"];
const PRODUCT_INPUT_KEYS = ["title", "handle", "descriptionHtml", "vendor", "productType", "tags", "status", "category", "options", "variants", "images"];
const PRODUCT_PATCH_KEYS = [
  "title",
  "handle",
  "descriptionHtml",
  "vendor",
  "productType",
  "tags",
  "status",
  "category",
  "images",
  "variants",
  "addVariants",
  "removeVariants",
];

function checkKeys(value: unknown, allowed: string[], what: string): void {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new SimInputError(`The ${what} must be a JSON object.`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new SimInputError(`Unknown ${what} field "${key}" (allowed: ${allowed.join(", ")}).`);
  }
}

export class ShopifySimulator {
  readonly schema: GraphQLSchema;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly scopes: string;
  readonly appId: number;
  readonly throttleSettings: ThrottleSettings;
  readonly webhooks: WebhookDispatcher;
  readonly bulk: BulkManager;
  readonly shops = new Map<string, ShopState>();
  readonly imageInfo = new Map<string, ImageInfo>();
  metafieldChangesTouchProduct: boolean;
  readonly appName: string;
  tokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  appUrl: string | null;

  private seed: SeedProduct[] = [];
  private origin = PLACEHOLDER_ORIGIN;
  private readonly ids = new IdGenerator();
  private readonly clock: { now(): number };
  private readonly tokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private failures: PendingFailure[] = [];
  private readonly adminSessions = new Map<string, string>();
  /** Staff members set by setStaffMember, by "<shop> <id>". */
  private readonly staff = new Map<string, StaffUserFields>();
  private tmpDir: string | null = null;
  private readonly counters = { requests: 0, failuresInjected: 0 };
  readonly log: (line: string) => void;

  constructor(readonly options: ShopifySimOptions = {}) {
    this.schema = loadAdminSchema();
    this.apiKey = options.apiKey ?? process.env["SHOPIFY_API_KEY"] ?? "passport-dev-api-key";
    this.apiSecret = options.apiSecret ?? process.env["SHOPIFY_API_SECRET"] ?? "passport-dev-api-secret";
    this.scopes = options.scopes ?? process.env["SCOPES"] ?? "read_products,write_products";
    this.appId = options.appId ?? DEFAULT_APP_ID;
    this.appUrl = options.appUrl ? options.appUrl.replace(/\/+$/, "") : null;
    this.appName = options.appName ?? "Passport";
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.refreshTokenLifetimeSeconds = options.refreshTokenLifetimeSeconds ?? 90 * 24 * 3600;
    this.metafieldChangesTouchProduct = options.metafieldChangesTouchProduct ?? true;
    this.clock = { now: options.now ?? (() => Date.now()) };
    this.log = options.log ?? (() => {});
    this.throttleSettings = {
      enabled: options.throttle?.enabled ?? true,
      bucketSize: options.throttle?.bucketSize ?? 2000,
      restoreRate: options.throttle?.restoreRate ?? 100,
      maxQueryCost: options.throttle?.maxQueryCost ?? 1000,
    };
    this.webhooks = new WebhookDispatcher(
      () => this.appUrl,
      () => this.apiSecret,
      {
        retries: options.webhooks?.retries ?? 3,
        retryBaseMs: options.webhooks?.retryBaseMs ?? 200,
        timeoutMs: options.webhooks?.timeoutMs ?? 5000,
        delayMs: options.webhooks?.delayMs ?? 0,
      },
      (d) => {
        const shop = this.shops.get(d.shop);
        if (shop) shop.stats.webhooksSent++;
      },
      (line) => this.log(line),
    );
    this.webhooks.topics = options.webhookTopics ?? null;
    this.bulk = new BulkManager(
      {
        schema: this.schema,
        dir: () => this.workDir(),
        origin: () => this.origin,
        context: (shop) => this.context(shop, true),
        onFinish: (shop, op) => this.bulkFinished(shop, op),
        consumeFailure: (shop) => this.consumeFailure("bulk", shop) !== null,
        ids: () => this.ids.next("BulkOperation"),
        now: () => this.clock.now(),
      },
      {
        delayMs: options.bulk?.delayMs ?? 100,
        maxConcurrent: options.bulk?.maxConcurrent ?? 1,
        batchSize: options.bulk?.batchSize ?? 250,
      },
    );
  }

  /** Loads the seed catalog (CSV or products). Called once before serving. */
  async loadSeed(): Promise<void> {
    const seed = this.options.seed;
    if (Array.isArray(seed)) this.seed = seed;
    else this.seed = await readShopifyProductCsv(seed ?? fileURLToPath(SAMPLE_STORE_CSV));
    for (const p of this.seed) this.registerImages(p);
  }

  private registerImages(p: { title: string; productType: string; images: Array<{ src: string; alt: string | null }> }): void {
    for (const img of p.images) {
      if (img.src.startsWith(PLACEHOLDER_ORIGIN + "/")) {
        this.imageInfo.set(img.src.slice(PLACEHOLDER_ORIGIN.length).split("?")[0]!, {
          title: p.title,
          productType: p.productType,
          alt: img.alt,
        });
      }
    }
  }

  setOrigin(origin: string): void {
    this.origin = origin.replace(/\/+$/, "");
  }

  get url(): string {
    return this.origin;
  }

  get seedProducts(): readonly SeedProduct[] {
    return this.seed;
  }

  private workDir(): string {
    this.tmpDir ??= mkdtempSync(path.join(os.tmpdir(), "shopify-sim-"));
    return this.tmpDir;
  }

  private storeContext(): StoreContext {
    return { ids: this.ids, clock: this.clock, origin: this.origin };
  }

  private services(): SimServices {
    return {
      appId: this.appId,
      store: this.storeContext(),
      bulk: this.bulk,
      metafieldChangesTouchProduct: this.metafieldChangesTouchProduct,
    };
  }

  context(shop: ShopState, bulk = false): ResolverContext {
    return { shop, services: this.services(), bulk, searchWarnings: [], changed: new Set(), typesByPath: new Map() };
  }

  // -------------------------------------------------------------------------------------------
  // Shops

  /** Returns the shop, creating it with a copy of the seed catalog (not installed) if new. */
  ensureShop(domain: string): ShopState {
    const key = domain.toLowerCase();
    const existing = this.shops.get(key);
    if (existing) return existing;
    if (!validShopDomain(key)) throw new SimInputError(`"${domain}" is not a shop domain (expected <name>.myshopify.com).`);
    const now = this.clock.now();
    const shop: ShopState = {
      domain: key,
      id: this.ids.next("Shop"),
      name: shopNameFromDomain(key),
      email: `owner@${key.replace(/\.myshopify\.(com|io)$/, "")}.example`,
      currencyCode: "EUR",
      createdAt: isoSeconds(now - 30 * 86_400_000),
      installed: false,
      installedAt: null,
      uninstalledAt: null,
      products: new Map(),
      variants: new Map(),
      handles: new Map(),
      metafields: [],
      bucket: { available: this.throttleSettings.bucketSize, at: now },
      stats: newStats(),
    };
    seedShop(shop, this.storeContext(), this.seed);
    this.shops.set(key, shop);
    this.log(`shop ${key} created with ${shop.products.size} products`);
    return shop;
  }

  /** Marks the app installed on a shop (what the first token exchange does). */
  install(domain: string): ShopState {
    const shop = this.ensureShop(domain);
    if (!shop.installed) {
      shop.installed = true;
      shop.installedAt = isoSeconds(this.clock.now());
      shop.uninstalledAt = null;
      this.log(`app installed on ${shop.domain}`);
    }
    return shop;
  }

  /** Uninstalls the app: revokes every token of the shop and sends app/uninstalled. */
  uninstall(domain: string): ShopState {
    const shop = this.ensureShop(domain);
    const wasInstalled = shop.installed;
    this.revokeTokens(shop.domain);
    shop.installed = false;
    shop.uninstalledAt = isoSeconds(this.clock.now());
    if (wasInstalled) this.webhooks.enqueue(shop.domain, "app/uninstalled", restShop(shop));
    this.log(`app uninstalled from ${shop.domain}`);
    return shop;
  }

  // -------------------------------------------------------------------------------------------
  // Tokens

  private newToken(prefix: string): string {
    return `${prefix}_${randomBytes(16).toString("hex")}`;
  }

  private issue(shop: ShopState, kind: "offline" | "online", expiring: boolean, userId: number | null): Record<string, unknown> {
    const now = this.clock.now();
    if (kind === "offline" && !expiring) {
      // Shopify hands out the same non-expiring offline token for an installation.
      for (const t of this.tokens.values()) {
        if (t.shop === shop.domain && t.kind === "offline" && t.expiresAt === null && !t.revoked) {
          return { access_token: t.token, scope: t.scope };
        }
      }
    }
    const record: AccessTokenRecord = {
      token: this.newToken(kind === "online" ? "shpua" : "shpat"),
      shop: shop.domain,
      kind,
      scope: this.scopes,
      expiresAt: kind === "online" || expiring ? now + this.tokenLifetimeSeconds * 1000 : null,
      revoked: false,
      userId,
      createdAt: now,
    };
    this.tokens.set(record.token, record);
    if (kind === "online") {
      const id = userId ?? 1;
      return {
        access_token: record.token,
        scope: record.scope,
        expires_in: this.tokenLifetimeSeconds,
        associated_user_scope: record.scope,
        associated_user: this.staffMember(shop.domain, id),
      };
    }
    if (!expiring) return { access_token: record.token, scope: record.scope };
    const refresh: RefreshTokenRecord = {
      token: this.newToken("shprt"),
      shop: shop.domain,
      expiresAt: now + this.refreshTokenLifetimeSeconds * 1000,
      revoked: false,
    };
    this.refreshTokens.set(refresh.token, refresh);
    return {
      access_token: record.token,
      expires_in: this.tokenLifetimeSeconds,
      refresh_token: refresh.token,
      refresh_token_expires_in: this.refreshTokenLifetimeSeconds,
      scope: record.scope,
    };
  }

  /** Issues an access token directly (installs the shop), without a session token. */
  issueAccessToken(domain: string, opts: { expiring?: boolean; online?: boolean; userId?: number } = {}): Record<string, unknown> {
    const shop = this.install(domain);
    return this.issue(shop, opts.online ? "online" : "offline", opts.expiring ?? false, opts.userId ?? null);
  }

  /** POST /admin/oauth/access_token */
  async tokenRequest(body: Record<string, unknown>, headerShop: string | null): Promise<HttpReply> {
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : typeof body[k] === "number" ? String(body[k]) : "");
    if (str("client_id") !== this.apiKey || str("client_secret") !== this.apiSecret) {
      return oauthError(
        401,
        "invalid_client",
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
      );
    }
    const grant = str("grant_type");
    if (grant === TOKEN_EXCHANGE) return this.tokenExchange(body, str, headerShop);
    if (grant === "refresh_token") return this.refresh(str("refresh_token"), headerShop);
    return oauthError(400, "unsupported_grant_type", `The grant type "${grant}" is not supported by this endpoint.`);
  }

  private async tokenExchange(
    body: Record<string, unknown>,
    str: (k: string) => string,
    headerShop: string | null,
  ): Promise<HttpReply> {
    const requested = str("requested_token_type");
    if (requested !== OFFLINE && requested !== ONLINE) {
      return oauthError(400, "invalid_request", "requested_token_type must be an online or offline access token type.");
    }
    const subjectType = str("subject_token_type");
    const subject = str("subject_token");
    const expiring = str("expiring") === "1" || body["expiring"] === true;
    const invalidSubject = () =>
      oauthError(400, "invalid_subject_token", "Token exchange cannot be performed due to an invalid subject token.");

    if (subjectType === OFFLINE) {
      // Migration of a non-expiring offline token to an expiring one.
      const old = this.tokens.get(subject);
      if (!old || old.revoked || old.kind !== "offline" || old.expiresAt !== null) return invalidSubject();
      if (headerShop && headerShop !== old.shop) return invalidSubject();
      if (requested !== OFFLINE || !expiring) {
        return oauthError(400, "invalid_request", "An offline access token can only be exchanged for an expiring offline access token.");
      }
      old.revoked = true;
      const shop = this.install(old.shop);
      shop.stats.tokenExchanges++;
      return { status: 200, body: this.issue(shop, "offline", true, null) };
    }
    if (subjectType !== ID_TOKEN) {
      return oauthError(400, "invalid_subject_token_type", `The subject_token_type "${subjectType}" is not supported.`);
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(subject, new TextEncoder().encode(this.apiSecret), {
        algorithms: ["HS256"],
        clockTolerance: 10,
      }));
    } catch {
      return invalidSubject();
    }
    if (payload["aud"] !== this.apiKey) return invalidSubject();
    let shopDomain: string;
    try {
      shopDomain = new URL(String(payload["dest"])).host.toLowerCase();
    } catch {
      return invalidSubject();
    }
    if (!validShopDomain(shopDomain)) return invalidSubject();
    if (headerShop && headerShop !== shopDomain) return invalidSubject();
    const iss = payload["iss"];
    if (typeof iss === "string" && !iss.replace(/^https:\/\//, "").startsWith(`${shopDomain}/admin`)) return invalidSubject();
    const shop = this.install(shopDomain);
    shop.stats.tokenExchanges++;
    const sub = Number(payload["sub"]);
    const kind = requested === ONLINE ? "online" : "offline";
    this.log(`token exchange (${kind}${kind === "offline" && expiring ? ", expiring" : ""}) for ${shop.domain}`);
    return { status: 200, body: this.issue(shop, kind, expiring, Number.isFinite(sub) ? sub : null) };
  }

  private refresh(token: string, headerShop: string | null): HttpReply {
    const record = this.refreshTokens.get(token);
    const now = this.clock.now();
    if (!record || record.revoked || record.expiresAt <= now || (headerShop && headerShop !== record.shop)) {
      return oauthError(400, "invalid_grant", "The refresh token is invalid, expired or revoked.");
    }
    const shop = this.shops.get(record.shop);
    if (!shop || !shop.installed) return oauthError(400, "invalid_grant", "The app is not installed on this shop.");
    record.revoked = true;
    shop.stats.tokenRefreshes++;
    return { status: 200, body: this.issue(shop, "offline", true, null) };
  }

  /**
   * A fresh App Bridge session token for a shop the simulator knows (created by a token exchange,
   * the control API, `--shop`, or the admin shell page), as Shopify admin hands it to the embedded
   * app. `sid` stays the same for a shop and user, like one admin session.
   */
  async issueSessionToken(domain: string, opts: { userId?: number } = {}): Promise<IssuedSessionToken> {
    const key = domain.toLowerCase();
    if (!validShopDomain(key)) throw new SimInputError(`"${domain}" is not a shop domain (expected <name>.myshopify.com).`);
    const shop = this.shops.get(key);
    if (!shop) {
      throw new SimInputError(
        `Unknown shop ${key}: open the admin shell (/admin/apps/passport?shop=${key}), POST /_sim/shops, or start the simulator with --shop ${key}.`,
        404,
      );
    }
    const userId = opts.userId ?? 1;
    if (!Number.isInteger(userId) || userId < 1) throw new SimInputError("user must be a positive integer");
    const sidKey = `${shop.domain} ${userId}`;
    let sid = this.adminSessions.get(sidKey);
    if (!sid) {
      sid = randomBytes(16).toString("hex");
      this.adminSessions.set(sidKey, sid);
    }
    const now = Math.floor(Date.now() / 1000);
    const token = await signSessionToken(shop.domain, {
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      userId,
      sid,
      now,
      lifetimeSeconds: SESSION_TOKEN_LIFETIME_SECONDS,
    });
    const user = this.staffMember(shop.domain, userId);
    return {
      token,
      expiresAt: now + SESSION_TOKEN_LIFETIME_SECONDS,
      expiresIn: SESSION_TOKEN_LIFETIME_SECONDS,
      shop: shop.domain,
      apiKey: this.apiKey,
      user: {
        id: user.id,
        name: `${user.first_name} ${user.last_name}`,
        email: user.email,
        accountAccess: user.account_owner ? "Account owner" : "Staff",
        locale: user.locale,
      },
      scopes: this.scopes.split(",").map((s) => s.trim()).filter(Boolean),
    };
  }

  /**
   * A staff member of a shop, as online access tokens (associated_user), session tokens' `user`
   * and App Bridge's `shopify.user()` describe them: what setStaffMember set over staffUser's.
   */
  staffMember(domain: string, id: number): StaffUser {
    const shop = this.ensureShop(domain);
    return { ...staffUser(shop, id), ...this.staff.get(`${shop.domain} ${id}`), id };
  }

  /**
   * Sets how a staff member is described from now on (names, email, account owner …; an empty
   * name is allowed, as Shopify may give one). Tokens issued before keep what they said.
   */
  setStaffMember(domain: string, id: number, fields: StaffUserFields): StaffUser {
    if (!Number.isInteger(id) || id < 1) throw new SimInputError("user must be a positive integer");
    const allowed: Record<keyof StaffUserFields, "string" | "boolean"> = {
      first_name: "string",
      last_name: "string",
      email: "string",
      locale: "string",
      account_owner: "boolean",
      collaborator: "boolean",
      email_verified: "boolean",
    };
    for (const [key, value] of Object.entries(fields)) {
      if (!Object.hasOwn(allowed, key)) throw new SimInputError(`unknown staff member field "${key}"`);
      const type = allowed[key as keyof StaffUserFields];
      if (typeof value !== type) throw new SimInputError(`${key} must be a ${type}`);
    }
    const shop = this.ensureShop(domain);
    const key = `${shop.domain} ${id}`;
    this.staff.set(key, { ...this.staff.get(key), ...fields });
    return this.staffMember(shop.domain, id);
  }

  /** Revokes every access and refresh token of a shop. */
  revokeTokens(domain: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.shop === domain.toLowerCase() && !t.revoked) {
        t.revoked = true;
        n++;
      }
    }
    for (const r of this.refreshTokens.values()) if (r.shop === domain.toLowerCase()) r.revoked = true;
    return n;
  }

  /** Makes every access token of a shop expired now (refresh tokens stay valid). */
  expireTokens(domain: string): number {
    let n = 0;
    const now = this.clock.now();
    for (const t of this.tokens.values()) {
      if (t.shop === domain.toLowerCase() && !t.revoked && (t.expiresAt === null || t.expiresAt > now)) {
        t.expiresAt = now - 1000;
        n++;
      }
    }
    return n;
  }

  authenticate(token: string | null, headerShop: string | null): ShopState | null {
    if (!token) return null;
    const record = this.tokens.get(token);
    if (!record || record.revoked) return null;
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now()) return null;
    if (headerShop && headerShop !== record.shop) return null;
    const shop = this.shops.get(record.shop);
    return shop && shop.installed ? shop : null;
  }

  // -------------------------------------------------------------------------------------------
  // Throttling and failures

  private throttleFor(shop: ShopState): Throttle {
    const s = this.throttleSettings;
    const restore = () => {
      const now = this.clock.now();
      const elapsed = Math.max(0, now - shop.bucket.at) / 1000;
      shop.bucket.available = Math.min(s.bucketSize, shop.bucket.available + elapsed * s.restoreRate);
      shop.bucket.at = now;
    };
    return {
      maxQueryCost: s.maxQueryCost,
      take: (cost) => {
        restore();
        if (!s.enabled) return true;
        if (cost > shop.bucket.available) return false;
        shop.bucket.available -= cost;
        return true;
      },
      refund: (points) => {
        if (!s.enabled) return;
        shop.bucket.available = Math.min(s.bucketSize, shop.bucket.available + points);
      },
      status: (): ThrottleStatus => {
        restore();
        return {
          maximumAvailable: s.bucketSize,
          currentlyAvailable: s.enabled ? Math.floor(shop.bucket.available) : s.bucketSize,
          restoreRate: s.restoreRate,
        };
      },
    };
  }

  /** Changes throttling; `available` sets the current bucket level (of one shop or all). */
  setThrottle(settings: Partial<ThrottleSettings> & { available?: number; shop?: string }): ThrottleSettings {
    const s = this.throttleSettings;
    if (settings.enabled !== undefined) s.enabled = settings.enabled;
    if (settings.bucketSize !== undefined) {
      if (!(settings.bucketSize > 0)) throw new SimInputError("bucketSize must be > 0");
      s.bucketSize = settings.bucketSize;
    }
    if (settings.restoreRate !== undefined) {
      if (!(settings.restoreRate >= 0)) throw new SimInputError("restoreRate must be >= 0");
      s.restoreRate = settings.restoreRate;
    }
    if (settings.maxQueryCost !== undefined) s.maxQueryCost = settings.maxQueryCost;
    const targets = settings.shop ? [this.ensureShop(settings.shop)] : [...this.shops.values()];
    for (const shop of targets) {
      const level = settings.available ?? Math.min(shop.bucket.available, s.bucketSize);
      shop.bucket.available = Math.max(0, Math.min(s.bucketSize, level));
      shop.bucket.at = this.clock.now();
    }
    return { ...s };
  }

  throttleStatus(domain: string): ThrottleStatus {
    return this.throttleFor(this.ensureShop(domain)).status();
  }

  injectFailures(f: FailureInjection): void {
    if (!Number.isInteger(f.count) || f.count < 1) throw new SimInputError("count must be a positive integer");
    const target = f.target ?? "graphql";
    if (!["graphql", "oauth", "admin", "bulk"].includes(target)) throw new SimInputError(`unknown target "${target}"`);
    const status = f.status ?? 503;
    if (target !== "bulk" && status !== 0 && (status < 400 || status > 599)) throw new SimInputError("status must be 0 or 4xx/5xx");
    this.failures.push({
      count: f.count,
      status,
      target,
      retryAfter: f.retryAfter ?? null,
      shop: f.shop?.toLowerCase() ?? null,
    });
  }

  clearFailures(): void {
    this.failures = [];
  }

  get pendingFailures(): ReadonlyArray<Readonly<PendingFailure>> {
    return this.failures;
  }

  /** Takes one pending failure matching the request, if any. */
  consumeFailure(kind: "graphql" | "oauth" | "bulk", shop: string | null): PendingFailure | null {
    const f = this.failures.find(
      (x) =>
        (x.target === kind || (x.target === "admin" && kind !== "bulk")) &&
        (x.shop === null || x.shop === shop),
    );
    if (!f) return null;
    f.count--;
    if (f.count <= 0) this.failures = this.failures.filter((x) => x !== f);
    this.counters.failuresInjected++;
    return f;
  }

  countRequest(): void {
    this.counters.requests++;
  }

  // -------------------------------------------------------------------------------------------
  // GraphQL

  /** POST /admin/api/2026-10/graphql.json (after the failure check). */
  graphql(token: string | null, headerShop: string | null, input: GraphqlInput): HttpReply {
    const shop = this.authenticate(token, headerShop);
    if (!shop) {
      const known = headerShop ? this.shops.get(headerShop) : undefined;
      if (known) known.stats.unauthorized++;
      return { status: 401, body: INVALID_TOKEN_BODY };
    }
    shop.stats.graphqlRequests++;
    const ctx = this.context(shop);
    const outcome = runGraphql(this.schema, input, ctx, this.throttleFor(shop));
    shop.stats.requestedCost += outcome.requestedCost;
    shop.stats.actualCost += outcome.actualCost;
    if (outcome.throttled) shop.stats.throttled++;
    if (outcome.maxCostExceeded) shop.stats.maxCostExceeded++;
    for (const product of ctx.changed) this.productEvent(shop, "products/update", product);
    return { status: outcome.status, body: outcome.body };
  }

  private bulkFinished(shop: ShopState, op: BulkOperationRecord): void {
    shop.stats.bulkOperations++;
    this.log(`bulk operation ${op.id} ${op.status.toLowerCase()} (${op.objectCount} objects)`);
    if (!shop.installed) return;
    this.webhooks.enqueue(shop.domain, "bulk_operations/finish", {
      admin_graphql_api_id: gid("BulkOperation", op.id),
      completed_at: restTime(op.completedAt),
      created_at: restTime(op.createdAt),
      error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
      status: op.status.toLowerCase(),
      type: op.type.toLowerCase(),
    });
  }

  /** The bulk file for a URL path name (`<id>-<token>.jsonl`), if it exists. */
  bulkFile(name: string): string | undefined {
    return this.bulk.files.get(name);
  }

  bulkOperations(domain: string): BulkOperationRecord[] {
    return this.bulk.list(this.ensureShop(domain));
  }

  // -------------------------------------------------------------------------------------------
  // Catalog (control API)

  private productEvent(shop: ShopState, topic: "products/create" | "products/update" | "products/delete", product: ProductRecord): void {
    if (!shop.installed) return;
    const payload = topic === "products/delete" ? { id: product.id } : restProduct(product);
    this.webhooks.enqueue(shop.domain, topic, payload);
  }

  /** REST-style JSON of a product (the webhook shape) plus its metafields. */
  productJson(product: ProductRecord): Record<string, unknown> {
    const json = restProduct(product);
    const metafieldJson = (m: ProductRecord["metafields"][number]) => ({
      id: m.id,
      namespace: m.namespace,
      key: m.key,
      type: m.type,
      value: m.value,
      updated_at: m.updatedAt,
      admin_graphql_api_id: gid("Metafield", m.id),
    });
    json["metafields"] = product.metafields.map(metafieldJson);
    json["variants"] = (json["variants"] as Array<Record<string, unknown>>).map((v, i) => {
      const record = product.variants[i]!;
      return {
        ...v,
        country_code_of_origin: record.countryCodeOfOrigin,
        harmonized_system_code: record.harmonizedSystemCode,
        metafields: record.metafields.map(metafieldJson),
      };
    });
    return json;
  }

  listProducts(domain: string, query?: string): ProductRecord[] {
    const shop = this.ensureShop(domain);
    const search = compileProductSearch(query ?? null);
    return [...shop.products.values()].filter(search.matches);
  }

  getProduct(domain: string, ref: string | number): ProductRecord {
    const product = findProduct(this.ensureShop(domain), ref);
    if (!product) throw new SimInputError(`No product ${JSON.stringify(ref)} in ${domain}.`, 404);
    return product;
  }

  createProduct(domain: string, input: ProductInput): ProductRecord {
    checkKeys(input, PRODUCT_INPUT_KEYS, "product");
    for (const v of input.variants ?? []) checkKeys(v, VARIANT_INPUT_KEYS, "variant");
    const shop = this.ensureShop(domain);
    const product = storeCreateProduct(shop, this.storeContext(), input);
    this.registerImages({ title: product.title, productType: product.productType, images: (input.images ?? []).map((i) => ({ src: i.src, alt: i.alt ?? null })) });
    this.productEvent(shop, "products/create", product);
    return product;
  }

  /** Edits a product; bumps updatedAt and sends products/update when something changed. */
  editProduct(domain: string, ref: string | number, patch: ProductPatch): { product: ProductRecord; changed: boolean } {
    checkKeys(patch, PRODUCT_PATCH_KEYS, "product patch");
    for (const v of patch.variants ?? []) checkKeys(v, [...VARIANT_INPUT_KEYS, ...VARIANT_SELECTOR_KEYS], "variant patch");
    for (const v of patch.addVariants ?? []) checkKeys(v, VARIANT_INPUT_KEYS, "variant");
    for (const v of patch.removeVariants ?? []) checkKeys(v, VARIANT_SELECTOR_KEYS, "variant selector");
    const shop = this.ensureShop(domain);
    const product = this.getProduct(domain, ref);
    const changed = storeEditProduct(shop, this.storeContext(), product, patch);
    if (patch.images) {
      this.registerImages({ title: product.title, productType: product.productType, images: patch.images.map((i) => ({ src: i.src, alt: i.alt ?? null })) });
    }
    if (changed) this.productEvent(shop, "products/update", product);
    return { product, changed };
  }

  deleteProduct(domain: string, ref: string | number): ProductRecord {
    const shop = this.ensureShop(domain);
    const product = this.getProduct(domain, ref);
    storeDeleteProduct(shop, product);
    this.productEvent(shop, "products/delete", product);
    return product;
  }

  /** Sends any webhook topic for a shop (compliance topics get Shopify's default payloads). */
  sendWebhook(domain: string, topic: string, payload?: unknown): WebhookDelivery {
    const shop = this.ensureShop(domain);
    const base = { shop_id: shop.id, shop_domain: shop.domain };
    const defaults: Record<string, unknown> = {
      "shop/redact": base,
      "customers/redact": { ...base, customer: { id: 1, email: "customer@example.com", phone: null }, orders_to_redact: [] },
      "customers/data_request": {
        ...base,
        orders_requested: [],
        customer: { id: 1, email: "customer@example.com", phone: null },
        data_request: { id: 1 },
      },
      "app/uninstalled": restShop(shop),
    };
    const body = payload ?? defaults[topic];
    if (body === undefined) throw new SimInputError(`Give a payload for topic "${topic}".`);
    return this.webhooks.enqueue(shop.domain, topic, body);
  }

  // -------------------------------------------------------------------------------------------
  // Images

  imageSvg(pathname: string): string | null {
    const info = this.imageInfo.get(pathname);
    if (info) return productSvg(info, pathname);
    if (/^\/images\/.+\.svg$/i.test(pathname)) return productSvg(infoFromPath(pathname), pathname);
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // Statistics

  stats(domain?: string): SimStats {
    const shops = domain ? [this.ensureShop(domain)] : [...this.shops.values()];
    const out: SimStats = {
      requests: this.counters.requests,
      graphqlRequests: 0,
      throttled: 0,
      maxCostExceeded: 0,
      requestedCost: 0,
      costUsed: 0,
      bulkOperations: 0,
      tokenExchanges: 0,
      tokenRefreshes: 0,
      unauthorized: 0,
      failuresInjected: this.counters.failuresInjected,
      webhooksSent: 0,
      shops: {},
    };
    for (const shop of shops) {
      const s = shop.stats;
      out.graphqlRequests += s.graphqlRequests;
      out.throttled += s.throttled;
      out.maxCostExceeded += s.maxCostExceeded;
      out.requestedCost += s.requestedCost;
      out.costUsed += s.actualCost;
      out.bulkOperations += s.bulkOperations;
      out.tokenExchanges += s.tokenExchanges;
      out.tokenRefreshes += s.tokenRefreshes;
      out.unauthorized += s.unauthorized;
      out.webhooksSent += s.webhooksSent;
      out.shops[shop.domain] = { ...s, installed: shop.installed, products: shop.products.size, variants: shop.variants.size };
    }
    return out;
  }

  webhookLog(filter: { shop?: string; topic?: string } = {}): WebhookDelivery[] {
    return this.webhooks.log.filter(
      (d) => (!filter.shop || d.shop === filter.shop.toLowerCase()) && (!filter.topic || d.topic === filter.topic),
    );
  }

  resendWebhook(id: string): WebhookDelivery {
    try {
      return this.webhooks.resend(id);
    } catch (error) {
      throw new SimInputError((error as Error).message, 404);
    }
  }

  holdWebhooks(): void {
    this.webhooks.hold();
  }

  releaseWebhooks(order: ReleaseOrder = "fifo"): Promise<WebhookDelivery[]> {
    if (!["fifo", "reverse", "shuffle"].includes(order)) throw new SimInputError(`unknown order "${order}"`);
    return this.webhooks.release(order);
  }

  setWebhookSettings(settings: Partial<WebhookSettings>): WebhookSettings & { topics: string[] | null } {
    Object.assign(this.webhooks.settings, settings);
    return { ...this.webhooks.settings, topics: this.webhooks.topics };
  }

  waitForWebhooks(timeoutMs?: number): Promise<void> {
    return this.webhooks.idle(timeoutMs);
  }

  setAppUrl(url: string | null): void {
    this.appUrl = url ? url.replace(/\/+$/, "") : null;
  }

  apiVersion(): string {
    return API_VERSION;
  }

  async shutdown(): Promise<void> {
    this.webhooks.close();
    await this.bulk.close();
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = null;
  }
}
