// Whether a product's passports are public, and the word the admin uses for it. One rule: a
// product's passports are published unless the merchant holds them back or the product is a draft
// (salesStatusOf). Archived products — archived in Shopify, or vanished from their source — stay
// published, marked as no longer sold, because printed QR codes must keep working.
import { salesStatusOf, type FieldValues } from "../catalog/fields";

export type PassportPublication = "published" | "draft" | "held" | "archived";

/** The publications in the order the admin lists them (tabs, filters). */
export const PASSPORT_PUBLICATIONS: readonly PassportPublication[] = ["published", "draft", "held", "archived"];

/** What the merchant reads for each publication (product list status and its tabs). */
export const PUBLICATION_LABELS: Readonly<Record<PassportPublication, string>> = {
  published: "Published",
  draft: "Draft (not published)",
  held: "Held back",
  archived: "Archived",
};

/** What each word means, for a tooltip or help text. */
export const PUBLICATION_DESCRIPTIONS: Readonly<Record<PassportPublication, string>> = {
  published: "Its passports are public.",
  draft: "A draft in its source: its passports are published once it is active.",
  held: "You hold its passports back: their pages answer “not found” until you publish them.",
  archived: "No longer sold: its passports stay public, marked as no longer sold, so printed codes keep working.",
};

export interface PublicationFacts {
  /** The merchant held the passports back (Product.passportHeld). */
  passportHeld: boolean;
  /** The product vanished from its source (Product.archivedAt). */
  archivedInSource: boolean;
  /** The product's field values; only its status counts here. */
  values: Pick<FieldValues, "status">;
}

/** Whether the public can open the product's passports (what Passport.held stores, negated). */
export function passportsPublished(product: Pick<PublicationFacts, "passportHeld" | "values">): boolean {
  return !product.passportHeld && salesStatusOf(product.values).published;
}

/**
 * The one word for a product's passports. Why they are not published comes first (held back by
 * the merchant before a draft: holding back is the merchant's own choice and outlasts the draft);
 * a published product that is no longer sold is "archived".
 */
export function passportPublication(product: PublicationFacts): PassportPublication {
  if (product.passportHeld) return "held";
  if (!passportsPublished(product)) return "draft";
  return product.archivedInSource || salesStatusOf(product.values).noLongerSold ? "archived" : "published";
}
