// Content-Disposition for downloads (RFC 6266): header values must be bytes up to U+00FF, so a
// file name such as "Merchant’s products – summer.xlsx" goes in twice: an ASCII stand-in as
// filename= for old clients, and the real name UTF-8 percent-encoded as filename*= (RFC 8187),
// which browsers prefer.

const TYPOGRAPHIC: Record<string, string> = { "‘": "'", "’": "'", "‚": "'", "“": "'", "”": "'", "„": "'", "–": "-", "—": "-", "…": "...", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE" };

/** The file name in printable ASCII, without quotes, backslashes or path separators. */
export function asciiFileName(fileName: string): string {
  const ascii = fileName
    .replace(/[‘’‚“”„–—…ßæÆøØœŒ]/g, (c) => TYPOGRAPHIC[c] ?? "_")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents: é → e
    .replace(/["\\/]/g, "")
    .replace(/[^\x20-\x7e]/gu, "_")
    .trim();
  return ascii || "download";
}

/** RFC 8187's value-chars: encodeURIComponent leaves ' ( ) * unescaped, which it does not allow. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `attachment; filename="…"; filename*=UTF-8''…` for any file name. */
export function attachment(fileName: string): string {
  const clean = fileName.replace(/[\u0000-\u001f\u007f/\\]/g, "").trim() || "download";
  const ascii = asciiFileName(clean);
  return ascii === clean ? `attachment; filename="${ascii}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${percentEncode(clean)}`;
}

/** The file name a Content-Disposition header gives (filename* first), or null. */
export function fileNameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // a malformed encoding: fall back to the plain name
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? null;
}
