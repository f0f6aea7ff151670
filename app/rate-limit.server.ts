// Per-client rate limit for the public routes (passport pages, QR codes, GS1 resolver), so a
// scraper cannot crowd out other readers or the admin. PUBLIC_RATE_LIMIT requests per minute per
// client (default 600; 0 turns it off). The client is the first X-Forwarded-For address when
// TRUST_PROXY=1 (behind a load balancer or CDN), else the X-Real-IP header, else one shared bucket.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

const perMinute = Number(process.env.PUBLIC_RATE_LIMIT ?? 600);
const limiter = perMinute > 0 ? new RateLimiterMemory({ points: perMinute, duration: 60 }) : null;

export function clientKey(request: Request): string {
  if (process.env.TRUST_PROXY === "1") {
    const forwarded = request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return request.headers.get("X-Real-IP") ?? "direct";
}

/** null when the request may go on; else a 429 response saying when to come back. */
export async function rateLimited(request: Request): Promise<Response | null> {
  if (!limiter) return null;
  try {
    await limiter.consume(clientKey(request));
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
