// GS1 identifiers: GTIN normalization and check digits, and GS1 Digital Link URLs.
// GTIN-8/12/13/14 are stored and linked as GTIN-14 (left-padded with zeros).

/** Why a GTIN was refused, for messages in the reader's language (the public resolver's 400). */
export type GtinProblem =
  | { kind: "empty" }
  | { kind: "notDigits"; text: string }
  | { kind: "length"; digits: string }
  | { kind: "checkDigit"; digits: string; expected: number };

export type GtinResult = { ok: true; gtin: string } | { ok: false; error: string; problem: GtinProblem };

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
  if (digits === "") return { ok: false, error: "is empty", problem: { kind: "empty" } };
  if (!/^\d+$/.test(digits)) {
    const text = String(raw).trim();
    return { ok: false, error: `"${text}" is not a GTIN: only digits are allowed`, problem: { kind: "notDigits", text } };
  }
  if (![8, 12, 13, 14].includes(digits.length)) {
    return { ok: false, error: `"${digits}" has ${digits.length} digits; a GTIN has 8, 12, 13 or 14`, problem: { kind: "length", digits } };
  }
  const expected = gs1CheckDigit(digits.slice(0, -1));
  if (Number(digits.at(-1)) !== expected) {
    return { ok: false, error: `"${digits}" has a wrong check digit: the last digit should be ${expected}`, problem: { kind: "checkDigit", digits, expected } };
  }
  return { ok: true, gtin: digits.padStart(14, "0") };
}

/**
 * Key qualifiers of a GTIN in a Digital Link, in the order GS1 requires them:
 * 22 (consumer product variant), 10 (batch or lot), 21 (serial number).
 */
export const GTIN_QUALIFIERS = ["22", "10", "21"] as const;
export type GtinQualifier = (typeof GTIN_QUALIFIERS)[number];
export type GtinQualifiers = Partial<Record<GtinQualifier, string>>;

/** GS1 Digital Link URI for a GTIN-14 on the given resolver base (`…/01/{gtin}[/22/…][/10/…][/21/…]`). */
export function digitalLinkUrl(baseUrl: string, gtin14: string, qualifiers: GtinQualifiers = {}): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = GTIN_QUALIFIERS.filter((key) => qualifiers[key]).map((key) => `/${key}/${encodeURIComponent(qualifiers[key]!)}`);
  return `${base}/01/${gtin14}${path.join("")}`;
}

/** Why the path of a Digital Link was refused. */
export type DigitalLinkProblem =
  | { kind: "gtin"; problem: GtinProblem }
  | { kind: "unknownKey"; key: string }
  | { kind: "order"; key: GtinQualifier; before: GtinQualifier }
  | { kind: "repeated"; key: GtinQualifier }
  | { kind: "missingValue"; key: GtinQualifier };

export type DigitalLinkPath = { ok: true; gtin: string; qualifiers: GtinQualifiers } | { ok: false; problem: DigitalLinkProblem };

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Parses the part of a Digital Link after `/01/`, still percent-encoded as it came in the URL
 * (so an encoded "/" in a serial number stays inside its value): the GTIN, then the qualifiers
 * 22, 10 and 21, each at most once and in that order. A trailing slash is ignored.
 */
export function parseDigitalLinkPath(rawPath: string): DigitalLinkPath {
  const segments = rawPath.split("/");
  if (segments.length > 1 && segments.at(-1) === "") segments.pop();
  const gtin = normalizeGtin(decodeSegment(segments[0]) ?? segments[0]);
  if (!gtin.ok) return { ok: false, problem: { kind: "gtin", problem: gtin.problem } };
  const qualifiers: GtinQualifiers = {};
  let previous = -1;
  for (let i = 1; i < segments.length; i += 2) {
    const key = segments[i];
    const rank = GTIN_QUALIFIERS.indexOf(key as GtinQualifier);
    if (rank < 0) return { ok: false, problem: { kind: "unknownKey", key: decodeSegment(key) ?? key } };
    const qualifier = key as GtinQualifier;
    if (rank === previous) return { ok: false, problem: { kind: "repeated", key: qualifier } };
    if (rank < previous) return { ok: false, problem: { kind: "order", key: qualifier, before: GTIN_QUALIFIERS[previous] } };
    const value = i + 1 < segments.length ? decodeSegment(segments[i + 1]) : null;
    if (!value) return { ok: false, problem: { kind: "missingValue", key: qualifier } };
    qualifiers[qualifier] = value;
    previous = rank;
  }
  return { ok: true, gtin: gtin.gtin, qualifiers };
}
