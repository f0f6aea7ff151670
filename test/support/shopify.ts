// Shopify-side test helpers: session tokens and webhook requests signed as Shopify signs them.
import { createHmac, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { TEST_API_KEY, TEST_API_SECRET } from "./constants";

export interface SessionTokenOptions {
  shop: string;
  apiKey?: string;
  secret?: string;
  /** Seconds from now until expiry (negative: already expired). */
  expiresIn?: number;
  userId?: string;
}

/** An App Bridge session token (JWT, HS256 with the app's API secret), as Shopify admin issues them. */
export async function sessionToken(options: SessionTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    sid: randomUUID(),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience(options.apiKey ?? TEST_API_KEY)
    .setSubject(options.userId ?? "42")
    .setIssuedAt(now - 5)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 60))
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(options.secret ?? TEST_API_SECRET));
}

export function webhookHmac(body: string, secret = TEST_API_SECRET): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export interface WebhookOptions {
  shop: string;
  topic: string;
  payload: unknown;
  appUrl?: string;
  webhookId?: string;
  /** Override the signature (forged), or null to leave it out. */
  hmac?: string | null;
}

/** A webhook request for /webhooks/<topic>, signed like Shopify's. */
export function webhookRequest(options: WebhookOptions): Request {
  const body = JSON.stringify(options.payload);
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Shop-Domain": options.shop,
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Event-Id": randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  });
  const hmac = options.hmac === undefined ? webhookHmac(body) : options.hmac;
  if (hmac !== null) headers.set("X-Shopify-Hmac-Sha256", hmac);
  return new Request(`${options.appUrl ?? "http://127.0.0.1:3999"}/webhooks/${options.topic}`, { method: "POST", headers, body });
}
