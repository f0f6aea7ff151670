// The machine-readable passport: a UN Transparency Protocol (UNTP) Digital Product Passport v0.6.1
// credential (JSON-LD), built from the passport content, and its validation against the vendored
// JSON Schema (app/passports/untp-dpp-0.6.1/).
//
// Mapping rule: every piece of content the schema has a place for is mapped; nothing we do not
// know is made up. Where v0.6.1 *requires* a property we have no data for, the value used is
// spelled out below (party/facility ids, emissions scope, claim conformance). Content with no
// place in v0.6.1 (care text itself, option values, category as free text, `noLongerSold`) is
// reached through links to the human-readable passport page instead.
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import untpDppSchema from "./untp-dpp-0.6.1/untp-dpp-schema.json";
import { normalizeHttpUrl } from "../catalog/fields";
import { localePreference, pickLocalized, type PassportCertification, type PassportContent, type PassportMaterial } from "./content";
import { PASSPORT_SECTION_IDS } from "./page";

export const UNTP_DPP_VERSION = "0.6.1";
export const UNTP_DPP_CONTEXT = [
  "https://www.w3.org/ns/credentials/v2",
  `https://test.uncefact.org/vocabulary/untp/dpp/${UNTP_DPP_VERSION}/`,
] as const;

/** GS1 Web Vocabulary link types (https://gs1.org/voc/), used as `linkType` of links. */
const LINK_TYPE = {
  productInformationPage: "https://gs1.org/voc/pip",
  image: "https://gs1.org/voc/relatedImage",
  instructions: "https://gs1.org/voc/instructions",
  sustainability: "https://gs1.org/voc/sustainabilityInfo",
  certification: "https://gs1.org/voc/certificationInfo",
} as const;

const GTIN_SCHEME: UntpIdentifierScheme = {
  type: ["IdentifierScheme"],
  id: "https://id.gs1.org/01/",
  name: "Global Trade Item Number (GTIN)",
};

// ---------------------------------------------------------------------------------------------
// The credential's shape (the part of UNTP DPP v0.6.1 this app fills)

export interface UntpIdentifierScheme {
  type: ["IdentifierScheme"];
  id: string;
  name: string;
}
export interface UntpLink {
  linkURL: string;
  linkName?: string;
  linkType?: string;
}
export interface UntpMeasure {
  value: number;
  /** UNECE Rec 20 unit code (GRM = gram, LTR = litre). */
  unit: string;
}
export interface UntpParty {
  id: string;
  name: string;
  registeredId?: string;
}
export interface UntpProduct {
  type: ["Product"];
  id: string;
  name: string;
  registeredId?: string;
  idScheme: UntpIdentifierScheme;
  productImage?: UntpLink;
  description?: string;
  furtherInformation: UntpLink[];
  producedByParty?: UntpParty;
  producedAtFacility?: UntpParty;
  countryOfProduction?: string;
  dimensions?: { weight: UntpMeasure };
}
export interface UntpMaterial {
  name: string;
  originCountry?: string;
  /** 0–1 */
  massFraction: number;
  /** 0–1 */
  recycledMassFraction?: number;
}
export interface UntpMetric {
  metricName: string;
  metricValue: UntpMeasure;
}
export interface UntpClaim {
  type: ["Claim", "Declaration"];
  id: string;
  description: string;
  declaredValue?: UntpMetric[];
  conformance: boolean;
  conformityTopic: "governance.compliance" | "environment.water";
  conformityEvidence?: UntpLink;
}
export interface UntpEmissionsScorecard {
  carbonFootprint: number;
  declaredUnit: string;
  operationalScope: "None" | "CradleToGate" | "CradleToGrave";
  primarySourcedRatio: number;
}
export interface UntpCircularityScorecard {
  recyclingInformation?: UntpLink;
  repairInformation?: UntpLink;
  recycledContent?: number;
}
export interface UntpProductPassport {
  type: ["ProductPassport"];
  product: UntpProduct;
  granularityLevel: "item" | "batch" | "model";
  conformityClaim?: UntpClaim[];
  emissionsScorecard?: UntpEmissionsScorecard;
  circularityScorecard?: UntpCircularityScorecard;
  materialsProvenance?: UntpMaterial[];
}
export interface UntpCredential {
  "@context": string[];
  type: ["DigitalProductPassport", "VerifiableCredential"];
  id: string;
  issuer: { type: ["CredentialIssuer"]; id: string; name: string };
  validFrom: string;
  credentialSubject: UntpProductPassport;
}

export interface UntpMeta {
  publicId: string;
  version: number;
  versionCreatedAt: Date;
  /** The public passport page. */
  passportUrl: string;
  /** GS1 Digital Link of the variant (only when it has a GTIN). */
  digitalLinkUrl?: string;
  /** `id` must be a URI, ideally a did:web (see `didWebFromUrl`). */
  issuer: { name: string; id: string };
  /** Language of the texts; defaults to the shop's primary locale. */
  locale?: string;
  /** Where this credential is served; default `{passportUrl}#credential-v{version}`. */
  credentialUrl?: string;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** did:web identifier for the host (and path) of a URL, per the did:web method: ":" separates
 *  path segments and a port's colon is percent-encoded. */
export function didWebFromUrl(url: string): string {
  const { host, pathname } = new URL(url);
  const segments = pathname.split("/").filter(Boolean).map(encodeURIComponent);
  return ["did:web", host.replace(":", "%3A"), ...segments].join(":");
}

/** A percentage (0–100) as a fraction (0–1), without binary noise like 0.30000000000000004. */
function fraction(percent: number): number {
  return Math.round(percent * 10_000) / 1_000_000;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function sectionUrl(meta: UntpMeta, section: string): string {
  return `${meta.passportUrl.replace(/#.*$/, "")}#${section}`;
}

function productName(content: PassportContent, locales: string[]): string {
  const title = pickLocalized(content.title, locales)?.text ?? "";
  return content.variantTitle ? `${title} – ${content.variantTitle}` : title;
}

// ---------------------------------------------------------------------------------------------
// Mapping, one part at a time

/** With a GTIN the product is identified by GS1 (its Digital Link is the resolvable id);
 *  without one it is identified by its passport URL in the issuer's own scheme. */
function productIdentity(content: PassportContent, meta: UntpMeta): Pick<UntpProduct, "id" | "registeredId" | "idScheme"> {
  if (content.gtin) {
    return {
      id: meta.digitalLinkUrl ?? `https://id.gs1.org/01/${content.gtin}`,
      registeredId: content.gtin,
      idScheme: GTIN_SCHEME,
    };
  }
  return {
    id: meta.passportUrl,
    registeredId: meta.publicId,
    idScheme: { type: ["IdentifierScheme"], id: meta.issuer.id, name: `${meta.issuer.name} passport identifiers` },
  };
}

function furtherInformation(content: PassportContent, meta: UntpMeta, locales: string[]): UntpLink[] {
  const links: UntpLink[] = [{ linkURL: meta.passportUrl, linkName: "Digital Product Passport", linkType: LINK_TYPE.productInformationPage }];
  if (pickLocalized(content.careInstructions, locales)) {
    links.push({ linkURL: sectionUrl(meta, PASSPORT_SECTION_IDS.care), linkName: "Care instructions", linkType: LINK_TYPE.instructions });
  }
  return links;
}

/** v0.6.1 requires a URI id for parties and facilities; the catalog holds only their names, so they
 *  are identified as nodes of this passport (`{passportUrl}#manufacturer`, `#facility`). */
function localParty(meta: UntpMeta, fragment: string, name: string | undefined): UntpParty | undefined {
  return name ? { id: `${meta.passportUrl.replace(/#.*$/, "")}#${fragment}`, name } : undefined;
}

/**
 * A link from the content as the schema's "uri" format takes it. Content is normalized when it is
 * built, but a version stored before that may hold a raw "|" or "ü" (and stays served as it is).
 */
function linkUrl(url: string | undefined): string | undefined {
  return url === undefined ? undefined : normalizeHttpUrl(url);
}

function buildProduct(content: PassportContent, meta: UntpMeta, locales: string[]): UntpProduct {
  const name = productName(content, locales);
  const imageUrl = linkUrl(content.image?.url);
  return compact<UntpProduct>({
    type: ["Product"],
    ...productIdentity(content, meta),
    name,
    productImage: imageUrl ? { linkURL: imageUrl, linkName: content.image?.alt ?? name, linkType: LINK_TYPE.image } : undefined,
    description: pickLocalized(content.description, locales)?.text,
    furtherInformation: furtherInformation(content, meta, locales),
    producedByParty: localParty(meta, "manufacturer", content.manufacturer),
    producedAtFacility: localParty(meta, "facility", content.facility),
    countryOfProduction: content.countryOfProduction,
    dimensions: content.weight !== undefined ? { weight: { value: content.weight, unit: "GRM" } } : undefined,
  });
}

function buildMaterial(m: PassportMaterial): UntpMaterial {
  return compact<UntpMaterial>({
    name: m.material,
    originCountry: m.originCountry,
    massFraction: fraction(m.massPercent),
    recycledMassFraction: m.recycledPercent !== undefined ? fraction(m.recycledPercent) : undefined,
  });
}

/** Recycled share of the whole product: only when every material says how much of it is recycled. */
function recycledContent(materials: PassportMaterial[] | undefined): number | undefined {
  if (!materials?.length || materials.some((m) => m.recycledPercent === undefined)) return undefined;
  const percentOfProduct = materials.reduce((sum, m) => sum + (m.massPercent * (m.recycledPercent ?? 0)) / 100, 0);
  return fraction(percentOfProduct);
}

function buildCircularity(content: PassportContent, meta: UntpMeta, locales: string[]): UntpCircularityScorecard | undefined {
  const scorecard = compact<UntpCircularityScorecard>({
    recyclingInformation: pickLocalized(content.recyclingInstructions, locales)
      ? { linkURL: sectionUrl(meta, PASSPORT_SECTION_IDS.recycling), linkName: "Recycling information", linkType: LINK_TYPE.sustainability }
      : undefined,
    repairInformation: pickLocalized(content.repairInstructions, locales)
      ? { linkURL: sectionUrl(meta, PASSPORT_SECTION_IDS.repair), linkName: "Repair information", linkType: LINK_TYPE.instructions }
      : undefined,
    recycledContent: recycledContent(content.materials),
  });
  return Object.keys(scorecard).length ? scorecard : undefined;
}

/**
 * The carbon footprint as a v0.6.1 emissions scorecard. Its four properties are all required;
 * the catalog field is defined as the footprint of one item over its life cycle, hence
 * declaredUnit "EA" (each) and operationalScope "CradleToGrave". We hold no figure for the share
 * of primary data, so primarySourcedRatio is 0: no primary-data share is claimed.
 */
function buildEmissions(content: PassportContent): UntpEmissionsScorecard | undefined {
  if (content.carbonFootprint === undefined) return undefined;
  return { carbonFootprint: content.carbonFootprint, declaredUnit: "EA", operationalScope: "CradleToGrave", primarySourcedRatio: 0 };
}

function certificationDescription(c: PassportCertification): string {
  const parts = [`Certified: ${c.name}`];
  if (c.body) parts.push(`certifying body: ${c.body}`);
  if (c.validUntil) parts.push(`valid until ${c.validUntil}`);
  return parts.join("; ");
}

/**
 * A certification as a conformity claim. The catalog does not say which UNTP topic a scheme
 * covers, so every certification is filed under "governance.compliance" (conformity with a
 * certification scheme) rather than guessed from its name. `conformance` is false when the
 * certificate had already expired when this version was issued.
 */
function certificationClaim(c: PassportCertification, index: number, meta: UntpMeta): UntpClaim {
  const issuedOn = isoSeconds(meta.versionCreatedAt).slice(0, 10);
  const evidenceUrl = linkUrl(c.url);
  return compact<UntpClaim>({
    type: ["Claim", "Declaration"],
    id: sectionUrl(meta, `certification-${index + 1}`),
    description: certificationDescription(c),
    conformance: c.validUntil === undefined || c.validUntil >= issuedOn,
    conformityTopic: "governance.compliance",
    conformityEvidence: evidenceUrl ? { linkURL: evidenceUrl, linkName: c.name, linkType: LINK_TYPE.certification } : undefined,
  });
}

/** v0.6.1 has no water metric outside claims: water use is a self-declared value (topic
 *  environment.water, unit LTR), declared — not assessed against a standard. */
function waterUseClaim(litres: number, meta: UntpMeta): UntpClaim {
  return {
    type: ["Claim", "Declaration"],
    id: sectionUrl(meta, "water-use"),
    description: "Self-declared water use to make one item; not assessed against a standard.",
    declaredValue: [{ metricName: "Water use", metricValue: { value: litres, unit: "LTR" } }],
    conformance: true,
    conformityTopic: "environment.water",
  };
}

function buildClaims(content: PassportContent, meta: UntpMeta): UntpClaim[] | undefined {
  const claims = (content.certifications ?? []).map((c, i) => certificationClaim(c, i, meta));
  if (content.waterUse !== undefined) claims.push(waterUseClaim(content.waterUse, meta));
  return claims.length ? claims : undefined;
}

/** Drops undefined members, keeping the key order. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** The UNTP DPP v0.6.1 credential for one passport version (unsigned). */
export function buildUntpCredential(content: PassportContent, meta: UntpMeta): UntpCredential {
  const locales = localePreference(content, meta.locale);
  return {
    "@context": [...UNTP_DPP_CONTEXT],
    type: ["DigitalProductPassport", "VerifiableCredential"],
    id: meta.credentialUrl ?? sectionUrl(meta, `credential-v${meta.version}`),
    issuer: { type: ["CredentialIssuer"], id: meta.issuer.id, name: meta.issuer.name },
    validFrom: isoSeconds(meta.versionCreatedAt),
    credentialSubject: compact<UntpProductPassport>({
      type: ["ProductPassport"],
      product: buildProduct(content, meta, locales),
      // One passport per variant: it describes the product model, not a batch or a single item.
      granularityLevel: "model",
      conformityClaim: buildClaims(content, meta),
      emissionsScorecard: buildEmissions(content),
      circularityScorecard: buildCircularity(content, meta, locales),
      materialsProvenance: content.materials?.map(buildMaterial),
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

let compiled: ValidateFunction | undefined;

/**
 * The upstream schema is used verbatim, so Ajv's strict mode is off: the schema puts `minContains`
 * inside `contains` and gives `@context` a `prefixItems` tuple without `items: false` — harmless
 * authoring quirks that strict mode refuses. Its annotation keywords are declared so they are
 * known rather than silently skipped.
 */
function untpValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addKeyword("example");
    ajv.addKeyword("x-external-enumeration");
    compiled = ajv.compile(untpDppSchema);
  }
  return compiled;
}

/** Checks a credential against the UNTP DPP v0.6.1 JSON Schema. */
export function validateUntpCredential(json: unknown): { valid: boolean; errors: string[] } {
  const validate = untpValidator();
  const valid = validate(json) === true;
  const errors = valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
  return { valid, errors };
}
