// Tenancy: a shop-scoped client reads and changes only its own shop's rows.
import { describe, expect, it } from "vitest";
import { db } from "../db.server";
import { CrossShopWriteError, forShop, SHOP_MODELS } from "./scoped.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

describe("forShop", () => {
  it("knows every shop-owned table", () => {
    expect(SHOP_MODELS).toEqual(expect.arrayContaining(["Session", "Shop", "Integration", "Product", "Variant", "FieldValue", "Passport", "SyncRun", "Job", "Upload"]));
  });

  it("filters reads, updates and deletes by shop", async () => {
    await db.product.createMany({
      data: [
        { id: "mine", shop: TEST_SHOP, handle: "a", title: "Mine" },
        { id: "theirs", shop: OTHER_SHOP, handle: "a", title: "Theirs" },
      ],
    });
    const mine = forShop(TEST_SHOP);
    expect((await mine.product.findMany()).map((p) => p.id)).toEqual(["mine"]);
    expect(await mine.product.findUnique({ where: { id: "theirs" } })).toBeNull();
    expect(await mine.product.count()).toBe(1);
    await expect(mine.product.update({ where: { id: "theirs" }, data: { title: "Hacked" } })).rejects.toThrow();
    expect((await mine.product.updateMany({ data: { title: "Renamed" } })).count).toBe(1);
    expect((await mine.product.deleteMany({ where: { id: "theirs" } })).count).toBe(0);
    expect((await db.product.findUniqueOrThrow({ where: { id: "theirs" } })).title).toBe("Theirs");
  });

  it("stamps creates with the shop and refuses writes naming another shop", async () => {
    const mine = forShop(TEST_SHOP);
    const created = await mine.integration.create({ data: { shop: TEST_SHOP, kind: "excel" } });
    expect(created.shop).toBe(TEST_SHOP);
    await expect(mine.integration.create({ data: { shop: OTHER_SHOP, kind: "shopify" } })).rejects.toBeInstanceOf(CrossShopWriteError);
    await expect(mine.integration.update({ where: { id: created.id }, data: { shop: OTHER_SHOP } })).rejects.toBeInstanceOf(CrossShopWriteError);
  });

  it("starts a transaction after a long one ends instead of failing (a sync's run is one long transaction)", async () => {
    const mine = forShop(TEST_SHOP);
    const product = (handle: string) => ({ id: handle, shop: TEST_SHOP, handle, title: handle });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const long = mine.$transaction(async (tx) => {
      await tx.product.create({ data: product("during-a-sync") });
      await held;
    }, { timeout: 10_000 });
    const timer = setTimeout(release, 2_500); // longer than Prisma's default wait of 2 s
    await mine.$transaction(async (tx) => tx.product.create({ data: product("edited-meanwhile") }));
    clearTimeout(timer);
    release();
    await long;
    const handles = ["during-a-sync", "edited-meanwhile"];
    expect((await mine.product.findMany({ where: { handle: { in: handles } }, orderBy: { handle: "asc" } })).map((p) => p.handle)).toEqual(handles);
    await mine.product.deleteMany({ where: { handle: { in: handles } } });
  }, 15_000);

  it("scopes transactions too", async () => {
    const mine = forShop(TEST_SHOP);
    await db.shop.createMany({ data: [{ shop: TEST_SHOP, name: "Mine" }, { shop: OTHER_SHOP, name: "Theirs" }] });
    const names = await mine.$transaction(async (tx) => {
      expect(tx.shopDomain).toBe(TEST_SHOP);
      return (await tx.shop.findMany()).map((s) => s.name);
    });
    expect(names).toEqual(["Mine"]);
  });
});
