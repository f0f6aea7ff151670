// The product search (listProducts, and productSearch, which the Excel export's "Only products
// matching" uses) against a real database: every match counted and paged, whatever the number of
// variants; the text taken literally; letters matched in any case, accented ones too.
import { beforeEach, describe, expect, it } from "vitest";
import { forShop } from "../db/scoped.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { listProducts, PAGE_SIZE, productSearch } from "./catalog.server";

const db = forShop(TEST_SHOP);

interface Seed {
  handle: string;
  title?: string;
  skus?: string[];
  gtin?: string;
  archived?: boolean;
}

async function seed(products: Seed[], shopDb = db): Promise<void> {
  await shopDb.product.createMany({
    data: products.map((p) => ({ id: `${shopDb.shopDomain}/${p.handle}`, shop: shopDb.shopDomain, handle: p.handle, title: p.title ?? p.handle, archivedAt: p.archived ? new Date() : null })),
  });
  await shopDb.variant.createMany({
    data: products.flatMap((p) =>
      (p.skus ?? [null]).map((sku, i) => ({ id: `${shopDb.shopDomain}/${p.handle}/${i}`, shop: shopDb.shopDomain, productId: `${shopDb.shopDomain}/${p.handle}`, position: i, sku, gtin: i === 0 ? (p.gtin ?? null) : null })),
    ),
  });
}

/** The titles a search lists, across all its pages. */
async function found(search: string, filter?: "published" | "archived"): Promise<string[]> {
  const first = await listProducts(db, { search, filter });
  const titles = first.items.map((p) => p.title);
  for (let page = 2; page <= first.pages; page++) titles.push(...(await listProducts(db, { search, filter, page })).items.map((p) => p.title));
  expect(titles).toHaveLength(first.total);
  // The list's search (SQL) finds what the export's (productSearch, a Prisma where-clause) does.
  if (!filter) expect(await db.product.count({ where: await productSearch(db, search) })).toBe(first.total);
  return titles.sort();
}

beforeEach(clearCatalog);

describe("product search by SKU", () => {
  it("finds every product whose variants' SKUs start with the text, however many variants match", async () => {
    // 60 products × 20 variants: 1,200 variants start with "TS-" (the search once read only 1,000).
    await seed(Array.from({ length: 60 }, (_, n) => ({ handle: `tee-${String(n).padStart(2, "0")}`, skus: Array.from({ length: 20 }, (_, i) => `TS-${n}-${i}`) })));
    await seed([{ handle: "other", skus: ["XS-1"] }]);
    const list = await listProducts(db, { search: "TS-" });
    expect(list.total).toBe(60);
    expect(list.pages).toBe(Math.ceil(60 / PAGE_SIZE));
    expect(list.items).toHaveLength(PAGE_SIZE);
    expect(list.items[0].variants).toBe(20);
    const all = await found("TS-");
    expect(new Set(all).size).toBe(60);
    expect(all).not.toContain("other");
    // The export's filter is the same where-clause.
    expect(await db.product.count({ where: await productSearch(db, "TS-") })).toBe(60);
    expect(await found("ts-1")).toHaveLength(11); // TS-1-…, and TS-10-… to TS-19-…
  });

  it("keeps to the shop's own variants, and to the list's filters", async () => {
    await seed([{ handle: "mine", skus: ["AB-1"] }, { handle: "archived", skus: ["AB-2"], archived: true }]);
    await seed([{ handle: "theirs", skus: ["AB-3"] }], forShop(OTHER_SHOP));
    expect(await found("AB-")).toEqual(["archived", "mine"]);
    expect(await found("AB-", "published")).toEqual(["mine"]);
    expect(await found("AB-", "archived")).toEqual(["archived"]);
  });

  it("finds a product by its barcode, written as any GTIN length", async () => {
    await seed([{ handle: "coded", skus: ["C-1"], gtin: "04006381333931" }, { handle: "plain", skus: ["P-1"] }]);
    expect(await found("4006381333931")).toEqual(["coded"]);
    expect(await found("04006381333931")).toEqual(["coded"]);
  });
});

describe("product search text", () => {
  it("takes % literally", async () => {
    await seed([{ handle: "cotton", title: "100% Cotton Tee", skus: ["CT-1"] }, { handle: "linen", title: "Linen Shirt", skus: ["LS-1"] }, { handle: "sku-percent", title: "Sale", skus: ["%OFF-1"] }]);
    expect(await found("%")).toEqual(["100% Cotton Tee", "Sale"]);
    expect(await found("100%")).toEqual(["100% Cotton Tee"]);
    expect(await found("0%")).toEqual(["100% Cotton Tee"]);
    expect(await found("% c")).toEqual(["100% Cotton Tee"]);
  });

  it("takes _ literally, in titles and SKUs", async () => {
    await seed([
      { handle: "underscore", title: "Tee_Shirt", skus: ["TEE_S"] },
      { handle: "dash", title: "Tee-Shirt", skus: ["TEE-S"] },
      { handle: "plain", title: "Plain", skus: ["PL-1"] },
    ]);
    expect(await found("_")).toEqual(["Tee_Shirt"]);
    expect(await found("TEE_")).toEqual(["Tee_Shirt"]);
    expect(await found("tee_s")).toEqual(["Tee_Shirt"]);
    expect(await found("TEE-")).toEqual(["Tee-Shirt"]);
    expect(await found("Tee")).toEqual(["Tee-Shirt", "Tee_Shirt"]);
  });

  it("takes a backslash literally", async () => {
    await seed([{ handle: "slash", title: "A\\B", skus: ["S-1"] }, { handle: "ab", title: "AB", skus: ["S-2"] }]);
    expect(await found("\\")).toEqual(["A\\B"]);
    expect(await found("A\\B")).toEqual(["A\\B"]);
  });

  it("matches letters in any case, accented ones too", async () => {
    await seed([
      { handle: "jacke", title: "Über Jacke", skus: ["ÜJ-1"] },
      { handle: "ete", title: "Robe d'été", skus: ["RE-1"] },
      { handle: "uber", title: "Uber Coat", skus: ["UC-1"] },
    ]);
    expect(await found("über")).toEqual(["Über Jacke"]);
    expect(await found("ÜBER JACKE")).toEqual(["Über Jacke"]);
    expect(await found("jacke")).toEqual(["Über Jacke"]);
    expect(await found("ÉTÉ")).toEqual(["Robe d'été"]);
    expect(await found("üj-")).toEqual(["Über Jacke"]);
    expect(await found("uber")).toEqual(["Uber Coat"]);
  });

  it("finds by handle, and lists everything for an empty search", async () => {
    await seed([{ handle: "summer-dress", title: "Dress", skus: ["D-1"] }, { handle: "coat", title: "Coat", skus: ["C-1"] }]);
    expect(await found("SUMMER-")).toEqual(["Dress"]);
    expect(await found("  ")).toEqual(["Coat", "Dress"]);
  });
});
