// On SQLite the app has one connection: a write made by another request while a sync's transaction
// is open must not become part of it (a failing run would roll it back unseen). It waits for the
// transaction to end instead; what the transaction itself does, through any client, goes on.
import { describe, expect, it } from "vitest";
import { isPostgres } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { OTHER_SHOP, TEST_SHOP } from "./support/constants";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(isPostgres())("writes beside an open SQLite transaction", () => {
  it("keeps another shop's write made while a failing transaction was open", async () => {
    await deleteShopData(TEST_SHOP);
    await deleteShopData(OTHER_SHOP);
    const a = forShop(TEST_SHOP);
    const b = forShop(OTHER_SHOP);
    // Another request (its own async context, not the transaction's): Prisma's writes and
    // raw statements, started once A's transaction is open.
    let startB = () => {};
    const bWrites = new Promise<void>((resolve) => (startB = resolve)).then(() =>
      Promise.all([
        b.complianceRequest.create({ data: { shop: OTHER_SHOP, topic: "customers/redact", payload: "{}" } }),
        b.$executeRawUnsafe(`INSERT INTO "ComplianceRequest" ("id", "shop", "topic", "payload") VALUES ('raw-beside', '${OTHER_SHOP}', 'customers/data_request', '{}')`),
      ]),
    );
    const failing = a.$transaction(async (tx) => {
      await tx.complianceRequest.create({ data: { shop: TEST_SHOP, topic: "customers/redact", payload: "{}" } });
      startB();
      await sleep(100);
      // The transaction's own work through the plain client joins it, as before (no deadlock).
      await a.complianceRequest.create({ data: { shop: TEST_SHOP, topic: "shop/redact", payload: "{}" } });
      // And B's reads are not held up.
      expect(await b.complianceRequest.count()).toBe(0);
      throw new Error("the run fails");
    });
    await expect(failing).rejects.toThrow("the run fails");
    await bWrites;
    expect(await a.complianceRequest.count()).toBe(0); // rolled back, all of it
    expect(await b.complianceRequest.count()).toBe(2); // kept
    // A write made after the transaction ended is not held up (the gate reopens).
    await b.complianceRequest.create({ data: { shop: OTHER_SHOP, topic: "shop/redact", payload: "{}" } });
    expect(await b.complianceRequest.count()).toBe(3);
  });
});
