import { describe, expect, it } from "vitest";
import { passportPublication, passportsPublished, PUBLICATION_LABELS } from "./publication";

describe("passportPublication", () => {
  const facts = (over: Partial<Parameters<typeof passportPublication>[0]> = {}) => ({ passportHeld: false, archivedInSource: false, values: {}, ...over });

  it("is published for a sold product, with or without a status", () => {
    expect(passportPublication(facts())).toBe("published");
    expect(passportPublication(facts({ values: { status: "active" } }))).toBe("published");
    expect(passportPublication(facts({ values: { status: "unlisted" } }))).toBe("published");
  });

  it("says a draft's passports are not published (the passports' own rule)", () => {
    const draft = facts({ values: { status: "draft" } });
    expect(passportsPublished(draft)).toBe(false);
    expect(passportPublication(draft)).toBe("draft");
    expect(PUBLICATION_LABELS.draft).toBe("Draft (not published)");
    // Vanished from its source and a draft: still not published.
    expect(passportPublication({ ...draft, archivedInSource: true })).toBe("draft");
  });

  it("says held back whenever the merchant holds the passports back, whatever the status", () => {
    for (const status of [undefined, "active", "draft", "archived"] as const) {
      expect(passportPublication(facts({ passportHeld: true, values: { status } }))).toBe("held");
      expect(passportsPublished(facts({ passportHeld: true, values: { status } }))).toBe(false);
    }
  });

  it("says archived for a product archived in Shopify or vanished from its source: its passports stay published", () => {
    const archived = facts({ values: { status: "archived" } });
    expect(passportsPublished(archived)).toBe(true);
    expect(passportPublication(archived)).toBe("archived");
    expect(passportPublication(facts({ archivedInSource: true }))).toBe("archived");
  });
});
