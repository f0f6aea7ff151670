// A field's history (fieldHistory) against a real database: the changes stored, and each value's
// first write, which is kept on the value rather than as a history row.
import { beforeEach, describe, expect, it } from "vitest";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { executeSync } from "../sync/engine.server";
import type { SourceRecord } from "../sync/records";
import { TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { setFieldOwner } from "../ownership/ownership.server";
import { editField, fieldHistory, productDetail } from "./catalog.server";

function tee(title: string): SourceRecord {
  return {
    externalId: "gid://shopify/Product/1",
    handle: "tee",
    fields: { title: { en: title }, vendor: "Acme" },
    variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "TEE-S" } }],
  };
}

let shopDb: ShopDb;
let shopifyId: string;

async function sync(record: SourceRecord): Promise<string> {
  const { runId } = await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [record] }) });
  return runId;
}

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(shopDb, "shopify")).integration.id;
});

describe("fieldHistory", () => {
  it("shows a value's first write, which a sync stores once (on the value, not as a history row)", async () => {
    const runId = await sync(tee("Tee"));
    const product = await shopDb.product.findFirstOrThrow();
    expect(await fieldHistory(shopDb, product.id, "title")).toEqual([
      { field: "title", label: "Title", locale: "en", oldValue: null, newValue: "Tee", source: "Shopify", changedAt: expect.any(String) },
    ]);
    expect(await shopDb.fieldChange.count({ where: { runId } })).toBe(0);
    expect(await shopDb.fieldValue.count({ where: { entityId: product.id } })).toBe(2);
  });

  it("keeps what was first written once the value changes, newest first", async () => {
    await sync(tee("Tee"));
    await sync(tee("Organic tee"));
    await sync(tee("Organic cotton tee"));
    const product = await shopDb.product.findFirstOrThrow();
    const history = await fieldHistory(shopDb, product.id, "title");
    expect(history.map((h) => [h.oldValue, h.newValue])).toEqual([
      ["Organic tee", "Organic cotton tee"],
      ["Tee", "Organic tee"],
      [null, "Tee"],
    ]);
    expect(new Set(history.map((h) => h.source))).toEqual(new Set(["Shopify"]));
    // An entity's whole history holds every field's first write.
    expect((await fieldHistory(shopDb, product.id)).map((h) => h.field).sort()).toEqual(["title", "title", "title", "vendor"]);
  });

  it("keeps a cleared value's first write and its clearing, and a value set again starts anew", async () => {
    await sync(tee("Tee"));
    const product = await shopDb.product.findFirstOrThrow();
    const edit = (value: string | null) => editField(shopDb, { entityId: product.id, field: "careInstructions", value }, "ann@example.com");
    await edit("Wash at 30 °C.");
    await edit("Wash at 30 °C, dry flat.");
    await edit(null);
    await edit("Hand wash only.");
    const history = await fieldHistory(shopDb, product.id, "careInstructions");
    expect(history.map((h) => [h.oldValue, h.newValue])).toEqual([
      [null, "Hand wash only."],
      ["Wash at 30 °C, dry flat.", null],
      ["Wash at 30 °C.", "Wash at 30 °C, dry flat."],
      [null, "Wash at 30 °C."],
    ]);
    expect(history.every((h) => h.source === "Manual edit by ann@example.com")).toBe(true);
    expect(await fieldHistory(shopDb, product.id, "careInstructions", 2)).toHaveLength(2);
  });

  it("names a manual edit's author only where a merchant knows them: a staff id reads 'Manual edit', in old rows too", async () => {
    await sync(tee("Tee"));
    const product = await shopDb.product.findFirstOrThrow();
    await editField(shopDb, { entityId: product.id, field: "careInstructions", value: "Wash at 30 °C." }, "staff 1");
    const care = (await productDetail(shopDb, product.id)).fields.find((f) => f.field === "careInstructions")!;
    expect(care.values).toMatchObject([{ source: "Manual edit", editedBy: "staff 1" }]);
    // A row stored before, its label naming the id, reads the same.
    await shopDb.fieldChange.create({
      data: { shop: TEST_SHOP, entityId: product.id, field: "careInstructions", locale: "en", oldValue: JSON.stringify("Wash at 30 °C."), newValue: JSON.stringify("Wash cold."), source: "Manual edit by staff 7", changedAt: new Date(Date.now() + 1000) },
    });
    expect((await fieldHistory(shopDb, product.id, "careInstructions")).map((h) => h.source)).toEqual(["Manual edit", "Manual edit"]);
    // An editor with a name (or an email) is named.
    await editField(shopDb, { entityId: product.id, field: "repairInstructions", value: "Repairs in store." }, "Ana Lima");
    expect((await fieldHistory(shopDb, product.id, "repairInstructions")).map((h) => h.source)).toEqual(["Manual edit by Ana Lima"]);
  });

  it("stores an editor's id on the value and their name in the label, which the product page shows for the value's last write", async () => {
    await sync(tee("Tee"));
    const product = await shopDb.product.findFirstOrThrow();
    const care = async () => (await productDetail(shopDb, product.id)).fields.find((f) => f.field === "careInstructions")!.values[0];
    await editField(shopDb, { entityId: product.id, field: "careInstructions", value: "Wash at 30 °C." }, { id: "staff 42", name: "Jane Doe" });
    expect(await care()).toMatchObject({ source: "Manual edit by Jane Doe", editedBy: "staff 42" });
    await editField(shopDb, { entityId: product.id, field: "careInstructions", value: "Wash cold." }, { id: "staff 7", name: "Ana Lima" });
    expect(await care()).toMatchObject({ source: "Manual edit by Ana Lima", editedBy: "staff 7" });
    await editField(shopDb, { entityId: product.id, field: "careInstructions", value: "Hand wash." }, { id: "staff 8", name: null });
    expect(await care()).toMatchObject({ source: "Manual edit", editedBy: "staff 8" });
    expect((await fieldHistory(shopDb, product.id, "careInstructions")).map((h) => h.source)).toEqual(["Manual edit", "Manual edit by Ana Lima", "Manual edit by Jane Doe"]);
  });

  it("empties the listing column of a value cleared by hand (the product list shows no stale vendor)", async () => {
    await sync(tee("Tee"));
    await setFieldOwner(shopDb, "vendor", null, "ann@example.com"); // switched off: edited by hand
    const product = await shopDb.product.findFirstOrThrow();
    expect(product.vendor).toBe("Acme");
    await editField(shopDb, { entityId: product.id, field: "vendor", value: null }, "ann@example.com");
    expect((await shopDb.product.findFirstOrThrow()).vendor).toBe("");
    expect(await shopDb.fieldValue.count({ where: { entityId: product.id, field: "vendor" } })).toBe(0);
  });

  it("shows a value written before first writes were kept on values once, from its stored row", async () => {
    const runId = await sync(tee("Tee"));
    const product = await shopDb.product.findFirstOrThrow();
    // As such a value is stored: no created* columns, and its first write as a history row.
    const value = await shopDb.fieldValue.findFirstOrThrow({ where: { entityId: product.id, field: "title" } });
    await shopDb.fieldValue.update({ where: { entityId_field_locale: { entityId: value.entityId, field: value.field, locale: value.locale } }, data: { createdAt: null, createdSource: null, createdSourceId: null, createdRunId: null } });
    await shopDb.fieldChange.create({
      data: { shop: TEST_SHOP, entityId: product.id, field: "title", locale: "en", oldValue: null, newValue: value.value, sourceId: shopifyId, source: "Shopify", runId, changedAt: value.updatedAt },
    });
    await sync(tee("Organic tee"));
    expect((await fieldHistory(shopDb, product.id, "title")).map((h) => [h.oldValue, h.newValue])).toEqual([
      ["Tee", "Organic tee"],
      [null, "Tee"],
    ]);
  });
});

describe("productDetail", () => {
  it("says when the product is a draft in its source (its passports wait until it is active)", async () => {
    await sync({ ...tee("Tee"), fields: { ...tee("Tee").fields, status: "draft" } });
    const product = await shopDb.product.findFirstOrThrow();
    expect((await productDetail(shopDb, product.id)).draft).toBe(true);
    await sync({ ...tee("Tee"), fields: { ...tee("Tee").fields, status: "active" } });
    expect((await productDetail(shopDb, product.id)).draft).toBe(false);
  });
});
