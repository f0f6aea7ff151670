// The public side of passports: lookup by public id or GTIN (published passports only, never admin
// data), their URLs, and responses with ETag/Cache-Control. Rendered bodies are cached per
// version, so a request for a known passport costs one indexed query.
import { LRUCache } from "lru-cache";
import { config } from "../config.server";
import { db, openSqliteReader } from "../db.server";
import { isSet, type SqlFlag } from "../sync/bulk-insert.server";
import type { PassportContent } from "./content";
import { digitalLinkUrl } from "./gs1";

export interface PassportUrls {
  url: string;
  digitalLinkUrl: string | null;
  jsonLdUrl: string;
  qrSvgUrl: string;
  qrPngUrl: string;
}

export function passportUrls(publicId: string, gtin: string | null, baseUrl = config().passportBaseUrl): PassportUrls {
  const url = `${baseUrl}/p/${publicId}`;
  return {
    url,
    digitalLinkUrl: gtin ? digitalLinkUrl(baseUrl, gtin) : null,
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
  const name = row?.name || shop.replace(/\.myshopify\.com$/, "");
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
 * The passport a GTIN resolves to. A GTIN belongs to one trade item; if several shops' catalogs
 * carry it, the one still sold (not archived), most recently updated, wins.
 */
export async function findPublicIdByGtin(gtin14: string): Promise<string | null> {
  const candidates = await db.passport.findMany({
    where: { gtin: gtin14, held: false },
    select: { publicId: true, variantId: true, updatedAt: true },
    orderBy: { updatedAt: "desc" },
    take: 10,
  });
  if (candidates.length <= 1) return candidates[0]?.publicId ?? null;
  const active = await db.variant.findMany({ where: { id: { in: candidates.map((c) => c.variantId) }, archivedAt: null }, select: { id: true } });
  const activeIds = new Set(active.map((v) => v.id));
  return (candidates.find((c) => activeIds.has(c.variantId)) ?? candidates[0]).publicId;
}

/** Public responses may be cached by browsers and CDNs for a while, and revalidated by ETag. */
export const PUBLIC_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400";

export function etagFor(passport: Pick<PublishedPassport, "contentHash" | "version">, representation: string): string {
  return `"${passport.contentHash.slice(0, 16)}-v${passport.version}-${representation}"`;
}

/** 304 when the client has this representation already, else the body with caching headers. */
export function cachedResponse(request: Request, etag: string, body: () => BodyInit, contentType: string, extra: Record<string, string> = {}): Response {
  const headers = { ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL, Vary: "Accept, Accept-Language", ...extra };
  const match = request.headers.get("If-None-Match");
  if (match && match.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) return new Response(null, { status: 304, headers });
  return new Response(body(), { status: 200, headers: { "Content-Type": contentType, ...headers } });
}
