// What a product's passports miss, said so the merchant knows what to fill in: the unmet rules of
// the completeness profile (passportCompleteness, the rules the score comes from), once for what
// every variant's passport misses and per variant for what only some miss (a barcode, a variant's
// own country of production).
import type { CompletenessResult } from "./completeness";

export type MissingItem = CompletenessResult["missing"][number];

export interface VariantMissing {
  variantId: string;
  /** How the variant is called on the page (its option values or title). */
  name: string;
  missing: readonly MissingItem[];
}

export interface MissingPassportData {
  /** Missing from every passport of the product (heaviest first). */
  everyPassport: MissingItem[];
  /** What some passports miss besides that, per variant; variants missing nothing more are left out. */
  someVariants: { variantId: string; name: string; missing: MissingItem[] }[];
}

/** Splits what the passports of a product miss into what they all miss and what some variants miss. */
export function missingPassportData(variants: readonly VariantMissing[]): MissingPassportData {
  if (variants.length === 0) return { everyPassport: [], someVariants: [] };
  const [first, ...rest] = variants;
  const everyPassport = first.missing.filter((item) => rest.every((v) => v.missing.some((m) => m.key === item.key)));
  const common = new Set(everyPassport.map((m) => m.key));
  const someVariants = variants
    .map((v) => ({ variantId: v.variantId, name: v.name, missing: v.missing.filter((m) => !common.has(m.key)) }))
    .filter((v) => v.missing.length > 0);
  return { everyPassport, someVariants };
}
