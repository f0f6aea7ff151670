// GS1 identifiers: GTIN normalization and check digits, and GS1 Digital Link URLs.
// GTIN-8/12/13/14 are stored and linked as GTIN-14 (left-padded with zeros).

export type GtinResult = { ok: true; gtin: string } | { ok: false; error: string };

/** The GS1 mod-10 check digit for the digits before it. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Weights 3,1,3,1… counted from the rightmost digit of the body.
    const weight = (body.length - i) % 2 === 1 ? 3 : 1;
    sum += Number(body[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** Checks a GTIN (8, 12, 13 or 14 digits, spaces and dashes ignored) and returns it as GTIN-14. */
export function normalizeGtin(raw: string | number): GtinResult {
  const digits = String(raw).trim().replace(/[\s-]/g, "");
  if (digits === "") return { ok: false, error: "is empty" };
  if (!/^\d+$/.test(digits)) return { ok: false, error: `"${String(raw).trim()}" is not a GTIN: only digits are allowed` };
  if (![8, 12, 13, 14].includes(digits.length)) {
    return { ok: false, error: `"${digits}" has ${digits.length} digits; a GTIN has 8, 12, 13 or 14` };
  }
  const expected = gs1CheckDigit(digits.slice(0, -1));
  if (Number(digits.at(-1)) !== expected) {
    return { ok: false, error: `"${digits}" has a wrong check digit: the last digit should be ${expected}` };
  }
  return { ok: true, gtin: digits.padStart(14, "0") };
}

/** GS1 Digital Link URI for a GTIN-14 on the given resolver base (`…/01/{gtin}[/21/{serial}]`). */
export function digitalLinkUrl(baseUrl: string, gtin14: string, serial?: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = `/01/${gtin14}${serial ? `/21/${encodeURIComponent(serial)}` : ""}`;
  return base + path;
}
