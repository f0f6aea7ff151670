// The product page shows a description (HTML, as Shopify keeps it) as the merchant reads it: its
// text, paragraphs and list items on lines of their own, never its tags. Where it is edited, the
// source stays HTML. The editor itself runs in Chromium (its state lives in clicks and keystrokes):
// a number is saved as typed, decimal comma included, or refused; Cancel discards the edit.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchBrowser, watchErrors } from "../../test/support/e2e";
import { fieldHistory, productDetail, type FieldState, type HistoryEntry } from "../catalog/catalog.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { clearCatalog } from "../../test/support/catalog";
import { TEST_SHOP } from "../../test/support/constants";
import { displayValue, fieldActionLabel, FieldHistory, parseDecimal, ShownValue } from "./FieldEditor";

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

describe("a number as the merchant types it", () => {
  it("is a plain decimal with a decimal point or comma; anything else is refused, not misread", () => {
    expect(parseDecimal("0,35")).toBe(0.35);
    expect(parseDecimal("0.35")).toBe(0.35);
    expect(parseDecimal(" -1,5 ")).toBe(-1.5);
    expect(parseDecimal("+35")).toBe(35);
    expect(parseDecimal(",5")).toBe(0.5);
    for (const refused of ["", " ", "1.234,5", "1,234.5", "1,2,3", "12 kg", "kg", "1e3", "0x10", "Infinity", "-", ","]) expect(parseDecimal(refused), refused).toBeUndefined();
  });
});

// The editor in Chromium: FieldEditor bundled with React, Polaris and a memory router whose one route
// stands in for the product page: its loader gives window.field, its action records each submission
// in window.submissions and stores the value (or answers window.refuse as the server's error).
const PAGE = `
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { createRoot } from "react-dom/client";
import { createMemoryRouter, RouterProvider, useLoaderData } from "react-router-dom";
import { FieldEditor } from "./FieldEditor";

function Product() {
  return <FieldEditor entityId="p1" field={useLoaderData()} locale="en" history={window.fieldHistory ?? []} variantName={window.variantName} />;
}
window.submissions = [];
window.router = createMemoryRouter([
  {
    path: "/",
    element: <Product />,
    loader: () => window.field,
    action: async ({ request }) => {
      const form = Object.fromEntries(await request.formData());
      window.submissions.push(form);
      if (window.refuse) return { ok: false, error: window.refuse };
      const value = JSON.parse(form.value);
      window.field = { ...window.field, values: value === null ? [] : [{ ...window.field.values[0], locale: form.locale, value }] };
      return { ok: true };
    },
  },
]);
createRoot(document.getElementById("root")).render(<AppProvider i18n={en}><RouterProvider router={window.router} /></AppProvider>);
`;

type Submission = Record<string, string>;

function fieldState(overrides: Pick<FieldState, "field" | "label" | "kind"> & Partial<FieldState>, value: unknown): FieldState {
  const stored = { locale: overrides.kind === "localizedText" ? "en" : "", value, source: "Manual edit by ana@example.com", sourceId: null, editedBy: "ana@example.com", updatedAt: "2026-11-01T10:00:00Z" };
  return { help: "", values: value === null ? [] : [stored], writer: null, ...overrides };
}

const WEIGHT = fieldState({ field: "weight", label: "Weight", kind: "number", unit: "g" }, 180);
const CARE = fieldState({ field: "careInstructions", label: "Care instructions", kind: "localizedText" }, "Wash at 30 °C.");
const MATERIALS = fieldState({ field: "materials", label: "Materials", kind: "materials" }, [{ material: "Cotton", massPercent: 100 }]);

describe("the field editor in a browser", () => {
  let browser: Browser;
  let bundle: string;
  let styles: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const here = fileURLToPath(new URL(".", import.meta.url));
    const built = await build({
      stdin: { contents: PAGE, resolveDir: here, loader: "tsx" },
      bundle: true,
      write: false,
      format: "iife",
      jsx: "automatic",
      define: { "process.env.NODE_ENV": JSON.stringify("development") },
      logLevel: "silent",
    });
    bundle = built.outputFiles[0].text;
    styles = createRequire(import.meta.url).resolve("@shopify/polaris/build/esm/styles.css");
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** The editor for one field, its value stored as given (a variant's field when variantName is given). */
  async function open(field: FieldState, refuse?: string, more: { variantName?: string; history?: HistoryEntry[] } = {}): Promise<void> {
    page = await browser.newPage();
    // Fail in seconds, not at the test's timeout, when an element never shows.
    page.setDefaultTimeout(5_000);
    errors = watchErrors(page);
    await page.setContent('<div id="root"></div>');
    await page.evaluate(([f, r, m]) => Object.assign(window, { field: f, refuse: r, variantName: m.variantName, fieldHistory: m.history }), [field, refuse, more] as const);
    await page.addStyleTag({ path: styles });
    await page.addScriptTag({ content: bundle });
    await page.getByRole("heading", { name: field.label }).waitFor();
  }

  const submissions = () => page.evaluate(() => (window as unknown as { submissions: Submission[] }).submissions);
  // (Any input: a number input is a spinbutton, not a textbox.)
  const editor = () => page.locator("input, textarea").first();
  const save = () => page.getByRole("button", { name: "Save" }).click();

  afterEach(async () => {
    expect(errors).toEqual([]);
    await page?.close();
  });

  it("saves a number typed with a decimal comma as that number, from a text box with a decimal keypad", async () => {
    await open(WEIGHT);
    await page.getByRole("button", { name: "Edit" }).click();
    await editor().clear();
    await editor().pressSequentially("0,35");
    await save();
    await page.getByRole("button", { name: "Edit" }).waitFor();
    expect(await submissions()).toMatchObject([{ intent: "edit", entityId: "p1", field: "weight", value: "0.35" }]);
    await page.getByText("0.35 g").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    await expect(editor().getAttribute("type")).resolves.toBe("text");
    await expect(editor().getAttribute("inputmode")).resolves.toBe("decimal");
  });

  it("refuses a draft that is not a number, saying so at the field, instead of sending it (as null, it would clear the field)", async () => {
    await open(WEIGHT);
    await page.getByRole("button", { name: "Edit" }).click();
    for (const typed of ["12 kg", "1.234,5"]) {
      await editor().fill(typed);
      await save();
      await page.getByText(`“${typed}” is not a number. Enter a number only, such as 0.35.`).waitFor();
      // The error is announced with the field: the box has the id the message is tied to.
      await expect(editor().getAttribute("id")).resolves.toBe("p1-weight");
      await expect(editor().getAttribute("aria-invalid")).resolves.toBe("true");
      expect((await editor().getAttribute("aria-describedby"))?.split(" ")).toContain("p1-weightError");
      await expect(page.locator("#p1-weightError").textContent()).resolves.toContain("is not a number");
    }
    expect(await submissions()).toEqual([]);
    // An emptied box still clears the field, on purpose.
    await editor().fill("");
    await save();
    await page.getByText("Not set").waitFor();
    expect(await submissions()).toMatchObject([{ field: "weight", value: "null" }]);
  });

  it("reads a decimal comma in a table's number column, and refuses a cell that is not a number, naming its row", async () => {
    await open(MATERIALS);
    await page.getByRole("button", { name: "Edit" }).click();
    const percent = page.locator("#p1-materials-0-massPercent");
    await expect(percent.getAttribute("type")).resolves.toBe("text");
    await expect(percent.getAttribute("inputmode")).resolves.toBe("decimal");
    await percent.clear();
    await percent.pressSequentially("87,5");
    await page.getByRole("button", { name: "Add a row" }).click();
    await page.locator("#p1-materials-1-material").fill("Elastane");
    await page.locator("#p1-materials-1-massPercent").fill("12,5 %");
    await save();
    await page.getByText("Row 2, % of product: “12,5 %” is not a number. Enter a number, such as 35 or 12.5.").waitFor();
    await expect(page.locator("#p1-materials-1-massPercent").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await submissions()).toEqual([]);
    await page.locator("#p1-materials-1-massPercent").fill("12,5");
    await save();
    await page.getByRole("button", { name: "Edit" }).waitFor();
    // (Polled: under load, a CI run read no submission yet right after the editor closed.)
    await expect
      .poll(async () => (await submissions()).map((saved) => JSON.parse(saved.value) as unknown), { timeout: 10_000 })
      .toEqual([
        [
          { material: "Cotton", massPercent: 87.5 },
          { material: "Elastane", massPercent: 12.5 },
        ],
      ]);
  });

  it("discards the edit on Cancel: Edit starts again from the stored value, and Save stores that, not the abandoned text", async () => {
    await open(CARE);
    await page.getByRole("button", { name: "Edit" }).click();
    await editor().fill("Abandoned text");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Wash at 30 °C.").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    await expect(editor().inputValue()).resolves.toBe("Wash at 30 °C.");
    await save();
    await page.getByRole("button", { name: "Edit" }).waitFor();
    await expect.poll(submissions, { timeout: 10_000 }).toMatchObject([{ field: "careInstructions", locale: "en", value: JSON.stringify("Wash at 30 °C.") }]);
  });

  it("drops the server's error with the draft on Cancel; the error is announced with the field", async () => {
    await open(CARE, "Care instructions are too long: shorten them to 500 characters.");
    await page.getByRole("button", { name: "Edit" }).click();
    await editor().fill("Very long text");
    await save();
    await expect(page.locator("#p1-careInstructionsError").textContent()).resolves.toContain("Care instructions are too long");
    expect((await editor().getAttribute("aria-describedby"))?.split(" ")).toContain("p1-careInstructionsError");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Edit" }).click();
    await expect(editor().inputValue()).resolves.toBe("Wash at 30 °C.");
    await expect(page.getByText("Care instructions are too long").count()).resolves.toBe(0);
    await expect(editor().getAttribute("aria-invalid")).resolves.toBe("false");
  });

  it("starts an edit from the value as it is now, after the page's data changed (a sync, another tab)", async () => {
    await open(CARE);
    await page.evaluate(() => {
      const w = window as unknown as { field: FieldState; router: { revalidate(): Promise<void> } };
      w.field = { ...w.field, values: [{ ...w.field.values[0], value: "Wash cold, dry flat." }] };
      return w.router.revalidate();
    });
    await page.getByText("Wash cold, dry flat.").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    await expect(editor().inputValue()).resolves.toBe("Wash cold, dry flat.");
  });

  it("names its field, and its variant, in its buttons' accessible names", async () => {
    const history: HistoryEntry[] = [{ field: "barcode", label: "Barcode (GTIN)", locale: "", oldValue: null, newValue: "04006381333931", source: "Excel", changedAt: "2026-11-01T10:00:00Z" }];
    await open(fieldState({ field: "barcode", label: "Barcode (GTIN)", kind: "gtin" }, "04006381333931"), undefined, { variantName: "Size M", history });
    await page.getByRole("button", { name: "Edit Barcode (GTIN), Size M", exact: true }).waitFor();
    await page.getByRole("button", { name: "History of Barcode (GTIN), Size M", exact: true }).click();
    await page.getByRole("button", { name: "Hide history of Barcode (GTIN), Size M", exact: true }).waitFor();
    await page.getByRole("button", { name: "Edit Barcode (GTIN), Size M", exact: true }).click();
    await page.getByRole("button", { name: "Save Barcode (GTIN), Size M", exact: true }).waitFor();
    await page.getByRole("button", { name: "Cancel editing Barcode (GTIN), Size M", exact: true }).waitFor();
    // No button is called just "Edit" or "History".
    await expect(page.getByRole("button", { name: "Edit", exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: "History", exact: true }).count()).resolves.toBe(0);
  });

  it("shows an owned field's owner as a badge without an emoji, and what ownership means on focus", async () => {
    await open({ ...fieldState({ field: "title", label: "Title", kind: "localizedText" }, "Tee"), writer: { id: "shopify-1", label: "Shopify" } });
    await page.getByText("Owned by Shopify", { exact: true }).waitFor();
    const body = (await page.locator("#root").textContent()) ?? "";
    expect(body).not.toContain("🔒");
    // The long notice is not repeated on every field: the badge's tooltip carries it.
    expect(body).not.toContain("would be overwritten");
    await expect(page.getByRole("button", { name: /^Edit/ }).count()).resolves.toBe(0);
    await page.keyboard.press("Tab");
    await page.getByText("Changes come from Shopify: edits here would be overwritten on its next sync.").waitFor();
  });
});

describe("fieldActionLabel", () => {
  it("names the field, and the variant where the field is a variant's", () => {
    expect(fieldActionLabel("edit", { label: "Care instructions" })).toBe("Edit Care instructions");
    expect(fieldActionLabel("history", { label: "Barcode (GTIN)" }, "Size M")).toBe("History of Barcode (GTIN), Size M");
  });
});
