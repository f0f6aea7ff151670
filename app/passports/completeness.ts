// How complete a passport is, against a documented profile. Textiles come first (the first EU
// product group with a Digital Product Passport under the Ecodesign Regulation, ESPR (EU)
// 2024/1781); other product groups get their own profile later.
//
// Each rule names a piece of passport content, its weight (the weights of a profile add up to 100)
// and a hint written for the merchant. A rule is met when the content has a non-empty value for
// its key; the score is the share of the total weight met, as an integer 0–100.
import type { PassportContent } from "./content";

export interface CompletenessRule {
  /** The passport content key the rule checks. */
  key: keyof PassportContent;
  label: string;
  weight: number;
  /** Why it matters and what to do, for the merchant. */
  hint: string;
  /** Basic data every product has (title, image); the rest is what makes a passport. */
  basic?: boolean;
}

export interface PassportProfile {
  id: string;
  name: string;
  description: string;
  rules: readonly CompletenessRule[];
}

export const TEXTILE_PROFILE: PassportProfile = {
  id: "textile",
  name: "Textiles and apparel",
  description:
    "What a complete passport for clothing and textile products contains: the fibre composition the EU Textile Labelling " +
    "Regulation requires, who made the product and where, how to care for, repair and recycle it, and its identifier " +
    "and environmental figures as foreseen for the ESPR Digital Product Passport.",
  rules: [
    {
      key: "title",
      label: "Title",
      weight: 5,
      basic: true,
      hint: "Give the product a title, so people who scan the code know what they are looking at.",
    },
    {
      key: "image",
      label: "Product image",
      weight: 5,
      basic: true,
      hint: "Add a product image, so the passport can be matched to the product at a glance.",
    },
    {
      key: "materials",
      label: "Material composition",
      weight: 20,
      hint: "Add the material composition (each fibre and its share in %) — required by the EU Textile Labelling Regulation (EU) No 1007/2011.",
    },
    {
      key: "countryOfProduction",
      label: "Country of production",
      weight: 10,
      hint: "Add the country where the product was made — customers, customs and market surveillance look for it.",
    },
    {
      key: "manufacturer",
      label: "Manufacturer",
      weight: 10,
      hint: "Add the manufacturer's legal name — EU product rules require products to identify their manufacturer.",
    },
    {
      key: "facility",
      label: "Production facility",
      weight: 5,
      hint: "Add the factory that made the product (name and town) — the Digital Product Passport asks for the facility.",
    },
    {
      key: "gtin",
      label: "GTIN (barcode)",
      weight: 10,
      hint: "Add the variant's barcode (GTIN/EAN) — it identifies the product uniquely and turns the QR code into a GS1 Digital Link.",
    },
    {
      key: "careInstructions",
      label: "Care instructions",
      weight: 10,
      hint: "Add care instructions (washing, drying, ironing) — they make the product last and belong on every textile passport.",
    },
    {
      key: "repairInstructions",
      label: "Repair information",
      weight: 5,
      hint: "Add repair information (how and where the product can be repaired) — repairability is a core aim of the Ecodesign Regulation.",
    },
    {
      key: "recyclingInstructions",
      label: "Recycling information",
      weight: 10,
      hint: "Add recycling information (how to dispose of or recycle the product) — the passport must help sorters and recyclers at end of life.",
    },
    {
      key: "carbonFootprint",
      label: "Carbon footprint",
      weight: 5,
      hint: "Add the product's carbon footprint in kg CO2e — environmental figures are expected in the Digital Product Passport.",
    },
    {
      key: "certifications",
      label: "Certifications",
      weight: 5,
      hint: "Add the certifications the product holds (e.g. GOTS, OEKO-TEX), with a link to the certificate — they back up your claims.",
    },
  ],
};

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.values(value).some(hasValue);
  return true;
}

/** A rule is met when the content has a non-empty value for its key. */
function isMet(rule: CompletenessRule, content: PassportContent): boolean {
  return hasValue(content[rule.key]);
}

export interface CompletenessResult {
  /** 0–100, integer. */
  score: number;
  /** Unmet rules, heaviest first (what to fix first), in profile order for equal weights. */
  missing: { key: string; label: string; hint: string }[];
}

/** Scores passport content against a profile (textiles by default). */
export function passportCompleteness(content: PassportContent, profile: PassportProfile = TEXTILE_PROFILE): CompletenessResult {
  const total = profile.rules.reduce((sum, r) => sum + r.weight, 0);
  const met = profile.rules.filter((r) => isMet(r, content)).reduce((sum, r) => sum + r.weight, 0);
  const missing = profile.rules
    .filter((r) => !isMet(r, content))
    .sort((a, b) => b.weight - a.weight)
    .map(({ key, label, hint }) => ({ key, label, hint }));
  return { score: total > 0 ? Math.round((100 * met) / total) : 100, missing };
}
