// QR codes for passports, as SVG (print, any size) and PNG (downloads, previews).
//
// Error correction level Q (recovers ~25 % damage) rather than M (~15 %): passport codes end up on
// sewn-in textile labels and hang tags that get washed, creased, stitched over and partly covered.
// The cost is one symbol version more for a typical passport URL (29 → 33 modules for a
// 46-character Digital Link), which still scans well at label sizes.
//
// The quiet zone of 4 modules required by ISO/IEC 18004 is always kept: it is part of the image.
// Symbols are drawn from the module matrix of the `qrcode` package, whole pixels per module, so
// PNG edges are sharp and the SVG is a single path.
import QRCode from "qrcode";
import { LRUCache } from "lru-cache";
import { PNG } from "pngjs";

export const QR_ERROR_CORRECTION_LEVEL = "Q" as const;
export const QR_QUIET_ZONE_MODULES = 4;
/**
 * Image sizes in pixels. Requests are clamped to [min, max]: below 64 px a code with a quiet zone
 * has too few pixels per module to scan, above 2048 px files grow without any benefit.
 */
export const QR_SIZE = { min: 64, max: 2048, default: 512 } as const;

/** What the code encodes: the GS1 Digital Link when the variant has a GTIN, else the passport URL. */
export function qrTarget(urls: { passportUrl: string; digitalLinkUrl?: string | null }): string {
  return urls.digitalLinkUrl?.trim() ? urls.digitalLinkUrl.trim() : urls.passportUrl;
}

/** Clamps a requested size to QR_SIZE (whole pixels; missing or non-numeric → default). */
export function clampQrSize(size: number | undefined): number {
  if (size === undefined || !Number.isFinite(size)) return QR_SIZE.default;
  return Math.min(QR_SIZE.max, Math.max(QR_SIZE.min, Math.round(size)));
}

/** The symbol as rows of dark (true) / light modules, quiet zone included. */
export function qrMatrix(text: string): boolean[][] {
  if (typeof text !== "string" || text === "") throw new Error("QR code: nothing to encode");
  const { modules } = QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION_LEVEL });
  const side = modules.size + 2 * QR_QUIET_ZONE_MODULES;
  const inSymbol = (i: number) => i >= QR_QUIET_ZONE_MODULES && i < QR_QUIET_ZONE_MODULES + modules.size;
  return Array.from({ length: side }, (_, y) =>
    Array.from({ length: side }, (_, x) =>
      inSymbol(x) && inSymbol(y) ? modules.get(y - QR_QUIET_ZONE_MODULES, x - QR_QUIET_ZONE_MODULES) === 1 : false,
    ),
  );
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One path for all dark modules, one subpath per horizontal run (much smaller than a rect each). */
function darkModulesPath(matrix: boolean[][]): string {
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      const start = x;
      while (x + 1 < row.length && row[x + 1]) x++;
      const length = x - start + 1;
      parts.push(`M${start} ${y}h${length}v1h-${length}z`);
    }
  });
  return parts.join("");
}

/**
 * SVG document of the QR code. The viewBox is in modules (quiet zone included); with `size` the
 * SVG gets that width and height in px (clamped to QR_SIZE), without it it fills its container.
 */
export function renderQrSvg(url: string, options: { size?: number } = {}): string {
  const matrix = qrMatrix(url);
  const side = matrix.length;
  const dimensions = options.size === undefined ? "" : ` width="${clampQrSize(options.size)}" height="${clampQrSize(options.size)}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}"${dimensions} shape-rendering="crispEdges" role="img" aria-label="QR code">` +
    `<title>${escapeXml(url)}</title>` +
    `<rect width="${side}" height="${side}" fill="#ffffff"/>` +
    `<path d="${darkModulesPath(matrix)}" fill="#000000"/>` +
    `</svg>\n`
  );
}

/**
 * PNG of the QR code, `size` × `size` px (clamped to QR_SIZE). Each module is a whole number of
 * pixels; the pixels left over widen the white border evenly. If even one pixel per module does
 * not fit (a very long URL at a tiny size), the image grows to fit rather than blur modules.
 */
export function renderQrPng(url: string, options: { size: number }): Buffer {
  const matrix = qrMatrix(url);
  const side = matrix.length;
  const requested = clampQrSize(options.size);
  const scale = Math.max(1, Math.floor(requested / side));
  const imageSize = Math.max(requested, side * scale);
  const offset = Math.floor((imageSize - side * scale) / 2);

  const png = new PNG({ width: imageSize, height: imageSize, colorType: 0 });
  png.data.fill(255); // white, opaque
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) paintModule(png, offset + x * scale, offset + y * scale, scale);
    }),
  );
  // Every row filtered as "up" (rows repeat scale times): as small as pngjs's trial of every
  // filter on every row, at a third less time (2048 px: 380 → 240 ms).
  return PNG.sync.write(png, { colorType: 0, filterType: 2 });
}

/**
 * PNGs drawn recently, by size and text: a code is drawn on the main thread (a 2048 px one takes
 * a quarter of a second), and the same few are asked for again and again (label sheets, a
 * product page's preview, a client asking in a loop).
 */
const drawnPngs = new LRUCache<string, Buffer>({ maxSize: 32 * 1024 * 1024, sizeCalculation: (png) => png.length });

/** renderQrPng, drawn once for the same text and size while it stays among the recent ones. */
export function qrPng(url: string, size: number): Buffer {
  const key = `${clampQrSize(size)} ${url}`;
  let png = drawnPngs.get(key);
  if (!png) {
    png = renderQrPng(url, { size });
    drawnPngs.set(key, png);
  }
  return png;
}

function paintModule(png: PNG, left: number, top: number, scale: number): void {
  for (let py = top; py < top + scale; py++) {
    for (let px = left; px < left + scale; px++) {
      const i = (py * png.width + px) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = 0;
    }
  }
}
