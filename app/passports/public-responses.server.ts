// Responses of the public passport routes: page, JSON-LD, QR codes, GS1 Digital Link resolution.
import { config } from "../config.server";
import { rateLimited } from "../rate-limit.server";
import { normalizeGtin } from "./gs1";
import { renderPassportNotFound, renderPassportPage } from "./page";
import { cachedResponse, etagFor, findPublicIdByGtin, findPublishedPassport, passportUrls, type PublishedPassport } from "./public.server";
import { clampQrSize, qrTarget, renderQrPng, renderQrSvg } from "./qr";
import { buildUntpCredential, didWebFromUrl } from "./untp";

const HTML = "text/html; charset=utf-8";

function notFound(request: Request): Response {
  const locale = new URL(request.url).searchParams.get("lang") ?? acceptedLanguage(request);
  return new Response(renderPassportNotFound({ locale }), { status: 404, headers: { "Content-Type": HTML, "Cache-Control": "public, max-age=60" } });
}

function acceptedLanguage(request: Request): string | undefined {
  return request.headers.get("Accept-Language")?.split(",")[0]?.split(";")[0]?.trim() || undefined;
}

function wantsJsonLd(request: Request): boolean {
  const accept = request.headers.get("Accept") ?? "";
  return /application\/(ld\+json|json)/.test(accept) && !/text\/html/.test(accept);
}

function credential(passport: PublishedPassport, locale?: string) {
  const urls = passportUrls(passport.publicId, passport.gtin);
  const base = config().passportBaseUrl;
  return buildUntpCredential(passport.content, {
    publicId: passport.publicId,
    version: passport.version,
    versionCreatedAt: passport.versionCreatedAt,
    passportUrl: urls.url,
    digitalLinkUrl: urls.digitalLinkUrl ?? undefined,
    issuer: { name: passport.shopName, id: didWebFromUrl(base) },
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
  const url = new URL(request.url);
  const locale = url.searchParams.get("lang") ?? acceptedLanguage(request);
  if (asJsonLd) {
    return cachedResponse(request, etagFor(passport, `jsonld-${locale ?? ""}`), () => JSON.stringify(credential(passport, url.searchParams.get("lang") ?? undefined), null, 2), "application/ld+json; charset=utf-8", {
      "Access-Control-Allow-Origin": "*",
    });
  }
  const urls = passportUrls(passport.publicId, passport.gtin);
  const locales = Object.keys(passport.content.title).sort();
  return cachedResponse(
    request,
    etagFor(passport, `html-${locale ?? ""}`),
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

/** GET /p/:publicId/qr.svg and /qr.png?size=px: the Digital Link when there is a GTIN, else the page URL. */
export async function qrResponse(request: Request, publicId: string, format: "svg" | "png", clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const passport = await findPublishedPassport(publicId);
  if (!passport) return notFound(request);
  const urls = passportUrls(passport.publicId, passport.gtin);
  const target = qrTarget({ passportUrl: urls.url, digitalLinkUrl: urls.digitalLinkUrl });
  const requested = new URL(request.url).searchParams.get("size");
  const size = clampQrSize(requested ? Number(requested) : undefined);
  if (format === "svg") {
    return cachedResponse(request, etagFor(passport, `qr-svg-${size}`), () => renderQrSvg(target, { size }), "image/svg+xml; charset=utf-8");
  }
  return cachedResponse(request, etagFor(passport, `qr-png-${size}`), () => new Uint8Array(renderQrPng(target, { size })), "image/png");
}

/** GET /01/:gtin[/21/:serial]: GS1 Digital Link resolver → the variant's passport. */
export async function digitalLinkResponse(request: Request, gtinParam: string, clientAddress?: string): Promise<Response> {
  const limited = await rateLimited(clientAddress);
  if (limited) return limited;
  const gtin = normalizeGtin(gtinParam);
  if (!gtin.ok) {
    return new Response(`This is not a valid GTIN: ${gtin.error}. A GS1 Digital Link looks like /01/ followed by the 8, 12, 13 or 14 digits of the barcode.`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
    });
  }
  const publicId = await findPublicIdByGtin(gtin.gtin);
  if (!publicId) return notFound(request);
  const urls = passportUrls(publicId, gtin.gtin);
  const target = new URL(urls.url);
  const lang = new URL(request.url).searchParams.get("lang");
  if (lang) target.searchParams.set("lang", lang);
  // 307 keeps the method and lets the client's Accept (HTML or JSON-LD) pick the representation.
  return new Response(null, {
    status: 307,
    headers: { Location: target.toString(), "Cache-Control": "public, max-age=300", Link: `<${urls.digitalLinkUrl}>; rel="canonical"` },
  });
}
