// Responses of the public passport routes: page, JSON-LD, QR codes, GS1 Digital Link resolution,
// and the did:web document of a shop (the issuer of its credentials).
import { config } from "../config.server";
import { forShop } from "../db/scoped.server";
import { rateLimited } from "../rate-limit.server";
import { shopFromHandle, shopHandle } from "../shop-handle";
import { digitalLinkUrl, parseDigitalLinkPath, type DigitalLinkProblem } from "./gs1";
import { renderBadDigitalLink, renderedLanguageKey, renderPassportNotFound, renderPassportPage } from "./page";
import {
  cachedResponse,
  contextDigest,
  digitalLinkGtin,
  etagFor,
  findPublicIdByGtin,
  findPublishedPassport,
  passportUrls,
  shopBaseUrl,
  shopOwningGtin,
  type PassportUrls,
  type PublishedPassport,
} from "./public.server";
import { clampQrSize, qrTarget, qrPng, renderQrSvg } from "./qr";
import { buildUntpCredential, didWebFromUrl } from "./untp";

const HTML = "text/html; charset=utf-8";

/**
 * Passports are public: any origin may read what the machine-readable routes answer, and a
 * verifier's fetch of a scanned Digital Link needs it on the redirect and on its errors as well.
 */
const CORS = { "Access-Control-Allow-Origin": "*" };

/** A language tag as BCP 47 spells it (`de`, `pt-BR`, `zh-Hant-TW`); anything else is ignored. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}$/;

function validTag(tag: string | null | undefined): string | undefined {
  const trimmed = tag?.trim();
  return trimmed && LANGUAGE_TAG.test(trimmed) ? trimmed : undefined;
}

/** The reader's locale: a valid `?lang=`, else the first valid entry of Accept-Language. */
function requestedLocale(request: Request): string | undefined {
  const fromQuery = validTag(new URL(request.url).searchParams.get("lang"));
  if (fromQuery) return fromQuery;
  return validTag(request.headers.get("Accept-Language")?.split(",")[0]?.split(";")[0]);
}

/**
 * 404 and 400 pages are in the reader's language (`?lang=` or Accept-Language): caches must keep
 * them apart. They may answer a verifier's fetch of the JSON-LD or a Digital Link, which should be
 * able to read the status rather than see a CORS failure.
 */
function messagePage(status: 400 | 404, body: string, maxAge: number): Response {
  return new Response(body, { status, headers: { "Content-Type": HTML, "Cache-Control": `public, max-age=${maxAge}`, Vary: "Accept-Language", ...CORS } });
}

function notFound(request: Request): Response {
  return messagePage(404, renderPassportNotFound({ locale: requestedLocale(request) }), 60);
}

function badDigitalLink(request: Request, problem: DigitalLinkProblem): Response {
  return messagePage(400, renderBadDigitalLink(problem, { locale: requestedLocale(request) }), 3600);
}

function wantsJsonLd(request: Request): boolean {
  const accept = request.headers.get("Accept") ?? "";
  return /application\/(ld\+json|json)/.test(accept) && !/text\/html/.test(accept);
}

/** The shop's did:web: `did:web:{host}:s:{handle}`, whose document is served at `{base}/s/{handle}/did.json`. */
export function shopDid(shop: string): string {
  return didWebFromUrl(shopBaseUrl(shop));
}

/** A published passport's URLs, its Digital Link only where that opens it (digitalLinkGtin). */
async function publicUrls(passport: PublishedPassport): Promise<PassportUrls> {
  return passportUrls(passport.shop, passport.publicId, await digitalLinkGtin(passport.shop, passport.publicId, passport.gtin));
}

function credential(passport: PublishedPassport, urls: PassportUrls, locale?: string) {
  return buildUntpCredential(passport.content, {
    publicId: passport.publicId,
    version: passport.version,
    versionCreatedAt: passport.versionCreatedAt,
    passportUrl: urls.url,
    digitalLinkUrl: urls.digitalLinkUrl ?? undefined,
    issuer: { name: passport.shopName, id: shopDid(passport.shop) },
    locale,
    credentialUrl: urls.jsonLdUrl,
  });
}

/** GET /p/:publicId (HTML, or JSON-LD by Accept) and /p/:publicId.jsonld */
export async function passportResponse(request: Request, idParam: string, clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const asJsonLd = idParam.endsWith(".jsonld") || wantsJsonLd(request);
  const publicId = idParam.replace(/\.jsonld$/, "");
  const passport = await findPublishedPassport(publicId);
  if (!passport) return notFound(request);
  const locale = requestedLocale(request);
  const language = renderedLanguageKey(passport.content, locale);
  if (asJsonLd) {
    const urls = await publicUrls(passport);
    // (The product's id is the Digital Link only while that opens this passport: part of the ETag.)
    const etag = etagFor(passport, "jsonld", [language, urls.digitalLinkUrl ?? ""]);
    return cachedResponse(request, etag, () => JSON.stringify(credential(passport, urls, locale), null, 2), "application/ld+json; charset=utf-8", CORS);
  }
  // The page shows no Digital Link: its URLs need no lookup.
  const urls = passportUrls(passport.shop, passport.publicId, null);
  const locales = Object.keys(passport.content.title).sort();
  return cachedResponse(
    request,
    etagFor(passport, "html", [language]),
    () =>
      renderPassportPage(
        passport.content,
        { version: passport.version, versionCreatedAt: passport.versionCreatedAt, passportUrl: urls.url },
        { locale, jsonLdUrl: urls.jsonLdUrl, qrImageUrl: urls.qrSvgUrl, languageLinks: locales.map((l) => ({ locale: l, url: `${urls.url}?lang=${encodeURIComponent(l)}` })) },
      ),
    HTML,
    { Link: `<${urls.jsonLdUrl}>; rel="alternate"; type="application/ld+json"` },
  );
}

/** GET /p/:publicId/qr.svg and /qr.png?size=px: the shop's Digital Link when there is a GTIN, else the page URL. */
export async function qrResponse(request: Request, publicId: string, format: "svg" | "png", clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const passport = await findPublishedPassport(publicId);
  if (!passport) return notFound(request);
  const urls = await publicUrls(passport);
  const target = qrTarget({ passportUrl: urls.url, digitalLinkUrl: urls.digitalLinkUrl });
  const requested = new URL(request.url).searchParams.get("size");
  const size = clampQrSize(requested ? Number(requested) : undefined);
  if (format === "svg") {
    return cachedResponse(request, etagFor(passport, `qr-svg-${size}`, [target]), () => renderQrSvg(target, { size }), "image/svg+xml; charset=utf-8");
  }
  return cachedResponse(request, etagFor(passport, `qr-png-${size}`, [target]), () => new Uint8Array(qrPng(target, size)), "image/png");
}

/**
 * The two forms of a Digital Link this app answers, read from the raw path (values stay
 * percent-encoded until the parser splits them): `/s/{handle}/01/…`, which a shop publishes and
 * which resolves only within that shop, and the bare `/01/…`.
 */
const DIGITAL_LINK_PATH = /^(?:\/s\/([^/]+))?\/01(?:\/(.*))?$/;

/**
 * GET /s/:shop/01/{gtin}[/22/…][/10/…][/21/…] and /01/{gtin}[…]: GS1 Digital Link resolver → the
 * variant's passport (qualifiers are checked but do not change which passport: there is one per
 * variant). The bare form resolves in the shop that has had a passport for the GTIN longest
 * (`shopOwningGtin`).
 */
export async function digitalLinkResponse(request: Request, clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const match = DIGITAL_LINK_PATH.exec(new URL(request.url).pathname);
  if (!match) return notFound(request);
  const [, handle, rest] = match;
  const link = parseDigitalLinkPath(rest ?? "");
  if (!link.ok) return badDigitalLink(request, link.problem);
  const shop = handle === undefined ? await shopOwningGtin(link.gtin) : shopFromHandle(handle);
  const publicId = shop ? await findPublicIdByGtin(shop, link.gtin) : null;
  if (!shop || !publicId) return notFound(request);
  const target = new URL(passportUrls(shop, publicId, link.gtin).url);
  const lang = validTag(new URL(request.url).searchParams.get("lang"));
  if (lang) target.searchParams.set("lang", lang);
  // 307 keeps the method and lets the client's Accept (HTML or JSON-LD) pick the representation.
  // A browser follows a cross-origin redirect only if the redirect itself allows CORS.
  return new Response(null, {
    status: 307,
    headers: {
      Location: target.toString(),
      "Cache-Control": "public, max-age=300",
      Link: `<${digitalLinkUrl(shopBaseUrl(shop), link.gtin, link.qualifiers)}>; rel="canonical"`,
      ...CORS,
      "Access-Control-Expose-Headers": "Link",
    },
  });
}

/**
 * GET /s/:shop/did.json: the DID document of the shop's did:web, the issuer of its passports'
 * credentials. It identifies the shop and names it; it lists no keys, as the credentials are not
 * signed (yet).
 */
export async function shopDidResponse(request: Request, handle: string, clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const shop = shopFromHandle(handle);
  const row = shop ? await forShop(shop).shop.findUnique({ where: { shop }, select: { shop: true, name: true } }) : null;
  if (!row) return notFound(request);
  const id = shopDid(row.shop);
  const name = row.name || shopHandle(row.shop);
  const document = {
    "@context": ["https://www.w3.org/ns/did/v1"],
    id,
    alsoKnownAs: [`https://${row.shop}`],
    service: [{ id: `${id}#passports`, type: "DigitalProductPassports", serviceEndpoint: config().passportBaseUrl, name }],
  };
  const etag = `"did-${contextDigest([config().passportBaseUrl, row.shop, name])}"`;
  return cachedResponse(request, etag, () => JSON.stringify(document, null, 2), "application/did+json", CORS);
}
