// Per-client rate limit for the public routes (passport pages, QR codes, GS1 resolver), so a
// scraper cannot crowd out other readers or the admin. PUBLIC_RATE_LIMIT requests per minute per
// client (default 600; 0 turns it off). The client is its address as the server sees it
// (server.mjs; with TRUST_PROXY=1 the address the proxy forwarded).
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address (server.mjs). */
    clientAddress?: string;
  }
}

const perMinute = Number(process.env.PUBLIC_RATE_LIMIT ?? 600);
const limiter = perMinute > 0 ? new RateLimiterMemory({ points: perMinute, duration: 60 }) : null;

/** null when the request may go on; else a 429 response saying when to come back. */
export async function rateLimited(clientAddress: string | undefined): Promise<Response | null> {
  if (!limiter) return null;
  try {
    await limiter.consume(clientAddress ?? "unknown");
    return null;
  } catch (result) {
    if (!(result instanceof RateLimiterRes)) throw result;
    const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    return new Response(`Too many requests. Please try again in ${seconds} seconds.`, {
      status: 429,
      headers: { "Retry-After": String(seconds), "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
}
