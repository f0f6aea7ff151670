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
import { crc32, deflateSync } from "node:zlib";

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
  const rowBytes = Math.ceil(imageSize / 8);

  // One bit a pixel, 1 = white: each module row is drawn once and repeated `scale` times.
  const blank = new Uint8Array(rowBytes).fill(0xff);
  const drawn = matrix.map((modules) => {
    const row = blank.slice();
    modules.forEach((dark, x) => {
      if (!dark) return;
      for (let px = offset + x * scale; px < offset + (x + 1) * scale; px++) row[px >> 3] &= ~(0x80 >> (px & 7));
    });
    return row;
  });
  const lines = Array.from({ length: imageSize }, (_, py) => {
    const y = Math.floor((py - offset) / scale);
    return py >= offset && y < side ? drawn[y] : blank;
  });
  return bilevelPng(imageSize, imageSize, lines);
}

/**
 * A PNG of 1-bit grayscale pixels (`lines`: each row's bytes, most significant bit first). A QR
 * code is black and white: pngjs writes 8 bits a pixel, eight times the data to filter and
 * compress (a 1024 px label code took ~40 ms; the label zip of 10,000 passports, minutes).
 */
function bilevelPng(width: number, height: number, lines: readonly Uint8Array[]): Buffer {
  const rowBytes = Math.ceil(width / 8);
  const raw = Buffer.alloc(height * (rowBytes + 1)); // each row: filter type 0 (none), then its bytes
  lines.forEach((line, y) => raw.set(line, y * (rowBytes + 1) + 1));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter method, no interlace
  return Buffer.concat([PNG_SIGNATURE, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: its data's length, its type, the data, and the CRC-32 of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
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
