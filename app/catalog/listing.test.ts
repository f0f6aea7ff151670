// The product list's status and its tabs against a real database: each product listed under the
// one word that says whether its passports are public (passportPublication), and that word agrees
// with what the passports themselves do (Passport.held, set by regeneratePassports).
import { beforeAll, describe, expect, it } from "vitest";
import { forShop } from "../db/scoped.server";
import { regeneratePassports } from "../passports/passports.server";
import { passportPublication, PASSPORT_PUBLICATIONS } from "../passports/publication";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import type { ProductStatus } from "./fields";
import { listProducts } from "./catalog.server";

const db = forShop(TEST_SHOP);

interface Case {
  handle: string;
  held: boolean;
  archivedInSource: boolean;
  status?: ProductStatus;
}

// Every combination of the merchant's hold, the soft delete and Shopify's product status.
const CASES: Case[] = [false, true].flatMap((held) =>
  [false, true].flatMap((archivedInSource) =>
    ([undefined, "active", "unlisted", "draft", "archived"] as const).map((status) => ({ handle: `p-${held ? "held" : "free"}-${archivedInSource ? "gone" : "here"}-${status ?? "none"}`, held, archivedInSource, status })),
  ),
);

const expected = (c: Case) => passportPublication({ passportHeld: c.held, archivedInSource: c.archivedInSource, values: { status: c.status } });

async function seed(shopDb = db, cases = CASES): Promise<void> {
  const shop = shopDb.shopDomain;
  const now = new Date();
  await shopDb.product.createMany({
    data: cases.map((c) => ({ id: `${shop}/${c.handle}`, shop, handle: c.handle, title: c.handle, passportHeld: c.held, archivedAt: c.archivedInSource ? now : null })),
  });
  await shopDb.variant.createMany({ data: cases.map((c) => ({ id: `${shop}/${c.handle}/v`, shop, productId: `${shop}/${c.handle}`, title: "M" })) });
  await shopDb.fieldValue.createMany({
    data: cases.flatMap((c) => (c.status ? [{ shop, entityId: `${shop}/${c.handle}`, field: "status", locale: "", value: JSON.stringify(c.status), updatedAt: now }] : [])),
  });
  await shopDb.$transaction((tx) => regeneratePassports(tx, shop, { productIds: new Set(cases.map((c) => `${shop}/${c.handle}`)), variantIds: new Set() }, now));
}

beforeAll(async () => {
  await clearCatalog();
  await seed();
  // Another shop's drafts are not this shop's.
  await seed(forShop(OTHER_SHOP), [{ handle: "theirs", held: false, archivedInSource: false, status: "draft" }]);
});

describe("the product list's status", () => {
  it("is the publication of each product's passports, not 'Active' for a draft or an archived product", async () => {
    const list = await listProducts(db);
    expect(list.total).toBe(CASES.length);
    const byHandle = new Map(list.items.map((p) => [p.handle, p.publication]));
    for (const c of CASES) expect([c.handle, byHandle.get(c.handle)]).toEqual([c.handle, expected(c)]);
    expect(byHandle.get("p-free-here-draft")).toBe("draft");
    expect(byHandle.get("p-free-here-archived")).toBe("archived");
    expect(byHandle.get("p-free-here-active")).toBe("published");
  });

  it("agrees with the passports: held back or draft exactly where the passports are not published", async () => {
    const passports = await db.passport.findMany({ select: { variantId: true, held: true } });
    const heldByProduct = new Map(passports.map((p) => [p.variantId.replace(/\/v$/, ""), p.held]));
    for (const item of (await listProducts(db)).items) {
      expect([item.handle, heldByProduct.get(item.id)]).toEqual([item.handle, item.publication === "held" || item.publication === "draft"]);
    }
  });

  it("has a tab per publication that lists exactly the products with it", async () => {
    for (const publication of PASSPORT_PUBLICATIONS) {
      const list = await listProducts(db, { filter: publication });
      expect([publication, list.items.map((p) => p.handle).sort()]).toEqual([publication, CASES.filter((c) => expected(c) === publication).map((c) => c.handle).sort()]);
      expect(list.items.every((p) => p.publication === publication)).toBe(true);
    }
  });

  it("filters by publication together with a search", async () => {
    const list = await listProducts(db, { filter: "draft", search: "p-free-here" });
    expect(list.items.map((p) => p.handle)).toEqual(["p-free-here-draft"]);
  });
});
