// The Shopify settings the merchant submits are checked all at once: every problem is reported on
// its setting, a limit that is no number of products is a mistake (never "no limit"), and nothing
// is saved while a problem remains.
import { describe, expect, it } from "vitest";
import { checkShopifySettings, MAX_SUBSET, METAFIELD_FORM_FIELDS, settingsNotSavedMessage, type ShopifySettingsForm } from "./settings";

const PUSHABLE = ["sku", "barcode", "weight"];

function form(overrides: Partial<ShopifySettingsForm> = {}): ShopifySettingsForm {
  return { subsetQuery: "", subsetFirst: "", metafields: {}, pushFields: [], ...overrides };
}

describe("checkShopifySettings", () => {
  it("takes valid settings as they are stored", () => {
    const checked = checkShopifySettings(
      form({ subsetQuery: " tag:dpp-pilot ", subsetFirst: " 25 ", metafields: { materials: " custom.material ", careInstructions: "" }, pushFields: ["sku", "weight", "sku"] }),
      PUSHABLE,
    );
    expect(checked).toEqual({ ok: true, settings: { subset: { query: "tag:dpp-pilot", first: 25 }, metafieldMap: { materials: "custom.material" }, pushFields: ["sku", "weight"] } });
  });

  it("takes an empty limit and query as no subset", () => {
    expect(checkShopifySettings(form(), PUSHABLE)).toEqual({ ok: true, settings: { subset: null, metafieldMap: {}, pushFields: [] } });
  });

  it.each(["-5", "−5", "0", "2.5", "ten", "1e3"])("refuses the limit %s instead of saving it as no limit", (typed) => {
    const checked = checkShopifySettings(form({ subsetFirst: typed }), PUSHABLE);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual({ "subset.first": `"${typed}" is not a number of products. Enter a whole number from 1 to 5,000, or leave it empty for no limit.` });
  });

  it("refuses a limit above the largest test", () => {
    const checked = checkShopifySettings(form({ subsetFirst: String(MAX_SUBSET + 1) }), PUSHABLE);
    expect(checked).toMatchObject({ ok: false, errors: { "subset.first": expect.stringMatching(/^A test syncs at most 5,000 products\./) } });
    expect(checkShopifySettings(form({ subsetFirst: String(MAX_SUBSET) }), PUSHABLE)).toMatchObject({ ok: true, settings: { subset: { first: MAX_SUBSET } } });
  });

  it("reports every problem at once, each on its setting", () => {
    const checked = checkShopifySettings(
      form({ subsetFirst: "-5", metafields: { materials: "material", careInstructions: "custom care", manufacturer: "custom.maker" }, pushFields: ["sku", "title"] }),
      PUSHABLE,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual(["metafieldMap.careInstructions", "metafieldMap.materials", "pushFields", "subset.first"]);
    expect(checked.errors["metafieldMap.materials"]).toBe('"material" is not a metafield name. Write it as namespace.key, for example custom.material.');
    expect(checked.errors.pushFields).toBe("Title cannot be pushed to Shopify. Only these can: SKU, Barcode (GTIN), Weight.");
    expect(settingsNotSavedMessage(checked.errors)).toBe("Nothing was saved: 4 settings need fixing. Each is marked on its field.");
  });

  it("refuses a metafield for a field that comes from Shopify's own data, or for no field at all", () => {
    const checked = checkShopifySettings(form({ metafields: { title: "custom.title", nonsense: "custom.x" } }), PUSHABLE);
    expect(checked).toMatchObject({
      ok: false,
      errors: { "metafieldMap.title": "Title always comes from Shopify's own product data, not from a metafield.", "metafieldMap.nonsense": '"nonsense" is not a catalog field.' },
    });
  });

  it("offers metafields only for fields that can take them", () => {
    const keys = METAFIELD_FORM_FIELDS.map((f) => f.key);
    expect(keys).toContain("materials");
    expect(keys).not.toContain("title");
    expect(keys).not.toContain("sku");
    for (const key of keys) expect(checkShopifySettings(form({ metafields: { [key]: "custom.x" } }), PUSHABLE).ok).toBe(true);
  });

  it("says one setting in the singular", () => {
    expect(settingsNotSavedMessage({ "subset.first": "…" })).toBe("Nothing was saved: 1 setting needs fixing. Each is marked on its field.");
  });
});
