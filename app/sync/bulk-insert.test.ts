import { describe, expect, it } from "vitest";
import { CrossShopWriteError, forShop } from "../db/scoped.server";
import { insertRows, updateRows } from "./bulk-insert.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

const product = (id: string, shop = TEST_SHOP, title = `T ${id}`) => {
  const at = new Date("2026-11-27T10:00:00.000Z");
  return { id, shop, handle: `h-${id}`, title, vendor: "", archivedAt: null, passportHeld: false, originId: null, completeness: 0, createdAt: at, updatedAt: at };
};

describe("insertRows", () => {
  it("inserts many rows in few statements, with dates and booleans read back by Prisma", async () => {
    const db = forShop(TEST_SHOP);
    const now = new Date("2026-11-27T10:11:12.345Z");
    const earlier = new Date("2025-01-02T03:04:05.006Z");
    const rows = Array.from({ length: 4500 }, (_, i) => ({
      id: `p${i}`,
      shop: TEST_SHOP,
      handle: `h${i}`,
      title: `T${i}`,
      vendor: "",
      archivedAt: i % 2 ? now : null,
      passportHeld: i % 3 === 0,
      originId: null,
      completeness: 0,
      createdAt: i % 5 ? now : earlier,
      updatedAt: now,
    }));
    await db.$transaction((tx) => insertRows(tx, "Product", rows));
    expect(await db.product.count()).toBe(4500);
    const p = await db.product.findUniqueOrThrow({ where: { id: "p3" } });
    expect(p).toMatchObject({ passportHeld: true, createdAt: now, archivedAt: now });
    // Dates that change from row to row (each is written as its own).
    expect(await db.product.findUniqueOrThrow({ where: { id: "p5" } })).toMatchObject({ createdAt: earlier, updatedAt: now, archivedAt: now });
    expect(await db.product.count({ where: { createdAt: earlier } })).toBe(900);
    expect(await db.product.count({ where: { createdAt: { lt: new Date("2026-11-27T10:11:12.346Z") } } })).toBe(4500);
  });

  it("refuses a row of another shop", async () => {
    const db = forShop(TEST_SHOP);
    await expect(db.$transaction((tx) => insertRows(tx, "Shop", [{ shop: OTHER_SHOP }]))).rejects.toBeInstanceOf(CrossShopWriteError);
  });
});

describe("updateRows", () => {
  it("sets the given columns of the rows found by their key (the later of two for one key), and leaves the rest and other shops' rows", async () => {
    const db = forShop(TEST_SHOP);
    const other = forShop(OTHER_SHOP);
    await db.$transaction((tx) => insertRows(tx, "Product", [product("u1"), product("u2"), product("u3")]));
    await other.$transaction((tx) => insertRows(tx, "Product", [product("o1", OTHER_SHOP)]));
    const later = new Date("2026-11-28T08:00:00.000Z");
    await db.$transaction((tx) =>
      updateRows(tx, "Product", ["id"], [
        { shop: TEST_SHOP, id: "u1", title: "New 1", passportHeld: true, archivedAt: later, updatedAt: later },
        { shop: TEST_SHOP, id: "u3", title: "Overwritten below", passportHeld: true, archivedAt: later, updatedAt: later },
        { shop: TEST_SHOP, id: "u3", title: "New 3", passportHeld: false, archivedAt: null, updatedAt: later },
      ]),
    );
    const rows = await db.product.findMany({ where: { id: { in: ["u1", "u2", "u3"] } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.id, r.title, r.passportHeld, r.archivedAt, r.updatedAt])).toEqual([
      ["u1", "New 1", true, later, later],
      ["u2", "T u2", false, null, new Date("2026-11-27T10:00:00.000Z")],
      ["u3", "New 3", false, null, later],
    ]);
    expect((await other.product.findUniqueOrThrow({ where: { id: "o1" } })).title).toBe("T o1");
  });

  it("fails when a row is not there (or is another shop's), and the transaction keeps nothing", async () => {
    const db = forShop(TEST_SHOP);
    const other = forShop(OTHER_SHOP);
    await db.$transaction((tx) => insertRows(tx, "Product", [product("m1")]));
    await other.$transaction((tx) => insertRows(tx, "Product", [product("m2", OTHER_SHOP)]));
    const update = (id: string) =>
      db.$transaction((tx) =>
        updateRows(tx, "Product", ["id"], [
          { shop: TEST_SHOP, id: "m1", title: "Changed" },
          { shop: TEST_SHOP, id, title: "Changed" },
        ]),
      );
    await expect(update("nowhere")).rejects.toThrow(/2 rows given, 1 written/);
    await expect(update("m2")).rejects.toThrow(/2 rows given, 1 written/);
    expect((await db.product.findUniqueOrThrow({ where: { id: "m1" } })).title).toBe("T m1");
    expect((await other.product.findUniqueOrThrow({ where: { id: "m2" } })).title).toBe("T m2");
  });

  it("refuses a row of another shop", async () => {
    const db = forShop(TEST_SHOP);
    await expect(db.$transaction((tx) => updateRows(tx, "Product", ["id"], [{ shop: OTHER_SHOP, id: "x", title: "y" }]))).rejects.toBeInstanceOf(CrossShopWriteError);
  });
});
