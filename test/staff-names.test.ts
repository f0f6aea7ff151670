// Staff names in the history, through the product page's action as Shopify admin calls it (a
// session token), against the Shopify simulator: a manual edit records the staff member's id and
// a label with their name, which an online token exchange gives (once per staff member until that
// token expires); the admin and background work keep the shop's offline token.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startShopifySim, type ShopifySim } from "../tools/shopify-sim/index.ts";
import { fieldHistory, productDetail } from "../app/catalog/catalog.server";
import { db as rootDb } from "../app/db.server";
import { forShop } from "../app/db/scoped.server";
import { redirectAdminApi } from "../app/integrations/shopify/admin-origin.server";
import { action, loader } from "../app/routes/app.products.$id";
import { loader as home } from "../app/routes/app._index";
import { unauthenticated } from "../app/shopify.server";
import { executeSync } from "../app/sync/engine.server";
import { TEST_API_KEY, TEST_API_SECRET, TEST_SHOP } from "./support/constants";
import { sessionToken } from "./support/shopify";

const db = forShop(TEST_SHOP);
let sim: ShopifySim;
let productId: string;

/** A request of the embedded admin, as staff member `userId`. */
async function adminRequest(path: string, userId: string, init: RequestInit = {}): Promise<Request> {
  return new Request(`http://127.0.0.1:3999${path}`, { ...init, headers: { Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP, userId })}`, ...init.headers } });
}

/** Staff member `userId` edits the product's care instructions on the product page. */
async function edit(userId: string, text: string): Promise<unknown> {
  const request = await adminRequest(`/app/products/${productId}`, userId, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ entityId: productId, field: "careInstructions", locale: "en", value: JSON.stringify(text) }).toString(),
  });
  return action({ request, params: { id: productId }, context: {} } as never);
}

const exchanges = () => sim.stats(TEST_SHOP).shops[TEST_SHOP]!.tokenExchanges;
const careSource = async () => (await productDetail(db, productId)).fields.find((f) => f.field === "careInstructions")!.values[0]!;
const latestHistory = async () => (await fieldHistory(db, productId, "careInstructions"))[0]!;

beforeAll(async () => {
  sim = await startShopifySim({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, seed: [], log: () => undefined });
  setAbstractFetchFunc(redirectAdminApi(sim.url));
  // Installed as Shopify does it: the first admin request's session token exchanged for the offline token.
  await home({ request: await adminRequest("/app", "1"), params: {}, context: {} } as never);
  const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
  await executeSync({
    shop: TEST_SHOP,
    integrationId: shopify.id,
    trigger: "manual",
    source: async () => ({ scope: "full", records: [{ externalId: "gid://shopify/Product/1", handle: "tee", fields: { title: { en: "Tee" } }, variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "TEE-S" } }] }] }),
  });
  productId = (await db.product.findFirstOrThrow()).id;
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await db.session.deleteMany({ where: { isOnline: true } });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a manual edit in the admin", () => {
  it("records the staff member's id and a label with their name, from one online token exchange", async () => {
    sim.setStaffMember(TEST_SHOP, 42, { first_name: "Jane", last_name: "Doe", email: "jane@passport-test.example" });
    const offlineBefore = await db.session.findUniqueOrThrow({ where: { id: `offline_${TEST_SHOP}` } });
    const before = exchanges();

    expect(await edit("42", "Wash at 30 °C.")).toEqual({ ok: true });
    expect(exchanges()).toBe(before + 1);
    const value = await db.fieldValue.findFirstOrThrow({ where: { entityId: productId, field: "careInstructions" } });
    expect(value).toMatchObject({ sourceId: null, editedBy: "staff 42" });
    expect(await latestHistory()).toMatchObject({ newValue: "Wash at 30 °C.", source: "Manual edit by Jane Doe" });
    expect(await careSource()).toMatchObject({ source: "Manual edit by Jane Doe", editedBy: "staff 42" });

    // What is kept of the online session: the name until Shopify's expiry (the simulator's hour); no token, no email.
    const online = await db.session.findUniqueOrThrow({ where: { id: `${TEST_SHOP}_42` } });
    expect(online).toMatchObject({ isOnline: true, userId: 42n, firstName: "Jane", lastName: "Doe", accessToken: "", refreshToken: null });
    expect(online.email ?? "").toBe("");
    expect(Math.abs(online.expires!.getTime() - (Date.now() + 3600_000))).toBeLessThan(60_000);
    // The shop's offline session, background work's, is untouched.
    expect(await db.session.findUniqueOrThrow({ where: { id: `offline_${TEST_SHOP}` } })).toEqual(offlineBefore);

    // The next edit reads the stored online session: no new exchange.
    expect(await edit("42", "Wash at 30 °C, dry flat.")).toEqual({ ok: true });
    expect(exchanges()).toBe(before + 1);
    expect(await latestHistory()).toMatchObject({ newValue: "Wash at 30 °C, dry flat.", source: "Manual edit by Jane Doe" });
    expect(await careSource()).toMatchObject({ source: "Manual edit by Jane Doe" });
  });

  it("asks Shopify again once the staff member's online session has expired", async () => {
    sim.setStaffMember(TEST_SHOP, 42, { first_name: "Jane", last_name: "Doe" });
    await edit("42", "Hand wash.");
    await db.session.update({ where: { id: `${TEST_SHOP}_42` }, data: { expires: new Date(Date.now() - 1000) } });
    sim.setStaffMember(TEST_SHOP, 42, { last_name: "Smith" }); // renamed in Shopify meanwhile
    const before = exchanges();
    await edit("42", "Hand wash only.");
    expect(exchanges()).toBe(before + 1);
    expect(await latestHistory()).toMatchObject({ source: "Manual edit by Jane Smith" });
    // The older entry keeps the name it was recorded with.
    expect((await fieldHistory(db, productId, "careInstructions"))[1]).toMatchObject({ newValue: "Hand wash.", source: "Manual edit by Jane Doe" });
  });

  it("reads 'Manual edit' for a staff member Shopify gives no name, and when the exchange fails", async () => {
    sim.setStaffMember(TEST_SHOP, 43, { first_name: "", last_name: "" });
    expect(await edit("43", "Dry clean.")).toEqual({ ok: true });
    expect(await careSource()).toMatchObject({ source: "Manual edit", editedBy: "staff 43" });
    expect(await latestHistory()).toMatchObject({ source: "Manual edit" });

    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    sim.injectFailures({ count: 1, status: 500, target: "oauth" });
    expect(await edit("44", "Dry clean only.")).toEqual({ ok: true });
    expect(await careSource()).toMatchObject({ source: "Manual edit", editedBy: "staff 44" });
    expect(await db.session.count({ where: { id: `${TEST_SHOP}_44` } })).toBe(0);
    expect(written.join("")).toContain(`the name of staff 44 of ${TEST_SHOP} is unknown (Shopify answered HTTP 500)`);
    expect(written.join("")).not.toMatch(/shp(at|ua|rt)_|eyJ/);
  });

  it("asks for no name when the edit is refused: a field another integration owns, a value that is not valid", async () => {
    const before = exchanges();
    const owned = await adminRequest(`/app/products/${productId}`, "46", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ entityId: productId, field: "title", locale: "en", value: JSON.stringify("New title") }).toString(),
    });
    expect(await action({ request: owned, params: { id: productId }, context: {} } as never)).toMatchObject({ ok: false, error: expect.stringContaining("owned by Shopify") });
    const invalid = await adminRequest(`/app/products/${productId}`, "46", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ entityId: productId, field: "carbonFootprint", value: JSON.stringify("heavy") }).toString(),
    });
    expect(await action({ request: invalid, params: { id: productId }, context: {} } as never)).toMatchObject({ ok: false, error: expect.stringMatching(/carbon|number/i) });
    expect(exchanges()).toBe(before);
    expect(await db.session.count({ where: { isOnline: true } })).toBe(0);
  });

  it("keeps no name for a shop that was uninstalled meanwhile, and lets expired names go", async () => {
    sim.setStaffMember(TEST_SHOP, 47, { first_name: "Old", last_name: "Timer" });
    await edit("47", "Wash cold.");
    await db.session.update({ where: { id: `${TEST_SHOP}_47` }, data: { expires: new Date(Date.now() - 1000) } });
    await edit("48", "Wash cold, dry flat.");
    expect(await db.session.count({ where: { id: `${TEST_SHOP}_47` } })).toBe(0);
    expect(await db.session.count({ where: { id: `${TEST_SHOP}_48` } })).toBe(1);

    await rootDb.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date() } });
    try {
      await db.session.deleteMany({ where: { isOnline: true } });
      const { requestEditor } = await import("../app/staff.server");
      sim.setStaffMember(TEST_SHOP, 49, { first_name: "Late", last_name: "Edit" });
      expect(await requestEditor(TEST_SHOP, "49", await sessionToken({ shop: TEST_SHOP, userId: "49" }))).toEqual({ id: "staff 49", name: "Late Edit" });
      expect(await db.session.count({ where: { isOnline: true } })).toBe(0);
    } finally {
      await rootDb.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: null } });
    }
  });

  it("costs no token exchange where nothing is recorded: pages load with the offline session", async () => {
    const before = exchanges();
    const page = await loader({ request: await adminRequest(`/app/products/${productId}`, "45"), params: { id: productId }, context: {} } as never);
    expect(page.product.id).toBe(productId);
    expect(exchanges()).toBe(before);
    expect(await db.session.count({ where: { isOnline: true } })).toBe(0);
  });
});

describe("background work", () => {
  it("keeps the shop's offline session while staff members have online ones", async () => {
    sim.setStaffMember(TEST_SHOP, 42, { first_name: "Jane", last_name: "Doe" });
    await edit("42", "Cold wash.");
    expect(await rootDb.session.count({ where: { shop: TEST_SHOP, isOnline: true } })).toBe(1);
    const { session } = await unauthenticated.admin(TEST_SHOP);
    expect(session).toMatchObject({ id: `offline_${TEST_SHOP}`, isOnline: false });
  });
});
