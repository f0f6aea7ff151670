// The product page shows a description (HTML, as Shopify keeps it) as the merchant reads it: its
// text, paragraphs and list items on lines of their own, never its tags. Where it is edited, the
// source stays HTML.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { fieldHistory, productDetail, type FieldState } from "../catalog/catalog.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { clearCatalog } from "../../test/support/catalog";
import { TEST_SHOP } from "../../test/support/constants";
import { displayValue, FieldHistory, ShownValue } from "./FieldEditor";

const OLD = "<p>Plain tee.</p>";
const NEW = '<p>Soft <strong>organic</strong> cotton &amp; linen.</p><ul><li>Wash cold</li><li>Dry flat</li></ul><script>alert("x")</script>';
const TITLE = "Tee <Classic> & Co";

let shopDb: ShopDb;

beforeEach(async () => {
  await clearCatalog();
  shopDb = forShop(TEST_SHOP);
  await shopDb.product.create({ data: { id: "p1", shop: TEST_SHOP, handle: "tee", title: TITLE } });
  const at = new Date("2026-11-01T10:00:00Z");
  await shopDb.fieldValue.createMany({
    data: [
      { shop: TEST_SHOP, entityId: "p1", field: "title", locale: "en", value: JSON.stringify(TITLE), updatedAt: at },
      { shop: TEST_SHOP, entityId: "p1", field: "description", locale: "en", value: JSON.stringify(NEW), updatedAt: at },
      { shop: TEST_SHOP, entityId: "p1", field: "description", locale: "de", value: JSON.stringify("<p>Weiche <em>Baumwolle</em>.</p>"), updatedAt: at },
    ],
  });
  await shopDb.fieldChange.create({
    data: { shop: TEST_SHOP, entityId: "p1", field: "description", locale: "en", oldValue: JSON.stringify(OLD), newValue: JSON.stringify(NEW), source: "Shopify", changedAt: at },
  });
});

/** Markup of a Polaris part (in its provider). */
function render(node: React.ReactNode): string {
  return renderToStaticMarkup(<AppProvider i18n={en}>{node}</AppProvider>);
}

/** Markup of a value as shown (plain text and line breaks, no provider needed). */
function shown(node: React.ReactNode): string {
  return renderToStaticMarkup(<>{node}</>);
}

async function field(key: string): Promise<FieldState> {
  return (await productDetail(shopDb, "p1")).fields.find((f) => f.field === key)!;
}

describe("a description on the product page", () => {
  it("reads as text: no tags, entities decoded, paragraphs and list items on their own lines, scripts dropped", async () => {
    const description = await field("description");
    const en = description.values.find((v) => v.locale === "en")!;
    expect(en.text).toBe("Soft organic cotton & linen.\n\n• Wash cold\n• Dry flat");
    const html = shown(<ShownValue field={description} value={en.value} text={en.text} />);
    expect(html).toBe("Soft organic cotton &amp; linen.<br/><br/>• Wash cold<br/>• Dry flat");
    expect(html).not.toMatch(/&lt;|alert/);
    // Translations read the same way.
    const de = description.values.find((v) => v.locale === "de")!;
    expect(shown(<ShownValue field={description} value={de.value} text={de.text} />)).toBe("Weiche Baumwolle.");
  });

  it("is edited as its source: the value the editor starts from is the HTML", async () => {
    const en = (await field("description")).values.find((v) => v.locale === "en")!;
    expect(en.value).toBe(NEW);
  });

  it("reads as text in its history", async () => {
    const description = await field("description");
    const history = await fieldHistory(shopDb, "p1", "description");
    expect(history).toMatchObject([{ oldValue: OLD, newValue: NEW, oldText: "Plain tee.", newText: "Soft organic cotton & linen.\n\n• Wash cold\n• Dry flat" }]);
    const html = render(<FieldHistory field={description} history={history} />);
    expect(html).toContain("Shopify · en: Plain tee. → Soft organic cotton &amp; linen.");
    expect(html).not.toMatch(/&lt;|alert/);
  });

  it("leaves other text as it is: a title with angle brackets is text, not HTML", async () => {
    const title = await field("title");
    expect(title.values[0].text).toBeUndefined();
    expect(shown(<ShownValue field={title} value={title.values[0].value} />)).toBe("Tee &lt;Classic&gt; &amp; Co");
    expect(shown(<ShownValue field={title} value={title.values[0].value} />)).toBe(shown(<>{displayValue(title, TITLE)}</>));
  });
});
