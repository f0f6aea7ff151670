// The public side of passports: lookup by public id or GTIN (published passports only, never admin
// data), their URLs, and responses with ETag/Cache-Control. Rendered bodies are cached per
// version, so a request for a known passport costs one indexed query.
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { config } from "../config.server";
import { forShop } from "../db/scoped.server";
import { db, openSqliteReader } from "../db.server";
import { isSet, type SqlFlag } from "../sync/bulk-insert.server";
import { chunks } from "../sync/slice.server";
import type { PassportContent } from "./content";
import { digitalLinkUrl } from "./gs1";
import { shopHandle } from "../shop-handle";

/**
 * Where a shop's own public URLs live: `{base}/s/{handle}`. PASSPORT_BASE_URL is shared by every
 * shop of the app, and a barcode can be in several shops' catalogs (resellers, copies, mistakes),
 * so the Digital Link a shop prints is qualified by the shop: GS1 Digital Link allows a path before
 * the primary key (`https://host/any/path/01/{gtin}`), and resolvers read the key from there on.
 * The shop's did:web (its credentials' issuer) is this URL too: did:web:{host}:s:{handle}.
 */
export function shopBaseUrl(shop: string, baseUrl = config().passportBaseUrl): string {
  return `${baseUrl}/s/${shopHandle(shop)}`;
}

export interface PassportUrls {
  url: string;
  /**
   * The shop's own GS1 Digital Link (`{base}/s/{handle}/01/{gtin14}`), when given a GTIN: pass the
   * one digitalLinkGtins gives, so that the link opens this passport.
   */
  digitalLinkUrl: string | null;
  jsonLdUrl: string;
  qrSvgUrl: string;
  qrPngUrl: string;
}

export function passportUrls(shop: string, publicId: string, gtin: string | null, baseUrl = config().passportBaseUrl): PassportUrls {
  const url = `${baseUrl}/p/${publicId}`;
  return {
    url,
    digitalLinkUrl: gtin ? digitalLinkUrl(shopBaseUrl(shop, baseUrl), gtin) : null,
    jsonLdUrl: `${url}.jsonld`,
    qrSvgUrl: `${url}/qr.svg`,
    qrPngUrl: `${url}/qr.png`,
  };
}

export interface PublishedPassport {
  publicId: string;
  shop: string;
  shopName: string;
  version: number;
  contentHash: string;
  gtin: string | null;
  versionCreatedAt: Date;
  content: PassportContent;
}

interface VersionRecord {
  content: PassportContent;
  createdAt: Date;
}

/** Parsed immutable versions, cached by passport id and version number. */
const versions = new LRUCache<string, VersionRecord>({ max: 20_000 });

/** Shop names (the credential's issuer), refreshed every minute. */
const shopNames = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });

async function shopName(shop: string): Promise<string> {
  const cached = shopNames.get(shop);
  if (cached !== undefined) return cached;
  const row = await db.shop.findUnique({ where: { shop }, select: { name: true } });
  const name = row?.name || shopHandle(shop);
  shopNames.set(shop, name);
  return name;
}

interface PassportRow {
  id: string;
  shop: string;
  publicId: string;
  currentVersion: number;
  contentHash: string | null;
  gtin: string | null;
  held: SqlFlag;
  content: string;
  createdAt: Date | string;
}

const PASSPORT_SELECT = `SELECT p."id", p."shop", p."publicId", p."currentVersion", p."contentHash", p."gtin", p."held", v."content", v."createdAt"
  FROM "Passport" p JOIN "PassportVersion" v ON v."passportId" = p."id" AND v."version" = p."currentVersion"`;

let readOnly: { get(publicId: string): PassportRow | undefined } | null | undefined;

/**
 * On SQLite, public pages read through their own read-only connection (write-ahead logging lets
 * it read while a sync writes): they never wait behind the admin's queries, and a prepared
 * statement skips Prisma's per-query work on the hot path.
 */
function sqliteReader(): { get(publicId: string): PassportRow | undefined } | null {
  if (readOnly !== undefined) return readOnly;
  const connection = openSqliteReader(5000);
  if (!connection) return (readOnly = null);
  const statement = connection.prepare<[string], PassportRow>(`${PASSPORT_SELECT} WHERE p."publicId" = ?`);
  return (readOnly = { get: (publicId) => statement.get(publicId) });
}

/** The passport and its current version, in one indexed query. */
async function passportRow(publicId: string): Promise<PassportRow | null> {
  const reader = sqliteReader();
  if (reader) return reader.get(publicId) ?? null;
  const rows = await db.$queryRawUnsafe<PassportRow[]>(`${PASSPORT_SELECT} WHERE p."publicId" = $1`, publicId);
  return rows[0] ?? null;
}

/** A published passport (not held back), or null: unknown and unpublished look the same. */
export async function findPublishedPassport(publicId: string): Promise<PublishedPassport | null> {
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(publicId)) return null;
  const row = await passportRow(publicId);
  if (!row || isSet(row.held)) return null;
  const key = `${row.id}:${row.currentVersion}`;
  let version = versions.get(key);
  if (!version) {
    version = { content: JSON.parse(row.content) as PassportContent, createdAt: new Date(row.createdAt) };
    versions.set(key, version);
  }
  return {
    publicId: row.publicId,
    shop: row.shop,
    shopName: await shopName(row.shop),
    version: row.currentVersion,
    contentHash: row.contentHash ?? "",
    gtin: row.gtin,
    versionCreatedAt: version.createdAt,
    content: version.content,
  };
}

/**
 * The passport a GTIN resolves to within a shop: its published passport with that GTIN (a variant
 * still sold before an archived one, then the oldest), or null.
 */
export async function findPublicIdByGtin(shop: string, gtin14: string): Promise<string | null> {
  const shopDb = forShop(shop);
  const candidates = await shopDb.passport.findMany({
    where: { gtin: gtin14, held: false },
    select: { publicId: true, variantId: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 10,
  });
  if (candidates.length === 0) return (await shopDb.passport.count({ where: { gtin: gtin14 } })) ? null : formerHolderOfGtin(shop, gtin14);
  if (candidates.length === 1) return candidates[0].publicId;
  const active = await shopDb.variant.findMany({ where: { id: { in: candidates.map((c) => c.variantId) }, archivedAt: null }, select: { id: true } });
  const activeIds = new Set(active.map((v) => v.id));
  return (candidates.find((c) => activeIds.has(c.variantId)) ?? candidates[0]).publicId;
}

/** Whether a GTIN is shared by several passports of a shop, and which of them its Digital Link opens; kept a minute. */
const gtinAnswers = new LRUCache<string, { shared: boolean; answer: string | null }>({ max: 50_000, ttl: 60_000 });

/**
 * The GTIN each passport's Digital Link carries, by public id: its own, unless that Digital Link
 * opens another passport of the shop. Two variants can have one barcode (Shopify only warns); the
 * resolver answers with one of them (findPublicIdByGtin), so the other's QR code would open the
 * wrong passport: its QR code and links use its own URL instead (null here). `cached`: answers up
 * to a minute old will do (public responses, so that they cost no extra query); what is stored or
 * printed (Shopify's metafields, labels, lists) asks the database.
 */
export async function digitalLinkGtins(
  shop: string,
  passports: readonly { publicId: string; gtin: string | null }[],
  options: { cached?: boolean } = {},
): Promise<Map<string, string | null>> {
  const key = (gtin: string) => `${shop}\n${gtin}`;
  const answers = new Map<string, { shared: boolean; answer: string | null }>();
  for (const { gtin } of options.cached ? passports : []) {
    const cached = gtin ? gtinAnswers.get(key(gtin)) : undefined;
    if (gtin && cached) answers.set(gtin, cached);
  }
  const unknown = [...new Set(passports.map((p) => p.gtin).filter((gtin): gtin is string => !!gtin && !answers.has(gtin)))];
  const shopDb = forShop(shop);
  for (const part of chunks(unknown)) {
    const counts = await shopDb.passport.groupBy({ by: ["gtin"], where: { gtin: { in: part } }, _count: { _all: true } });
    const shared = new Set(counts.filter((c) => c._count._all > 1).map((c) => c.gtin));
    for (const gtin of part) {
      const found = shared.has(gtin) ? { shared: true, answer: await findPublicIdByGtin(shop, gtin) } : { shared: false, answer: null };
      answers.set(gtin, found);
      gtinAnswers.set(key(gtin), found);
    }
  }
  return new Map(
    passports.map((p) => {
      const found = p.gtin ? answers.get(p.gtin) : undefined;
      return [p.publicId, p.gtin && (!found?.shared || found.answer === p.publicId) ? p.gtin : null];
    }),
  );
}

/** One published passport's Digital Link GTIN, for a public response (digitalLinkGtins, cached). */
export async function digitalLinkGtin(shop: string, publicId: string, gtin: string | null): Promise<string | null> {
  return (await digitalLinkGtins(shop, [{ publicId, gtin }], { cached: true })).get(publicId) ?? null;
}

/**
 * The shop a bare `/01/{gtin}` (no shop in the path) belongs to: the one with the oldest passport
 * for that GTIN, held back or not. Another shop adding the same barcode later, an update or a
 * merchant holding a product back never moves the link to another brand; it moves only when that
 * shop no longer has the GTIN at all. This lookup is across shops by design (it decides which
 * shop); everything after it is scoped to that shop.
 */
export async function shopOwningGtin(gtin14: string): Promise<string | null> {
  const oldest = await db.passport.findFirst({ where: { gtin: gtin14 }, select: { shop: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  if (oldest) return oldest.shop;
  // Only printed labels know it now: the shop whose passport had it last.
  const former = await db.passportFormerGtin.findFirst({ where: { gtin: gtin14 }, select: { shop: true }, orderBy: [{ replacedAt: "desc" }, { id: "desc" }] });
  return former?.shop ?? null;
}

/**
 * The published passport that had the GTIN last, when no passport has it now (one held back that
 * has it is still its own): its variant's barcode was changed, and labels printed before carry a
 * QR code with the old Digital Link.
 */
async function formerHolderOfGtin(shop: string, gtin14: string): Promise<string | null> {
  const shopDb = forShop(shop);
  const former = await shopDb.passportFormerGtin.findMany({ where: { gtin: gtin14 }, select: { passportId: true }, orderBy: [{ replacedAt: "desc" }, { id: "desc" }], take: 10 });
  if (former.length === 0) return null;
  const published = await shopDb.passport.findMany({ where: { id: { in: former.map((f) => f.passportId) }, held: false }, select: { id: true, publicId: true } });
  const byId = new Map(published.map((p) => [p.id, p.publicId]));
  return former.map((f) => byId.get(f.passportId)).find((id) => id !== undefined) ?? null;
}

/** Public responses may be cached by browsers and CDNs for a while, and revalidated by ETag. */
export const PUBLIC_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400";

/**
 * The ETag of one representation of a passport version. Besides the version, a response depends on
 * things that change without a new version: the base URL (every link), the shop (its Digital Link
 * and did:web), the shop's name (the credential's issuer), and whatever the caller passes in
 * `varies` (the rendered language). Those go in as a hash, so no request input reaches the header
 * raw. `representation` is a fixed word chosen by the code (html, jsonld, qr-svg-512 …).
 */
export function etagFor(passport: Pick<PublishedPassport, "contentHash" | "version" | "shop" | "shopName">, representation: string, varies: readonly string[] = []): string {
  const context = contextDigest([config().passportBaseUrl, passport.shop, passport.shopName, ...varies]);
  return `"${passport.contentHash.slice(0, 16)}-v${passport.version}-${representation}-${context}"`;
}

/** A short digest of what a response depends on, safe in a header whatever the values hold. */
export function contextDigest(values: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(values)).digest("base64url").slice(0, 12);
}

/** 304 when the client has this representation already, else the body with caching headers. */
export function cachedResponse(request: Request, etag: string, body: () => BodyInit, contentType: string, extra: Record<string, string> = {}): Response {
  const headers = { ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL, Vary: "Accept, Accept-Language", ...extra };
  const match = request.headers.get("If-None-Match");
  if (match && match.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) return new Response(null, { status: 304, headers });
  return new Response(body(), { status: 200, headers: { "Content-Type": contentType, ...headers } });
}
