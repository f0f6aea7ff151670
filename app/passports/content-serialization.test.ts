// A stored version's content and hash are the immutable, hash-verifiable record of a passport:
// the fast paths a sync takes (a product's parts built and serialized once for all its variants,
// the one-shot hash) must write exactly the bytes the straightforward implementation wrote. The
// reference below is that implementation as it was before them, frozen here (but for one rule
// changed since, in both: links are published normalized, normalizeHttpUrl, where a link with a
// space was left out); generated catalogs (every field present, absent, blank or malformed, at
// product and variant level, unicode, quotes, numbers, nested lists, locales that sort
// differently under other collations) are built both ways and compared byte for byte.
import { createHash } from "node:crypto";
import sanitizeHtml from "sanitize-html";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../tools/seeded-random";
import { canonicalJson, fieldDef, normalizeHttpUrl, salesStatusOf, type FieldKey, type FieldValues, type LocalizedText } from "../catalog/fields";
import { buildPassportContent, productPassport, serializePassportContent, variantPassport, type PassportContent, type PassportSource } from "./content";
import { normalizeGtin } from "./gs1";
import { fullSource, minimalSource } from "./test-fixtures";

// ---------------------------------------------------------------------------------------------
// The reference: content.ts's builder and serializer before the fast paths, verbatim but for names.

const reference = (() => {
  function readPublicValue(source: PassportSource, key: FieldKey): unknown {
    const def = fieldDef(key);
    if (!def) throw new Error(`Unknown catalog field "${key}"`);
    if (!def.passport) throw new Error(`Field "${key}" is not public and cannot appear on a passport`);
    if (def.level === "variant") return source.variant.values[key];
    const override = def.variantOverride ? source.variant.values[key] : undefined;
    return hasData(override) ? override : source.product.values[key];
  }
  function hasData(value: unknown): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value === "string") return value.trim() !== "";
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).length > 0;
    return true;
  }
  function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }
  function cleanText(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const text = value.trim();
    return text === "" ? undefined : text;
  }
  function cleanNumber(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  function cleanCountry(value: unknown): string | undefined {
    const code = cleanText(value)?.toUpperCase();
    return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
  }
  function cleanLocalized(value: unknown, transform: (text: string) => string = (t) => t): LocalizedText | undefined {
    if (!isRecord(value)) return undefined;
    let out: LocalizedText | undefined;
    for (const locale of Object.keys(value).sort()) {
      const raw = value[locale];
      const text = cleanText(typeof raw === "string" ? transform(raw) : undefined);
      if (text !== undefined) (out ??= {})[locale] = text;
    }
    return out;
  }
  const SANITIZER_ENTITIES: [RegExp, string][] = [
    [/&lt;/g, "<"],
    [/&gt;/g, ">"],
    [/&quot;/g, '"'],
    [/&#39;/g, "'"],
    [/&amp;/g, "&"],
  ];
  function textOfHtml(withBreaks: string): string {
    const stripped = sanitizeHtml(withBreaks, {
      allowedTags: [],
      allowedAttributes: {},
      nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "head", "iframe", "object"],
    });
    return SANITIZER_ENTITIES.reduce((text, [pattern, char]) => text.replace(pattern, char), stripped);
  }
  function withBreaks(html: string): string {
    return html
      .replace(/<br\b[^>]*>/gi, "\n")
      .replace(/<li\b[^>]*>/gi, "\n• ")
      .replace(/<\/(p|div|h[1-6]|tr|blockquote|section|article|ul|ol|table|pre)\s*>/gi, "\n");
  }
  function htmlToPlainText(html: string): string {
    return textOfHtml(withBreaks(html))
      .replace(/\u00a0/g, " ")
      .split("\n")
      .map((line) => line.replace(/[ \t\r\f\v]+/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }
  function buildTitle(source: PassportSource, locale: string): LocalizedText {
    return cleanLocalized(readPublicValue(source, "title")) ?? { [locale]: source.product.handle };
  }
  function buildImage(source: PassportSource) {
    const images = readPublicValue(source, "images");
    if (!Array.isArray(images)) return undefined;
    const first = images.find((img) => isRecord(img) && typeof img.url === "string" && normalizeHttpUrl(img.url) !== undefined);
    if (!isRecord(first)) return undefined;
    const alt = cleanText(first.alt);
    return { url: normalizeHttpUrl(String(first.url))!, ...(alt ? { alt } : {}) };
  }
  function buildVariantTitle(source: PassportSource): string | undefined {
    const title = cleanText(source.variant.title);
    return title && title !== "Default Title" ? title : undefined;
  }
  function buildOptions(source: PassportSource) {
    const options = readPublicValue(source, "options");
    if (!Array.isArray(options)) return undefined;
    const cleaned = options
      .filter(isRecord)
      .map((o) => ({ name: cleanText(o.name), value: cleanText(o.value) }))
      .filter((o): o is { name: string; value: string } => !!o.name && !!o.value && o.value !== "Default Title");
    return cleaned.length ? cleaned : undefined;
  }
  function buildGtin(source: PassportSource): string | undefined {
    const raw = readPublicValue(source, "barcode");
    if (typeof raw !== "string" && typeof raw !== "number") return undefined;
    const result = normalizeGtin(raw);
    return result.ok ? result.gtin : undefined;
  }
  function buildMaterials(source: PassportSource) {
    const raw = readPublicValue(source, "materials");
    if (!Array.isArray(raw)) return undefined;
    const materials: { material: string; massPercent: number; recycledPercent?: number; originCountry?: string }[] = [];
    for (const m of raw) {
      if (!isRecord(m)) continue;
      const material = cleanText(m.material);
      const massPercent = cleanNumber(m.massPercent);
      if (!material || massPercent === undefined) continue;
      const recycledPercent = cleanNumber(m.recycledPercent);
      const originCountry = cleanCountry(m.originCountry);
      materials.push({
        material,
        massPercent,
        ...(recycledPercent !== undefined ? { recycledPercent } : {}),
        ...(originCountry ? { originCountry } : {}),
      });
    }
    materials.sort((a, b) => b.massPercent - a.massPercent);
    return materials.length ? materials : undefined;
  }
  function buildCertifications(source: PassportSource) {
    const raw = readPublicValue(source, "certifications");
    if (!Array.isArray(raw)) return undefined;
    const certifications: { name: string; body?: string; validUntil?: string; url?: string }[] = [];
    for (const c of raw) {
      if (!isRecord(c)) continue;
      const name = cleanText(c.name);
      if (!name) continue;
      const body = cleanText(c.body);
      const validUntil = cleanText(c.validUntil);
      const url = typeof c.url === "string" ? normalizeHttpUrl(c.url) : undefined;
      certifications.push({
        name,
        ...(body ? { body } : {}),
        ...(validUntil && /^\d{4}-\d{2}-\d{2}$/.test(validUntil) ? { validUntil } : {}),
        ...(url ? { url } : {}),
      });
    }
    return certifications.length ? certifications : undefined;
  }
  function compact<T extends object>(obj: T): T {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      const value = (obj as Record<string, unknown>)[key];
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  }
  function buildPassportContent(source: PassportSource): PassportContent {
    const locale = cleanText(source.shop.primaryLocale) ?? "en";
    return compact<PassportContent>({
      format: 1,
      locale,
      brand: cleanText(readPublicValue(source, "vendor")) ?? cleanText(source.shop.name) ?? source.shop.domain,
      title: buildTitle(source, locale),
      description: cleanLocalized(readPublicValue(source, "description"), htmlToPlainText),
      variantTitle: buildVariantTitle(source),
      options: buildOptions(source),
      category: cleanText(readPublicValue(source, "category")),
      image: buildImage(source),
      gtin: buildGtin(source),
      materials: buildMaterials(source),
      countryOfProduction: cleanCountry(readPublicValue(source, "countryOfProduction")),
      manufacturer: cleanText(readPublicValue(source, "manufacturer")),
      facility: cleanText(readPublicValue(source, "facility")),
      careInstructions: cleanLocalized(readPublicValue(source, "careInstructions")),
      repairInstructions: cleanLocalized(readPublicValue(source, "repairInstructions")),
      recyclingInstructions: cleanLocalized(readPublicValue(source, "recyclingInstructions")),
      carbonFootprint: cleanNumber(readPublicValue(source, "carbonFootprint")),
      waterUse: cleanNumber(readPublicValue(source, "waterUse")),
      weight: cleanNumber(readPublicValue(source, "weight")),
      certifications: buildCertifications(source),
      noLongerSold: source.product.archived || source.variant.archived || salesStatusOf(source.product.values).noLongerSold,
    });
  }
  function serialize(content: PassportContent): { json: string; hash: string } {
    const json = canonicalJson(content);
    return { json, hash: createHash("sha256").update(json).digest("hex") };
  }
  return { buildPassportContent, serialize, htmlToPlainText, textOfHtml, withBreaks };
})();

// ---------------------------------------------------------------------------------------------
// Generated catalogs

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];
const chance = (random: Random, p: number) => random() < p;

const TEXTS = [
  "Organic Cotton T-Shirt",
  "  padded  ",
  "",
  "   ",
  'Say "hi" \\ back\\slash',
  "Tab\tand\nnew line\r\n",
  "Fábrica Têxtil Lda",
  "Lässig • 30 °C ™ € ©",
  "日本語のテキスト",
  "עברית ومرحبا",
  "emoji 😀👍🏽 and e\u0301",
  "lone \ud800 surrogate",
  "control \u0000\u0001\u001f\u007f\u2028\u2029",
  "<b>not html here</b> & co",
  "Default Title",
  "x",
];
/** Locales, some of which sort differently under other collations (case, digits, accents, separators). */
const LOCALES = ["en", "de", "fr", "DE", "de-CH", "de_CH", "pt-BR", "pt", "zh-Hant", "Z", "a", "é", "10", "9", "1", "_x", "en-GB"];
const DESCRIPTIONS = [
  "<p>Soft &amp; breathable.</p><ul><li>Organic cotton</li><li>Recycled polyester</li></ul>",
  "<p>The relaxed <strong>t-shirt</strong> in organic cotton.&nbsp;Style 12.</p><ul><li>Cotton &amp; hemp</li><li>Machine wash at 30 °C</li></ul>",
  '<p data-mce-fragment="1"><span style="color: red;">Red</span> &quot;quoted&quot; &#39;single&#39; &lt;tag&gt;</p>',
  '<meta charset="utf-8"><h2>Fit</h2><p>True to size<br>Model wears M</p>',
  "<p>Tom &amp;amp; Jerry &eacute; &copy; &unknown; &amp</p>",
  "<script>alert(1)</script><style>p{}</style>Visible<textarea>hidden</textarea>",
  "<!-- comment --><p>After a comment</p>",
  "Plain text, no tags at all > 3 < 4",
  "<p>Unclosed <b>bold <i>italic</p>",
  '<a href="https://x.example/?a=1&b=2">link</a> &nbsp; <img src="x.png" alt="a > b">',
  "<P CLASS='x'>Upper case</P><DIV>div</DIV>",
  "<svg><title>t</title><text>svg text</text></svg>math",
  "",
  "   ",
];
const NUMBERS: unknown[] = [0, -0, 1, 4.2, 0.1 + 0.2, 2700, 1e21, 1e-7, 123456789.123, Number.MAX_VALUE, -1, NaN, Infinity, "5", null, true];
const COUNTRIES: unknown[] = ["PT", "pt", " it ", "Portugal", "XX", "", 12, null];
const BARCODES: unknown[] = ["4006381333931", "036000291452", "04006381333931", "4006381333932", "96385074", "abc", "", 4006381333931, null];

function localized(random: Random, texts: readonly string[] = TEXTS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.floor(random() * 4);
  for (let i = 0; i < n; i++) out[pick(random, LOCALES)] = chance(random, 0.9) ? pick(random, texts) : pick(random, [42, null, ["x"]]);
  return out;
}

function materials(random: Random): unknown[] {
  return Array.from({ length: Math.floor(random() * 4) }, () =>
    chance(random, 0.1)
      ? pick(random, [null, "cotton", ["nested", ["list"]]])
      : {
          ...(chance(random, 0.9) ? { material: pick(random, ["Organic cotton", "Elastane", " Wool ", "", 'Silk "mulberry"', "Tencel™"]) } : {}),
          ...(chance(random, 0.9) ? { massPercent: pick(random, [65, 30, 5, 5, 0, 100, 33.3, -2, "50"]) } : {}),
          ...(chance(random, 0.5) ? { recycledPercent: pick(random, NUMBERS) } : {}),
          ...(chance(random, 0.5) ? { originCountry: pick(random, COUNTRIES) } : {}),
          ...(chance(random, 0.1) ? { extra: "ignored" } : {}),
        },
  );
}

function certifications(random: Random): unknown[] {
  return Array.from({ length: Math.floor(random() * 3) }, () => ({
    ...(chance(random, 0.9) ? { name: pick(random, ["GOTS", "OEKO-TEX Standard 100", " ", "Fair \"Wear\""]) } : {}),
    ...(chance(random, 0.5) ? { body: pick(random, TEXTS) } : {}),
    ...(chance(random, 0.5) ? { validUntil: pick(random, ["2027-06-30", "soon", "2027-6-30", ""]) } : {}),
    ...(chance(random, 0.5) ? { url: pick(random, ["https://certificates.example.org/gots/123", "javascript:alert(1)", "http://x.example/a b", " https://ok.example/ "]) } : {}),
  }));
}

function images(random: Random): unknown[] {
  return Array.from({ length: Math.floor(random() * 3) }, () =>
    chance(random, 0.1)
      ? "https://not-a-record.example/x.jpg"
      : {
          url: pick(random, ["https://cdn.example.com/a.jpg", " https://cdn.example.com/b.jpg ", "javascript:alert(1)", "ftp://x", 7]),
          ...(chance(random, 0.6) ? { alt: pick(random, TEXTS) } : {}),
        },
  );
}

function options(random: Random): unknown[] {
  return Array.from({ length: Math.floor(random() * 4) }, () =>
    chance(random, 0.1) ? "Size" : { name: pick(random, ["Size", "Colour", "", "Title", "Größe"]), value: pick(random, ["M", "Default Title", " ", "Blue \"navy\"", "XL/XXL", 3]) },
  );
}

/** A value for a field: usually of the field's kind, sometimes blank or of another kind (stored data is not always clean). */
function fieldValue(random: Random, key: FieldKey): unknown {
  if (chance(random, 0.05)) return pick(random, [null, "", "  ", [], {}, 0, "text", ["a"], { en: "x" }]);
  switch (key) {
    case "title":
    case "careInstructions":
    case "repairInstructions":
    case "recyclingInstructions":
      return localized(random);
    case "description":
      return localized(random, DESCRIPTIONS);
    case "images":
      return images(random);
    case "materials":
      return materials(random);
    case "certifications":
      return certifications(random);
    case "options":
      return options(random);
    case "countryOfProduction":
      return pick(random, COUNTRIES);
    case "barcode":
      return pick(random, BARCODES);
    case "carbonFootprint":
    case "waterUse":
    case "weight":
      return pick(random, NUMBERS);
    case "status":
      return pick(random, ["active", "draft", "archived", "unlisted", "ARCHIVED"]);
    case "tags":
      return ["INTERNAL-TAG"];
    default:
      return pick(random, TEXTS);
  }
}

const ALL_FIELDS: FieldKey[] = [
  "title",
  "description",
  "images",
  "vendor",
  "productType",
  "category",
  "tags",
  "status",
  "materials",
  "countryOfProduction",
  "manufacturer",
  "facility",
  "careInstructions",
  "repairInstructions",
  "recyclingInstructions",
  "carbonFootprint",
  "waterUse",
  "certifications",
  "weight",
  "sku",
  "barcode",
  "options",
];

/** Field values for an entity: each field present with probability `p` (any field, at any level: the builder must pick). */
function values(random: Random, p: number): FieldValues {
  const out: Record<string, unknown> = {};
  for (const key of ALL_FIELDS) if (chance(random, p)) out[key] = fieldValue(random, key);
  return out as FieldValues;
}

function generatedProduct(random: Random): { shop: PassportSource["shop"]; product: PassportSource["product"]; variants: PassportSource["variant"][] } {
  const shop = {
    domain: "acme-apparel.myshopify.com",
    name: pick(random, ["Acme Apparel", "", "  ", 'Shop "quoted"']),
    primaryLocale: pick(random, ["en", "de", "", " ", "pt-BR", "zh-Hant"]),
  };
  const product = { handle: pick(random, ["organic-tee", "tee-ü", ""]), archived: chance(random, 0.1), values: values(random, chance(random, 0.3) ? 0.95 : 0.5) };
  const variants = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
    title: pick(random, ["M / White", "Default Title", "", "  L  ", 'XL / "Navy"']),
    archived: chance(random, 0.1),
    // Mostly the variant-level fields, sometimes overrides (equal to the product's or not), sometimes anything.
    values: chance(random, 0.7)
      ? ({ ...pick(random, [{}, { sku: "SKU-1" }]), barcode: pick(random, BARCODES), options: options(random), ...(chance(random, 0.3) ? { weight: pick(random, NUMBERS) } : {}) } as FieldValues)
      : values(random, 0.4),
  }));
  // Overrides that equal the product's value (the same object, or an equal copy).
  for (const v of variants) {
    if (chance(random, 0.2) && product.values.weight !== undefined) v.values.weight = product.values.weight;
    if (chance(random, 0.2) && product.values.materials !== undefined) v.values.materials = structuredClone(product.values.materials);
    if (chance(random, 0.2) && product.values.facility !== undefined) v.values.facility = product.values.facility;
  }
  return { shop, product, variants };
}

// ---------------------------------------------------------------------------------------------

describe("stored passport versions: byte for byte as before", () => {
  it("keeps the content hashes of the fixtures (pinned from the implementation before the fast paths)", () => {
    const archived = fullSource();
    archived.product.archived = true;
    archived.variant.values.materials = [{ material: "Wool", massPercent: 100, originCountry: "nz" }];
    archived.variant.values.countryOfProduction = "it";
    const hashes = [fullSource(), minimalSource(), archived].map((source) => {
      const viaBuilder = serializePassportContent(buildPassportContent(source));
      const viaProduct = variantPassport(productPassport(source.shop, source.product), source.variant);
      expect(viaProduct.json).toBe(viaBuilder.json);
      expect(viaProduct.hash).toBe(viaBuilder.hash);
      return viaBuilder.hash;
    });
    expect(hashes).toEqual([
      "fd1229d6020c68887a71a5444b471902077ec0d1f63c67ad4ca6701d03fccbca",
      "cdfda2834750cb719d3843254f70b6e98e75426d355764008cc457b82eca3db7",
      "7a4af5109f69f8a55b4604f953b48cf7c3b8000b617494f7276bd9f0fede6a2e",
    ]);
  });

  it("writes the same content, JSON and hash as the reference for generated catalogs, variant after variant of a product", () => {
    const random = seededRandom(20261128);
    let variants = 0;
    const keysSeen = new Set<string>();
    for (let p = 0; p < 1000; p++) {
      const { shop, product, variants: productVariants } = generatedProduct(random);
      const shared = productPassport(shop, product);
      for (const variant of productVariants) {
        const source = { shop, product, variant };
        const expected = reference.buildPassportContent(source);
        const stored = reference.serialize(expected);
        const actual = variantPassport(shared, variant);
        expect(actual.json).toBe(stored.json);
        expect(actual.hash).toBe(stored.hash);
        // The content objects too, keys in the same order.
        expect(JSON.stringify(actual.content)).toBe(JSON.stringify(expected));
        expect(JSON.stringify(buildPassportContent(source))).toBe(JSON.stringify(expected));
        expect(serializePassportContent(actual.content)).toEqual(stored);
        for (const key of Object.keys(expected)) keysSeen.add(key);
        variants++;
      }
    }
    expect(variants).toBeGreaterThan(2500);
    // Every key of the content was exercised.
    expect([...keysSeen].sort()).toEqual(Object.keys(buildPassportContent(fullSource())).sort());
  });

  it("assembles exactly canonicalJson(content) whatever the member values", () => {
    // Values the builder never makes (nested lists, odd keys), to test the assembly on its own:
    // the product's parts are replaced after building, and every variant must still serialize to
    // canonicalJson of its content.
    const random = seededRandom(7);
    const odd: unknown[] = [
      [[1, [2, [3]]], { b: 1, a: [{ d: "x", c: null }] }],
      JSON.parse('{"10":"ten","9":"nine","Z":"z","a":"a","é":"e","de-CH":1,"de_CH":2,"":"empty","__proto__":"p"}'),
      'quote " backslash \\ slash / tab \t',
      "\ud83d\ude00 \ud800 \u2028",
      -0,
      1e21,
      5e-324,
      false,
    ];
    for (let i = 0; i < 500; i++) {
      const { shop, product, variants } = generatedProduct(random);
      const shared = productPassport(shop, product);
      const values = shared.values as unknown[];
      for (let slot = 0; slot < values.length; slot++) if (values[slot] !== undefined && chance(random, 0.3)) values[slot] = pick(random, odd);
      for (const variant of variants) {
        const { content, json, hash } = variantPassport(shared, variant);
        expect(json).toBe(canonicalJson(content));
        expect(hash).toBe(createHash("sha256").update(json).digest("hex"));
      }
    }
  });
});
