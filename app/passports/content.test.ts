import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FIELDS } from "../catalog/fields";
import {
  buildPassportContent,
  diffPassportContent,
  htmlToPlainText,
  localePreference,
  serializePassportContent,
  pickLocalized,
  PASSPORT_CONTENT_LABELS,
  type PassportContent,
  type PassportSource,
} from "./content";
import { fullSource, minimalSource } from "./test-fixtures";

/** A content's hash, as a version stores it. */
const hashOf = (content: PassportContent) => serializePassportContent(content).hash;

describe("buildPassportContent", () => {
  it("builds the public content of a fully described textile variant", () => {
    expect(buildPassportContent(fullSource())).toEqual({
      format: 1,
      locale: "en",
      brand: "Acme",
      title: { de: "Bio-Baumwoll-T-Shirt", en: "Organic Cotton T-Shirt", fr: "T-shirt en coton bio" },
      description: { de: "Weich & atmungsaktiv.", en: "Soft & breathable.\n\n• Organic cotton\n• Recycled polyester" },
      variantTitle: "M / White",
      options: [
        { name: "Size", value: "M" },
        { name: "Color", value: "White" },
      ],
      category: "Apparel > Tops > T-shirts",
      image: { url: "https://cdn.shopify.com/s/files/1/tee-front.jpg", alt: "White T-shirt, front view" },
      gtin: "04006381333931",
      materials: [
        { material: "Organic cotton", massPercent: 65, recycledPercent: 0, originCountry: "IN" },
        { material: "Recycled polyester", massPercent: 30, recycledPercent: 100, originCountry: "TW" },
        { material: "Elastane", massPercent: 5 },
      ],
      countryOfProduction: "PT",
      manufacturer: "Fábrica Têxtil Lda",
      facility: "Fábrica Têxtil, Guimarães",
      careInstructions: { de: "Maschinenwäsche bei 30 °C.", en: "Machine wash at 30 °C.\nDo not tumble dry." },
      repairInstructions: { en: "Free repairs in our Lisbon store." },
      recyclingInstructions: { en: "Return it to any Acme store for textile recycling." },
      carbonFootprint: 4.2,
      waterUse: 2700,
      weight: 185,
      certifications: [
        { name: "GOTS", body: "Control Union", validUntil: "2027-06-30", url: "https://certificates.example.org/gots/123" },
        { name: "OEKO-TEX Standard 100" },
      ],
      noLongerSold: false,
    } satisfies PassportContent);
  });

  it("keeps its keys in a fixed order", () => {
    const keys = Object.keys(buildPassportContent(fullSource()));
    expect(keys).toEqual(["format", ...Object.keys(PASSPORT_CONTENT_LABELS)]);
  });

  it("holds only the title, brand and defaults for a minimal product", () => {
    expect(buildPassportContent(minimalSource())).toEqual({
      format: 1,
      locale: "en",
      brand: "Acme Apparel",
      title: { en: "Plain Scarf" },
      noLongerSold: false,
    });
  });

  it("never shows fields the registry keeps off the passport (SKU, tags, product type)", () => {
    const source = fullSource();
    const privateFields = FIELDS.filter((f) => !f.passport);
    // (The product status reaches a passport only as its "no longer sold" notice.)
    expect(privateFields.map((f) => f.key).sort()).toEqual(["productType", "sku", "status", "tags"]);
    const json = JSON.stringify(buildPassportContent(source));
    expect(json).not.toContain("INTERNAL-SKU");
    expect(json).not.toContain("INTERNAL-TAG");
    expect(json).not.toContain("INTERNAL-PRODUCT-TYPE");
  });

  it("lets the variant override only the fields the registry allows", () => {
    const source = fullSource();
    source.variant.values.countryOfProduction = "IT"; // overridable
    source.variant.values.manufacturer = "Someone Else"; // product-level only
    source.variant.values.title = { en: "Variant title attempt" }; // product-level only
    const content = buildPassportContent(source);
    expect(content.weight).toBe(185);
    expect(content.countryOfProduction).toBe("IT");
    expect(content.manufacturer).toBe("Fábrica Têxtil Lda");
    expect(content.title.en).toBe("Organic Cotton T-Shirt");
  });

  it("treats an empty variant override as not set", () => {
    const source = fullSource();
    source.variant.values.materials = [];
    source.variant.values.facility = "  ";
    const content = buildPassportContent(source);
    expect(content.materials).toHaveLength(3);
    expect(content.facility).toBe("Fábrica Têxtil, Guimarães");
  });

  it("uses the shop name as brand when there is no vendor", () => {
    const source = fullSource();
    delete source.product.values.vendor;
    expect(buildPassportContent(source).brand).toBe("Acme Apparel");
  });

  it("falls back to the product handle when the catalog has no title", () => {
    const source = minimalSource();
    source.product.values.title = { en: "   " };
    expect(buildPassportContent(source).title).toEqual({ en: "plain-scarf" });
  });

  it("marks the passport no longer sold when the product or the variant is archived", () => {
    const product = fullSource();
    product.product.archived = true;
    expect(buildPassportContent(product).noLongerSold).toBe(true);
    const variant = fullSource();
    variant.variant.archived = true;
    expect(buildPassportContent(variant).noLongerSold).toBe(true);
  });

  it("marks the passport no longer sold when the product's status is archived (Shopify's archived products), and only then", () => {
    const statuses = ["active", "unlisted", "draft", "archived"].map((status) => {
      const source = fullSource();
      source.product.values.status = status;
      return [status, buildPassportContent(source).noLongerSold];
    });
    expect(statuses).toEqual([
      ["active", false],
      ["unlisted", false],
      ["draft", false],
      ["archived", true],
    ]);
    // The status itself is admin data: only the notice reaches the passport.
    expect(JSON.stringify(buildPassportContent(fullSource()))).not.toContain("status");
  });

  it("hides Shopify's default variant title and option", () => {
    const source = minimalSource();
    source.variant.values.options = [{ name: "Title", value: "Default Title" }];
    const content = buildPassportContent(source);
    expect(content.variantTitle).toBeUndefined();
    expect(content.options).toBeUndefined();
  });

  it("normalizes the barcode to GTIN-14 and drops an invalid one", () => {
    const source = minimalSource();
    source.variant.values.barcode = "036000291452"; // UPC-A
    expect(buildPassportContent(source).gtin).toBe("00036000291452");
    source.variant.values.barcode = "4006381333932"; // wrong check digit
    expect(buildPassportContent(source).gtin).toBeUndefined();
  });

  it("drops unusable values instead of showing them", () => {
    const source = minimalSource();
    source.product.values.images = [{ url: "javascript:alert(1)" }, { url: "https://cdn.example.com/ok.png" }];
    source.product.values.certifications = [{ name: "Bad link", url: "javascript:alert(1)", validUntil: "soon" }, { name: " " }];
    source.product.values.countryOfProduction = "Portugal";
    source.product.values.carbonFootprint = -1;
    const content = buildPassportContent(source);
    expect(content.image).toEqual({ url: "https://cdn.example.com/ok.png" });
    expect(content.certifications).toEqual([{ name: "Bad link" }]);
    expect(content.countryOfProduction).toBeUndefined();
    expect(content.carbonFootprint).toBeUndefined();
  });

  it("publishes an image or certificate link with a space, non-ASCII or \"|\" percent-encoded, instead of dropping it", () => {
    // Values stored raw before the catalog normalized URLs: the passport normalizes them again.
    const source = minimalSource();
    source.product.values.images = [{ url: "https://cdn.example.com/My Shirt.jpg", alt: "Shirt" }];
    source.product.values.certifications = [
      { name: "GOTS", url: "https://certs.example.com/prüfung/1" },
      { name: "OEKO-TEX", url: " https://certs.example.com/a|b " },
    ];
    const content = buildPassportContent(source);
    expect(content.image).toEqual({ url: "https://cdn.example.com/My%20Shirt.jpg", alt: "Shirt" });
    expect(content.certifications).toEqual([
      { name: "GOTS", url: "https://certs.example.com/pr%C3%BCfung/1" },
      { name: "OEKO-TEX", url: "https://certs.example.com/a%7Cb" },
    ]);
    // The same image stored before and after normalization gives the same passport version.
    const raw = minimalSource();
    raw.product.values.images = [{ url: "https://cdn.shopify.com/files/Bluse_grün.jpg" }];
    const stored = minimalSource();
    stored.product.values.images = [{ url: "https://cdn.shopify.com/files/Bluse_gr%C3%BCn.jpg" }];
    expect(buildPassportContent(raw).image).toEqual({ url: "https://cdn.shopify.com/files/Bluse_gr%C3%BCn.jpg" });
    expect(hashOf(buildPassportContent(raw))).toBe(hashOf(buildPassportContent(stored)));
  });

  it("keeps valid links byte for byte (Shopify CDN query strings included): no new version", () => {
    const source = minimalSource();
    const image = "https://cdn.shopify.com/s/files/1/0612/products/tee.jpg?v=1699999999&width=800";
    const certificate = "https://certs.example.com/gots/CU-123?lang=en#page=2";
    source.product.values.images = [{ url: image }];
    source.product.values.certifications = [{ name: "GOTS", url: certificate }];
    const content = buildPassportContent(source);
    expect(content.image).toEqual({ url: image });
    expect(content.certifications).toEqual([{ name: "GOTS", url: certificate }]);
  });

  it("is deterministic: same input, same content and hash, whatever the input key order", () => {
    const a = fullSource();
    const b = fullSource();
    b.product.values = Object.fromEntries(Object.entries(b.product.values).reverse());
    b.product.values.title = { fr: "T-shirt en coton bio", en: "Organic Cotton T-Shirt", de: "Bio-Baumwoll-T-Shirt" };
    expect(JSON.stringify(buildPassportContent(a))).toBe(JSON.stringify(buildPassportContent(b)));
    expect(hashOf(buildPassportContent(a))).toBe(hashOf(buildPassportContent(b)));
  });
});

describe("htmlToPlainText", () => {
  it("strips tags, drops scripts and styles and decodes entities", () => {
    const html = `<h2>Fit</h2><p>Tom &amp; Jerry&nbsp;say &quot;hi&quot; &lt;b&gt;</p><script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)>end`;
    expect(htmlToPlainText(html)).toBe(`Fit\nTom & Jerry say "hi" <b>\nend`);
  });

  it("keeps paragraphs, line breaks and list items readable", () => {
    expect(htmlToPlainText("<p>One</p><p>Two<br>lines</p><ol><li>a</li><li>b</li></ol>")).toBe("One\nTwo\nlines\n\n• a\n• b");
    // Items holding a paragraph, as editors paste lists: the bullet stays on the item's line.
    expect(htmlToPlainText("<ul>\n<li><p>Organic cotton</p></li>\n<li><div>Recycled</div></li>\n</ul>")).toBe("• Organic cotton\n\n• Recycled");
  });

  it("keeps the cells of a table row apart and each row on its line", () => {
    expect(htmlToPlainText("<table><tr><th>Size</th><th>Chest</th></tr><tr><td>S</td><td>90 cm</td></tr></table>")).toBe("Size Chest\nS 90 cm");
    expect(htmlToPlainText('<p>Sizes:</p><table><tbody><tr><td class="a"> S </td>\n<td>90&nbsp;cm</td></tr></tbody></table><p>Next</p>')).toBe("Sizes:\nS 90 cm\n\nNext");
    // As Shopify's editor writes a table: a line per tag.
    const formatted = "<p>Sizes</p>\n<table>\n<tbody>\n<tr>\n<th>Size</th>\n<th>Chest</th>\n</tr>\n<tr>\n<td>S</td>\n<td>90 cm</td>\n</tr>\n</tbody>\n</table>\n<p>Next</p>";
    expect(htmlToPlainText(formatted)).toBe("Sizes\nSize Chest\nS 90 cm\n\nNext");
  });

  it("breaks the line before a block element that follows text, as after one", () => {
    expect(htmlToPlainText("Made in Portugal<div>100% linen</div>")).toBe("Made in Portugal\n100% linen");
    expect(htmlToPlainText("Intro<ul><li>a</li></ul>Outro")).toBe("Intro\n• a\nOutro");
  });

  it("puts the terms and descriptions of a definition list on lines of their own", () => {
    expect(htmlToPlainText("<dl><dt>Fit</dt><dd>Regular</dd></dl>")).toBe("Fit\nRegular");
    expect(htmlToPlainText("<p>Details</p><dl><dt>Fit</dt><dd>Regular</dd><dt>Collar</dt><dd>Button-down</dd></dl>after")).toBe("Details\nFit\nRegular\nCollar\nButton-down\nafter");
  });

  it("does not add blank lines between blocks that already break", () => {
    // The text of these descriptions is what it was before opening tags broke lines: their passports keep their hash.
    expect(htmlToPlainText("<h2>Fit</h2><p>True to size</p>\n<p>Model wears M</p><div><p>Nested</p></div>")).toBe("Fit\nTrue to size\n\nModel wears M\nNested");
  });

  it("does not decode twice", () => {
    expect(htmlToPlainText("&amp;lt;script&amp;gt;")).toBe("&lt;script&gt;");
  });
});

describe("the content hash", () => {
  it("is a sha256 hex digest that changes with the content", () => {
    const content = buildPassportContent(fullSource());
    const hash = hashOf(content);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf({ ...content, weight: 186 })).not.toBe(hash);
  });

  it("is the sha256 of the stored JSON, which holds the content with its keys sorted", () => {
    const content = buildPassportContent(fullSource());
    const { json, hash } = serializePassportContent(content);
    expect(createHash("sha256").update(json).digest("hex")).toBe(hash);
    expect(hash).toBe(hashOf(content));
    expect(JSON.parse(json)).toEqual(content);
    expect(Object.keys(JSON.parse(json) as object)).toEqual(Object.keys(content).sort());
  });
});

describe("diffPassportContent", () => {
  const base = () => buildPassportContent(fullSource());

  it("finds nothing between equal versions", () => {
    expect(diffPassportContent(base(), base())).toEqual([]);
  });

  it("names each changed, added or removed part with its label", () => {
    const source = fullSource();
    source.variant.values.weight = 190;
    delete source.product.values.repairInstructions;
    source.product.values.careInstructions = { en: "Machine wash at 30 °C.\nDo not tumble dry.", de: "Bei 30 °C waschen.", it: "Lavare a 30 °C." };
    source.product.archived = true;
    expect(diffPassportContent(base(), buildPassportContent(source))).toEqual([
      { key: "careInstructions", label: "Care instructions" },
      { key: "repairInstructions", label: "Repair information" },
      { key: "weight", label: "Weight" },
      { key: "noLongerSold", label: "No longer sold" },
    ]);
  });

  it("lists every present part for a first version", () => {
    expect(diffPassportContent(null, buildPassportContent(minimalSource()))).toEqual([
      { key: "locale", label: "Default language" },
      { key: "brand", label: "Brand / vendor" },
      { key: "title", label: "Title" },
    ]);
  });

  it("ignores the input order of materials (they are shown largest share first)", () => {
    const reordered: PassportSource = fullSource();
    const materials = reordered.product.values.materials as unknown[];
    reordered.product.values.materials = [...materials].reverse() as typeof reordered.product.values.materials;
    expect(diffPassportContent(base(), buildPassportContent(reordered))).toEqual([]);
  });
});

describe("pickLocalized", () => {
  const text = { de: "Hallo", en: "Hello", "pt-BR": "Olá" };

  it("prefers an exact locale, then the same language, then the next preference", () => {
    expect(pickLocalized(text, ["de"])).toEqual({ locale: "de", text: "Hallo" });
    expect(pickLocalized(text, ["de-CH"])).toEqual({ locale: "de", text: "Hallo" });
    expect(pickLocalized(text, ["pt"])).toEqual({ locale: "pt-BR", text: "Olá" });
    expect(pickLocalized(text, ["it", "en"])).toEqual({ locale: "en", text: "Hello" });
  });

  it("falls back to any text (stable choice) and to nothing", () => {
    expect(pickLocalized(text, ["ja"])).toEqual({ locale: "de", text: "Hallo" });
    expect(pickLocalized({}, ["en"])).toBeUndefined();
    expect(pickLocalized(undefined, ["en"])).toBeUndefined();
  });

  it("tries the reader's locale before the shop's", () => {
    const content = buildPassportContent(fullSource());
    expect(localePreference(content, "fr")).toEqual(["fr", "en"]);
    expect(localePreference(content)).toEqual(["en"]);
  });
});
