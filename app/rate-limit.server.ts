// Per-client rate limit for the public routes (passport pages, QR codes, GS1 resolver), so a
// scraper cannot crowd out other readers or the admin. PUBLIC_RATE_LIMIT requests per minute per
// client (default 600; 0 turns it off). The client is its address as the server sees it
// (server.mjs; with TRUST_PROXY=1 the address the proxy forwarded); for IPv6 its /64 network, which
// one subscriber gets whole (counting each address would let one client rotate through 2^64).
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
    await limiter.consume(clientKey(clientAddress));
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

/** What the limit counts per: an IPv4 address, or the /64 network of an IPv6 one. */
export function clientKey(address: string | undefined): string {
  if (!address) return "unknown";
  const plain = address.replace(/%.*$/, ""); // without a zone (fe80::1%eth0)
  if (!plain.includes(":")) return plain;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  // The eight groups, "::" expanded (an IPv4 tail counts as two groups).
  const [head, tail] = plain.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const first = groups(head);
  const last = groups(tail);
  const all = tail === undefined ? first : [...first, ...Array<string>(Math.max(0, 8 - first.length - last.length)).fill("0"), ...last];
  return `${all
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}
