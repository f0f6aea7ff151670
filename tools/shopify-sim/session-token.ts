// App Bridge session tokens (id tokens), signed the way Shopify admin signs them for an embedded
// app: a JWT, HS256 with the app's API secret, valid for a minute. Used by the session-token
// endpoint, the admin shell page and the test helpers.
import { SignJWT } from "jose";

/** Lifetime of a session token: Shopify's are valid for one minute. */
export const SESSION_TOKEN_LIFETIME_SECONDS = 60;

export interface SignSessionTokenOptions {
  apiKey: string;
  apiSecret: string;
  /** Staff user id (`sub`). Default 42. */
  userId?: number;
  /** Admin session id (`sid`). Default: random. */
  sid?: string;
  /** Default 60 s. */
  lifetimeSeconds?: number;
  /** Unix time in seconds (tests). Default now. */
  now?: number;
  /** Overrides of the payload (e.g. a wrong `aud`). */
  payload?: Record<string, unknown>;
}

/**
 * Claims as Shopify's: `iss` https://{shop}/admin, `dest` https://{shop}, `aud` the API key, `sub`
 * the staff user id, `exp`, `nbf`, `iat`, `jti`, `sid`. `nbf`/`iat` lie 5 s in the past so that a
 * verifier whose clock runs slightly behind accepts the token at once.
 */
export function sessionTokenClaims(shop: string, opts: SignSessionTokenOptions): Record<string, unknown> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  return {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: opts.apiKey,
    sub: String(opts.userId ?? 42),
    exp: now + (opts.lifetimeSeconds ?? SESSION_TOKEN_LIFETIME_SECONDS),
    nbf: now - 5,
    iat: now - 5,
    jti: crypto.randomUUID(),
    sid: opts.sid ?? crypto.randomUUID().replace(/-/g, ""),
    ...opts.payload,
  };
}

/** A signed session token for `shop` (a myshopify.com domain). */
export async function signSessionToken(shop: string, opts: SignSessionTokenOptions): Promise<string> {
  return new SignJWT(sessionTokenClaims(shop, opts))
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(opts.apiSecret));
}
