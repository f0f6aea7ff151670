import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildPassportContent, type PassportContent } from "./content";
import {
  escapeHtml,
  pageLanguage,
  PAGE_CONTRAST_PAIRS,
  PAGE_LANGUAGES,
  PASSPORT_SECTION_IDS,
  renderBadDigitalLink,
  renderedLanguageKey,
  renderPassportNotFound,
  renderPassportPage,
  type PassportPageOptions,
} from "./page";
import { fullSource, minimalSource } from "./test-fixtures";
import { buildUntpCredential } from "./untp";

const META = { version: 3, versionCreatedAt: new Date("2025-05-01T10:20:30Z"), passportUrl: "https://passport.example.com/p/p_abc123" };
const OPTIONS: PassportPageOptions = {
  jsonLdUrl: "https://passport.example.com/p/p_abc123.jsonld",
  qrImageUrl: "https://passport.example.com/p/p_abc123/qr.svg",
};

const full = () => buildPassportContent(fullSource());
const render = (content: PassportContent, options: Partial<PassportPageOptions> = {}) =>
  renderPassportPage(content, META, { ...OPTIONS, ...options });

function sectionIds(html: string): string[] {
  return [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
}

/** Names of all attributes of all tags (quoted values are skipped whole). */
function attributeNames(html: string): string[] {
  const attribute = /\s+([^\s=>\/]+)(?:=(?:"[^"]*"|'[^']*'|[^\s>]*))?/g;
  const tags = html.match(/<[a-zA-Z][^\s>\/]*(?:\s+[^\s=>\/]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]*))?)*\s*\/?>/g) ?? [];
  return tags.flatMap((tag) => [...tag.matchAll(attribute)].map((m) => m[1].toLowerCase()));
}

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

describe("renderPassportPage", () => {
  it("is a complete, script-free HTML document with the JSON-LD alternate", () => {
    const html = render(full());
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<link rel="alternate" type="application/ld+json" href="https://passport.example.com/p/p_abc123.jsonld">');
    expect(html).toContain('<link rel="canonical" href="https://passport.example.com/p/p_abc123">');
    expect(html).toContain("<title>Organic Cotton T-Shirt (Size: M · Color: White) · Acme · Digital Product Passport</title>");
    expect(html).not.toMatch(/<script/i);
    expect(attributeNames(html).filter((name) => name.startsWith("on"))).toEqual([]);
    expect(attributeNames(html)).toContain("lang");
    expect(attributeNames(`<img src=x onerror=alert(1)><a href="x" onclick='y'>`)).toEqual(["src", "onerror", "href", "onclick"]);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/@import|@font-face|url\(/i);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
  });

  it("forbids scripts by Content-Security-Policy and allows its own inline style by hash", () => {
    const html = render(full());
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "").replaceAll("&#39;", "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(css).digest("base64")}'`);
  });

  it("has a semantic structure: header, one h1, main, sections labelled by their h2", () => {
    const html = render(full());
    expect(html).toMatch(/<header class="top">[\s\S]*<h1>Organic Cotton T-Shirt<\/h1>[\s\S]*<\/header>/);
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toMatch(/<main>[\s\S]*<\/main>/);
    expect(html).toContain("<footer>");
    for (const id of sectionIds(html)) {
      expect(html).toContain(`<section id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">`);
    }
  });

  it("shows every section of a fully described product", () => {
    expect(sectionIds(render(full()))).toEqual(Object.values(PASSPORT_SECTION_IDS));
  });

  it("shows only what a minimal product has (no empty sections)", () => {
    const html = render(buildPassportContent(minimalSource()));
    expect(sectionIds(html)).toEqual(["passport"]);
    expect(html).toContain("<h1>Plain Scarf</h1>");
    expect(html).toContain('<p class="brand">Acme Apparel</p>');
    expect(html).not.toContain('class="variant"');
    expect(html).not.toContain("<img src=\"https://cdn");
  });

  it("shows the product data: brand, variant, image, composition, origin, texts, figures, certifications, GTIN", () => {
    const html = render(full());
    expect(html).toContain('<p class="brand">Acme</p>');
    expect(html).toContain('<p class="variant">Size: M · Color: White</p>');
    expect(html).toContain('<img src="https://cdn.shopify.com/s/files/1/tee-front.jpg" alt="White T-shirt, front view" decoding="async">');
    expect(html).toContain('<th scope="col">Material</th><th scope="col" class="num">Share</th><th scope="col" class="num">Recycled</th><th scope="col">Origin</th>');
    expect(html).toContain('<tr><th scope="row">Organic cotton</th><td class="num">65%</td><td class="num">0%</td><td>India</td></tr>');
    expect(html).toContain('<tr><th scope="row">Elastane</th><td class="num">5%</td><td class="num">–</td><td>–</td></tr>');
    expect(html).toContain("<dt>Country of production</dt><dd>Portugal</dd>");
    expect(html).toContain('<dt id="manufacturer">Manufacturer</dt><dd>Fábrica Têxtil Lda</dd>');
    expect(html).toContain('<dt id="facility">Production facility</dt><dd>Fábrica Têxtil, Guimarães</dd>');
    expect(html).toContain('<div class="text"><p>Machine wash at 30 °C.\nDo not tumble dry.</p></div>');
    expect(html).toContain('<div class="text"><p>Soft &amp; breathable.</p><p>• Organic cotton\n• Recycled polyester</p></div>');
    expect(html).toContain("Free repairs in our Lisbon store.");
    expect(html).toContain("Return it to any Acme store for textile recycling.");
    expect(html).toContain('<dt id="carbon-footprint">Carbon footprint</dt><dd>4.2 kg CO₂e</dd>');
    expect(html).toContain('<dt id="water-use">Water use</dt><dd>2,700 L</dd>');
    expect(html).toContain("<dt>Weight</dt><dd>185 g</dd>");
    expect(html).toContain('<dt>GTIN</dt><dd><span translate="no">04006381333931</span></dd>');
    expect(html).toContain('<a href="https://certificates.example.org/gots/123" rel="noopener">GOTS</a>');
    expect(html).toContain("Certified by: Control Union · Valid until: June 30, 2027");
    expect(html).toContain('<li id="certification-2">OEKO-TEX Standard 100</li>');
  });

  it("shows the version, its date, the machine-readable link and the QR code", () => {
    const html = render(full());
    expect(html).toContain('<dt>Version</dt><dd>3</dd><dt>Version date</dt><dd><time datetime="2025-05-01T10:20:30.000Z">May 1, 2025</time></dd>');
    expect(html).toContain('<a href="https://passport.example.com/p/p_abc123.jsonld" type="application/ld+json">Machine-readable passport (JSON-LD, UNTP)</a>');
    expect(html).toContain('<img src="https://passport.example.com/p/p_abc123/qr.svg" alt="QR code linking to this passport" width="160" height="160">');
  });

  it("shows weights from 1 kg in kilograms", () => {
    expect(render({ ...full(), weight: 1500 })).toContain("<dt>Weight</dt><dd>1.5 kg</dd>");
  });

  it("escapes untrusted product data everywhere", () => {
    const source = fullSource();
    source.product.values.title = { en: "<script>alert('x')</script> Tee" };
    source.product.values.vendor = '"><img src=x onerror=alert(1)>';
    source.product.values.materials = [{ material: "<b>Cotton</b>", massPercent: 100 }];
    source.product.values.careInstructions = { en: "</p><script>steal()</script>" };
    source.product.values.images = [{ url: 'https://cdn.example.com/a.jpg?"onload="alert(1)', alt: '" onerror="alert(1)' }];
    source.product.values.certifications = [
      { name: "Evil <i>cert</i>", url: 'https://example.org/"onmouseover="alert(1)' },
      { name: "Script link", url: "javascript:alert(1)" },
    ];
    source.variant.values.options = [{ name: "Size", value: "<svg onload=alert(1)>" }];
    const html = render(buildPassportContent(source));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img src=x/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).not.toMatch(/<b>|<i>/);
    // Every "<" and '"' of product data is escaped, so tags and attributes are all ours.
    expect(attributeNames(html).filter((name) => name.startsWith("on"))).toEqual([]);
    expect(html).not.toContain("javascript:");
    expect(html).toContain("<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Tee</h1>");
    expect(html).toContain("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Tee");
    expect(html).toContain('<p class="brand">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(html).toContain('alt="&quot; onerror=&quot;alert(1)"');
    expect(html).toContain('href="https://example.org/%22onmouseover=%22alert(1)"'); // links are stored normalized
    // A version stored before links were normalized may hold a quote in one: escaped.
    const stored = buildPassportContent(source);
    stored.certifications![0].url = 'https://example.org/"onmouseover="alert(1)';
    expect(render(stored)).toContain('href="https://example.org/&quot;onmouseover=&quot;alert(1)"');
    expect(html).toContain('<li id="certification-2">Script link</li>');
  });

  it("escapes the five HTML-special characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  it("announces clearly when the product is no longer sold", () => {
    const archived = render({ ...full(), noLongerSold: true });
    expect(archived).toContain(
      '<p class="notice" role="note">This product is no longer sold. Its passport remains available for use, repair and recycling.</p>',
    );
    expect(render(full())).not.toContain('class="notice"');
    expect(render({ ...full(), noLongerSold: true }, { locale: "fr" })).toContain("Ce produit n’est plus commercialisé.");
  });

  describe("languages", () => {
    it("uses the requested locale for labels and texts", () => {
      const html = render(full(), { locale: "de" });
      expect(html).toContain('<html lang="de">');
      expect(html).toContain("<h1>Bio-Baumwoll-T-Shirt</h1>");
      expect(html).toContain('<h2 id="composition-title">Zusammensetzung</h2>');
      expect(html).toContain('<div class="text"><p>Maschinenwäsche bei 30 °C.</p></div>');
      expect(html).toContain("<dd>4,2 kg CO₂e</dd>");
      expect(html).toContain("<dd>Portugal</dd>");
      expect(html).toContain(">1. Mai 2025</time>");
    });

    it("falls back per text to the shop's locale and marks its language", () => {
      const html = render(full(), { locale: "fr" });
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain("<h1>T-shirt en coton bio</h1>");
      expect(html).toContain('<h2 id="care-title">Conseils d’entretien</h2><div class="text" lang="en"><p>Machine wash');
      expect(html).toContain('<p class="variant" lang="en">Size: M · Color: White</p>');
      expect(html).toContain('alt="White T-shirt, front view" lang="en"');
    });

    it("matches a regional locale to its language", () => {
      const html = render(full(), { locale: "de-AT" });
      expect(html).toContain('<html lang="de">');
      expect(html).toContain("<h1>Bio-Baumwoll-T-Shirt</h1>");
    });

    it("uses the shop's primary locale when none (or an unknown one) is requested, else English labels", () => {
      const source = fullSource();
      source.shop.primaryLocale = "it";
      source.product.values.title = { it: "Maglietta in cotone biologico", en: "Organic Cotton T-Shirt" };
      const italian = render(buildPassportContent(source));
      expect(italian).toContain('<html lang="it">');
      expect(italian).toContain("<h1>Maglietta in cotone biologico</h1>");
      expect(italian).toContain("Passaporto digitale del prodotto");

      const spanishReader = render(buildPassportContent(source), { locale: "es" });
      expect(spanishReader).toContain('<html lang="it">');
      expect(spanishReader).toContain("<h1>Maglietta in cotone biologico</h1>");

      source.shop.primaryLocale = "es";
      source.product.values.title = { es: "Camiseta de algodón orgánico" };
      const spanishShop = render(buildPassportContent(source));
      expect(spanishShop).toContain('<html lang="en">');
      expect(spanishShop).toContain('<h1 lang="es">Camiseta de algodón orgánico</h1>');
      expect(spanishShop).toContain('<h2 id="composition-title">Composition</h2>');
      expect(spanishShop).toContain('<th scope="row" lang="es">Organic cotton</th>');
    });

    it("has UI labels for English, German, French and Italian", () => {
      expect(PAGE_LANGUAGES).toEqual(expect.arrayContaining(["en", "de", "fr", "it"]));
      expect(pageLanguage(["xx", "FR-ca"])).toBe("fr");
      expect(pageLanguage([undefined])).toBe("en");
      for (const lang of PAGE_LANGUAGES) {
        const html = render(full(), { locale: lang });
        expect(html).toContain(`<html lang="${lang}">`);
        expect(sectionIds(html)).toEqual(Object.values(PASSPORT_SECTION_IDS));
      }
    });

    it("links to the other languages when asked to", () => {
      const html = render(full(), {
        locale: "de",
        languageLinks: [
          { locale: "en", url: "?lang=en" },
          { locale: "de", url: "?lang=de" },
        ],
      });
      expect(html).toContain('<nav class="langs" aria-label="Sprache"><ul><li><a href="?lang=en" hreflang="en" lang="en">EN</a></li>');
      expect(render(full(), { languageLinks: [{ locale: "en", url: "?lang=en" }] })).not.toContain("<nav");
    });
  });

  it("has anchors for every link the UNTP credential makes into the page", () => {
    const content = full();
    const html = render(content);
    const credential = buildUntpCredential(content, {
      ...META,
      publicId: "p_abc123",
      issuer: { name: "Acme", id: "did:web:passport.example.com" },
    });
    const { id: _credentialId, ...rest } = credential;
    const fragments = [...JSON.stringify(rest).matchAll(/https:\/\/passport\.example\.com\/p\/p_abc123#([\w-]+)/g)].map((m) => m[1]);
    expect(fragments.length).toBeGreaterThan(5);
    for (const fragment of fragments) expect(html).toContain(`id="${fragment}"`);
  });

  it("uses colours with a contrast of at least 4.5:1", () => {
    for (const [foreground, background] of PAGE_CONTRAST_PAIRS) {
      expect(contrast(foreground, background), `${foreground} on ${background}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("renderPassportNotFound", () => {
  it("is a small, script-free, localized document", () => {
    const html = renderPassportNotFound();
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain("<h1>Passport not found</h1>");
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).not.toMatch(/<script/i);
    const german = renderPassportNotFound({ locale: "de" });
    expect(german).toContain('<html lang="de">');
    expect(german).toContain("<h1>Produktpass nicht gefunden</h1>");
  });
});

describe("renderBadDigitalLink", () => {
  it("says what is wrong with the link in the reader's language, and what a link looks like", () => {
    const checkDigit = { kind: "gtin", problem: { kind: "checkDigit", digits: "4006381333932", expected: 1 } } as const;
    const english = renderBadDigitalLink(checkDigit);
    expect(english).toContain('<html lang="en">');
    expect(english).toContain("<h1>This is not a valid product link</h1>");
    expect(english).toContain("“4006381333932” has a wrong check digit: the last digit should be 1.");
    expect(english).not.toMatch(/<script/i);
    expect(renderBadDigitalLink(checkDigit, { locale: "de-CH" })).toContain("Die letzte Ziffer müsste 1 sein");
    expect(renderBadDigitalLink({ kind: "order", key: "10", before: "21" }, { locale: "fr" })).toContain("/10/ doit précéder /21/.");
    expect(renderBadDigitalLink({ kind: "missingValue", key: "21" }, { locale: "it" })).toContain("/21/ deve essere seguito da un valore.");
    // Whatever came in the URL is escaped.
    expect(renderBadDigitalLink({ kind: "unknownKey", key: "<b>x</b>" })).toContain("“&lt;b&gt;x&lt;/b&gt;” is not a key");
  });
});

describe("renderedLanguageKey", () => {
  it("is the same for two requests exactly when they get the same page and credential", () => {
    const content = full();
    const requests = [undefined, "en", "en-GB", "EN", "de", "de-AT", "DE-de", "fr", "fr-CA", "it", "ja", "es-419", "zh-Hant-TW"];
    const byKey = new Map<string, string[]>();
    for (const requested of requests) {
      const rendered = render(content, { locale: requested }) + JSON.stringify(buildUntpCredential(content, { ...META, publicId: "p_abc123", issuer: { name: "N", id: "did:web:x" }, locale: requested }));
      const key = renderedLanguageKey(content, requested);
      byKey.set(key, [...(byKey.get(key) ?? []), rendered]);
    }
    for (const pages of byKey.values()) expect(new Set(pages).size).toBe(1);
    // English, German, French, Italian labels; requests for languages without texts or labels read the shop's default.
    expect(byKey.size).toBe(4);
    expect(renderedLanguageKey(content, "ja")).toBe(renderedLanguageKey(content, undefined));
    expect(renderedLanguageKey(content, "de-AT")).toBe(renderedLanguageKey(content, "de"));
    // It holds only the page's languages and the content's own locales, never what was asked for.
    expect(renderedLanguageKey(content, "zh-Hant-TW")).not.toMatch(/zh/i);
  });
});
