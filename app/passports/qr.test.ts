import jsQR from "jsqr";
import { PNG } from "pngjs";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { clampQrSize, qrMatrix, qrPng, qrTarget, QR_QUIET_ZONE_MODULES, QR_SIZE, renderQrPng, renderQrSvg } from "./qr";

const DIGITAL_LINK = "https://passport.example.com/01/04006381333931";
const PASSPORT_URL = "https://passport.acme-apparel.com/p/7f3c9a2e-1b4d-4e8a-9c6f-2d5b8e1a0c3f";

function decodePng(buffer: Buffer): { width: number; height: number; text: string | undefined; png: PNG } {
  const png = PNG.sync.read(buffer);
  const result = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  return { width: png.width, height: png.height, text: result?.data, png };
}

function isDark(png: PNG, x: number, y: number): boolean {
  return png.data[(y * png.width + x) * 4] < 128;
}

/** Bounding box of the dark pixels. */
function darkBox(png: PNG): { left: number; top: number; right: number; bottom: number } {
  let left = png.width, top = png.height, right = -1, bottom = -1;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (!isDark(png, x, y)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { left, top, right, bottom };
}

/** Rebuilds the module matrix from the SVG path ("M{x} {y}h{n}v1h-{n}z" runs). */
function svgModules(svg: string): { side: number; dark: boolean[][] } {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path d="([^"]*)"/.exec(svg)?.[1] ?? "";
  const dark = Array.from({ length: side }, () => Array<boolean>(side).fill(false));
  for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(n); i++) dark[Number(y)][Number(x) + i] = true;
  }
  return { side, dark };
}

function rasterize(dark: boolean[][], scale: number): { data: Uint8ClampedArray; size: number } {
  const size = dark.length * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!dark[Math.floor(y / scale)][Math.floor(x / scale)]) continue;
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 0;
    }
  }
  return { data, size };
}

const XML_TAG = /<(\/?)([a-zA-Z][\w:-]*)(?:\s+[\w:-]+="[^"<]*")*\s*(\/?)>/g;

/** Minimal well-formedness check: one root, every tag closed in order, attributes quoted,
 *  no stray "<", ">" or unescaped "&". */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  let roots = 0;
  for (const [, closing, name, selfClosing] of body.matchAll(XML_TAG)) {
    if (closing) {
      expect(stack.pop()).toBe(name);
      continue;
    }
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  expect(body.replace(XML_TAG, "")).not.toMatch(/[<>]/);
  expect(body).not.toMatch(/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/);
}

describe("qrTarget", () => {
  it("encodes the GS1 Digital Link when there is one, else the passport URL", () => {
    expect(qrTarget({ passportUrl: PASSPORT_URL, digitalLinkUrl: DIGITAL_LINK })).toBe(DIGITAL_LINK);
    expect(qrTarget({ passportUrl: PASSPORT_URL })).toBe(PASSPORT_URL);
    expect(qrTarget({ passportUrl: PASSPORT_URL, digitalLinkUrl: null })).toBe(PASSPORT_URL);
    expect(qrTarget({ passportUrl: PASSPORT_URL, digitalLinkUrl: " " })).toBe(PASSPORT_URL);
  });
});

describe("clampQrSize", () => {
  it("keeps sizes between 64 and 2048 px, whole pixels, 512 by default", () => {
    expect(clampQrSize(10)).toBe(QR_SIZE.min);
    expect(clampQrSize(5000)).toBe(QR_SIZE.max);
    expect(clampQrSize(300.4)).toBe(300);
    expect(clampQrSize(undefined)).toBe(512);
    expect(clampQrSize(Number.NaN)).toBe(512);
  });
});

describe("qrMatrix", () => {
  it("uses error correction level Q and surrounds the symbol with a 4-module quiet zone", () => {
    const matrix = qrMatrix(DIGITAL_LINK);
    const q = QRCode.create(DIGITAL_LINK, { errorCorrectionLevel: "Q" }).modules;
    const m = QRCode.create(DIGITAL_LINK, { errorCorrectionLevel: "M" }).modules;
    expect(matrix.length).toBe(q.size + 2 * QR_QUIET_ZONE_MODULES);
    expect(matrix.length).not.toBe(m.size + 2 * QR_QUIET_ZONE_MODULES);
    const side = matrix.length;
    for (let i = 0; i < side; i++) {
      for (let k = 0; k < QR_QUIET_ZONE_MODULES; k++) {
        expect([matrix[k][i], matrix[side - 1 - k][i], matrix[i][k], matrix[i][side - 1 - k]]).toEqual([false, false, false, false]);
      }
    }
    expect(matrix[QR_QUIET_ZONE_MODULES][QR_QUIET_ZONE_MODULES]).toBe(true); // finder pattern corner
  });

  it("refuses to encode nothing", () => {
    expect(() => qrMatrix("")).toThrow(/nothing to encode/);
  });
});

describe("qrPng", () => {
  it("draws a code once for the same text and size (sizes as the routes clamp them)", () => {
    const png = qrPng(DIGITAL_LINK, 1024);
    expect(qrPng(DIGITAL_LINK, 1024)).toBe(png);
    expect(qrPng(DIGITAL_LINK, 99_999)).toBe(qrPng(DIGITAL_LINK, 2048));
    expect(qrPng(DIGITAL_LINK, 1000)).not.toBe(png);
    expect(qrPng(`${DIGITAL_LINK}/10/LOT1`, 1024)).not.toBe(png);
    expect(decodePng(png).width).toBe(1024);
  });
});

describe("renderQrPng", () => {
  it.each([64, 100, 128, 256, 300, 512, 1024, 2048])("decodes back to the URL at %i px", (size) => {
    for (const url of [DIGITAL_LINK, PASSPORT_URL]) {
      const decoded = decodePng(renderQrPng(url, { size }));
      expect(decoded.width).toBe(size);
      expect(decoded.height).toBe(size);
      expect(decoded.text).toBe(url);
    }
  });

  it("keeps at least 4 modules of white around the symbol", () => {
    const matrixSide = qrMatrix(DIGITAL_LINK).length;
    for (const size of [64, 256, 1000]) {
      const { png } = decodePng(renderQrPng(DIGITAL_LINK, { size }));
      const scale = Math.max(1, Math.floor(size / matrixSide));
      const box = darkBox(png);
      const quiet = QR_QUIET_ZONE_MODULES * scale;
      expect(box.left).toBeGreaterThanOrEqual(quiet);
      expect(box.top).toBeGreaterThanOrEqual(quiet);
      expect(png.width - 1 - box.right).toBeGreaterThanOrEqual(quiet);
      expect(png.height - 1 - box.bottom).toBeGreaterThanOrEqual(quiet);
    }
  });

  it("clamps the size and grows rather than blurs when modules do not fit", () => {
    expect(decodePng(renderQrPng(DIGITAL_LINK, { size: 8 })).width).toBe(64);
    expect(decodePng(renderQrPng(DIGITAL_LINK, { size: 99_999 })).width).toBe(2048);
    const longUrl = `${PASSPORT_URL}?${"x".repeat(300)}`;
    const decoded = decodePng(renderQrPng(longUrl, { size: 64 }));
    expect(decoded.width).toBe(qrMatrix(longUrl).length);
    expect(decoded.text).toBe(longUrl);
  });
});

describe("renderQrSvg", () => {
  it("is a well-formed SVG document", () => {
    const svg = renderQrSvg(`${PASSPORT_URL}?a=1&b="<2>"`, { size: 256 });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormedXml(svg);
    expect(svg).toContain('width="256" height="256"');
    expect(svg).toContain("&#38;b=&#34;&#60;2&#62;&#34;");
  });

  it("fills its container without a size and clamps a given size", () => {
    expect(renderQrSvg(DIGITAL_LINK)).not.toMatch(/<svg[^>]* width=/);
    expect(renderQrSvg(DIGITAL_LINK, { size: 1 })).toContain('width="64" height="64"');
  });

  it("draws exactly the symbol, inside a 4-module quiet zone, and decodes back to the URL", () => {
    for (const url of [DIGITAL_LINK, PASSPORT_URL]) {
      const svg = renderQrSvg(url);
      const { side, dark } = svgModules(svg);
      expect(dark).toEqual(qrMatrix(url));
      expect(svg).toContain(`<rect width="${side}" height="${side}" fill="#ffffff"/>`);
      const { data, size } = rasterize(dark, 4);
      expect(jsQR(data, size, size)?.data).toBe(url);
    }
  });
});
