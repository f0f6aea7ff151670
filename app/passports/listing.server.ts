// Passports of a shop as lists (admin, CLI) and as a zip of print-ready QR codes for labels.
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import yazl from "yazl";
import type { ShopDb } from "../db/scoped.server";
import { chunks } from "../sync/slice.server";
import { diffPassportContent, type PassportChange, type PassportContent } from "./content";
import { digitalLinkGtins, passportUrls } from "./public.server";
import { qrTarget, renderQrPng, renderQrSvg } from "./qr";

export interface PassportListItem {
  productTitle: string;
  variantTitle: string;
  sku: string | null;
  gtin: string | null;
  publicId: string;
  url: string;
  digitalLinkUrl: string | null;
  qrSvgUrl: string;
  qrPngUrl: string;
  version: number;
  completeness: number;
  held: boolean;
  archived: boolean;
}

/** Every passport of the shop, product by product (batched reads: fine for 100,000 passports). */
export async function* passportList(db: ShopDb, options: { productId?: string } = {}): AsyncGenerator<PassportListItem> {
  let cursor: string | undefined;
  for (;;) {
    const products = await db.product.findMany({
      where: options.productId ? { id: options.productId } : {},
      orderBy: { id: "asc" },
      take: 500,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true, title: true, handle: true, archivedAt: true },
    });
    if (products.length === 0) return;
    cursor = products[products.length - 1].id;
    const variants = await db.variant.findMany({
      where: { productId: { in: products.map((p) => p.id) } },
      orderBy: [{ productId: "asc" }, { position: "asc" }],
      select: { id: true, productId: true, title: true, sku: true, archivedAt: true },
    });
    const passports = new Map<string, { publicId: string; gtin: string | null; currentVersion: number; completeness: number; held: boolean }>();
    for (const part of chunks(variants.map((v) => v.id))) {
      for (const p of await db.passport.findMany({ where: { variantId: { in: part } }, select: { variantId: true, publicId: true, gtin: true, currentVersion: true, completeness: true, held: true } })) {
        passports.set(p.variantId, p);
      }
    }
    const productById = new Map(products.map((p) => [p.id, p]));
    const linkGtins = await digitalLinkGtins(db.shopDomain, [...passports.values()]);
    for (const v of variants) {
      const passport = passports.get(v.id);
      const product = productById.get(v.productId)!;
      if (!passport) continue;
      const urls = passportUrls(db.shopDomain, passport.publicId, linkGtins.get(passport.publicId) ?? null);
      yield {
        productTitle: product.title || product.handle,
        variantTitle: v.title,
        sku: v.sku,
        gtin: passport.gtin,
        publicId: passport.publicId,
        url: urls.url,
        digitalLinkUrl: urls.digitalLinkUrl,
        qrSvgUrl: urls.qrSvgUrl,
        qrPngUrl: urls.qrPngUrl,
        version: passport.currentVersion,
        completeness: passport.completeness,
        held: passport.held,
        archived: product.archivedAt !== null || v.archivedAt !== null,
      };
    }
    if (options.productId) return;
  }
}

export interface PassportVersionView {
  version: number;
  createdAt: string;
  changes: PassportChange[];
  content: PassportContent;
}

/** A passport's versions, newest first, with what changed in each. */
export async function passportVersions(db: ShopDb, publicId: string): Promise<{ item: PassportListItem; versions: PassportVersionView[] } | null> {
  const passport = await db.passport.findUnique({ where: { publicId } });
  if (!passport) return null;
  const variant = await db.variant.findUnique({ where: { id: passport.variantId }, select: { productId: true } });
  if (!variant) return null;
  let item: PassportListItem | undefined;
  for await (const p of passportList(db, { productId: variant.productId })) if (p.publicId === publicId) item = p;
  const rows = await db.passportVersion.findMany({ where: { passportId: passport.id }, orderBy: { version: "desc" } });
  return {
    item: item!,
    versions: rows.map((r, i) => {
      const content = JSON.parse(r.content) as PassportContent;
      const previous = rows[i + 1] ? (JSON.parse(rows[i + 1].content) as PassportContent) : null;
      return { version: r.version, createdAt: r.createdAt.toISOString(), changes: r.changes ? (JSON.parse(r.changes) as PassportChange[]) : diffPassportContent(previous, content), content };
    }),
  };
}

/** Print size of the PNG codes in the label zip. */
export const LABEL_PNG_SIZE = 1024;

function safeName(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "passport";
}

/**
 * A CSV cell. Text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe:
 * spreadsheets would otherwise run it as a formula when labels.csv is opened (CSV injection), and
 * they show the apostrophe as the mark of a text cell.
 */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The label zip written to a stream (the CLI's file), which it ends. */
export async function writeQrZip(db: ShopDb, output: Writable, onProgress?: (done: number) => void): Promise<{ passports: number }> {
  const zip = new yazl.ZipFile();
  zip.outputStream.pipe(output);
  const result = await fillQrZip(db, zip, onProgress);
  await finished(output);
  return result;
}

/**
 * A zip for label printing: an SVG and a PNG QR code per published passport, and labels.csv
 * (product, variant, SKU, GTIN, passport URL, encoded URL, file names). Entries are added as they
 * are rendered, so the zip can stream out while it is being made.
 */
export async function fillQrZip(db: ShopDb, zip: yazl.ZipFile, onProgress?: (done: number) => void): Promise<{ passports: number }> {
  const lines = [["Product", "Variant", "SKU", "GTIN", "Passport URL", "QR code URL", "SVG file", "PNG file"].join(",")];
  const used = new Set<string>();
  let count = 0;
  for await (const p of passportList(db)) {
    if (p.held) continue;
    let base = safeName(`${p.productTitle}-${p.variantTitle || p.sku || ""}`);
    if (used.has(base)) base = `${base}-${p.publicId.slice(0, 6)}`;
    used.add(base);
    const target = qrTarget({ passportUrl: p.url, digitalLinkUrl: p.digitalLinkUrl });
    zip.addBuffer(Buffer.from(renderQrSvg(target, { size: LABEL_PNG_SIZE })), `svg/${base}.svg`);
    zip.addBuffer(renderQrPng(target, { size: LABEL_PNG_SIZE }), `png/${base}.png`);
    lines.push([p.productTitle, p.variantTitle, p.sku ?? "", p.gtin ?? "", p.url, target, `svg/${base}.svg`, `png/${base}.png`].map(csvCell).join(","));
    count++;
    if (count % 100 === 0) onProgress?.(count);
    // Drawing a code takes the thread for a while: let other requests, and the zip's output
    // (the download's progress), go on between two.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  zip.addBuffer(Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`, "utf8"), "labels.csv");
  zip.end();
  return { passports: count };
}
