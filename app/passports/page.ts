// The public passport page, as a pure function of the content: a complete HTML document.
//
// Product data is untrusted: every text and attribute goes through `escapeHtml`, and links taken
// from product data must be http(s). The page has no JavaScript at all (and a Content-Security-
// Policy that forbids it, should anything ever slip through), no external fonts or stylesheets:
// one inline stylesheet, system fonts, mobile-first, readable from 320 px wide. Colours are chosen
// for a contrast of at least 4.5:1 (checked by the tests from PAGE_CONTRAST_PAIRS).
import { createHash } from "node:crypto";
import countries from "i18n-iso-countries";
import type { LocalizedText } from "../catalog/fields";
import { localePreference, pickLocalized, type PassportContent, type PassportMaterial } from "./content";
import type { DigitalLinkProblem } from "./gs1";

/** Section anchors; the UNTP credential links to some of them (e.g. `#recycling`). */
export const PASSPORT_SECTION_IDS = {
  description: "description",
  composition: "composition",
  origin: "origin",
  care: "care",
  repair: "repair",
  recycling: "recycling",
  environment: "environment",
  certifications: "certifications",
  details: "details",
  passport: "passport",
} as const;

export interface PassportPageMeta {
  version: number;
  versionCreatedAt: Date;
  /** The canonical URL of this page. */
  passportUrl: string;
}

export interface PassportPageOptions {
  /** The reader's locale (e.g. from `?lang=` or Accept-Language); falls back to the shop's. */
  locale?: string;
  /** Where the UNTP JSON-LD of this version is served. */
  jsonLdUrl: string;
  /** Where the QR code image of this passport is served. */
  qrImageUrl: string;
  /** Other languages the passport can be read in, as links; shown when there are two or more. */
  languageLinks?: { locale: string; url: string }[];
}

// ---------------------------------------------------------------------------------------------
// UI texts

interface UiText {
  passport: string;
  description: string;
  composition: string;
  material: string;
  share: string;
  recycled: string;
  materialOrigin: string;
  origin: string;
  countryOfProduction: string;
  manufacturer: string;
  facility: string;
  care: string;
  repair: string;
  recycling: string;
  environment: string;
  carbonFootprint: string;
  waterUse: string;
  certifications: string;
  certifiedBy: string;
  validUntil: string;
  details: string;
  category: string;
  weight: string;
  gtin: string;
  aboutPassport: string;
  version: string;
  versionDate: string;
  machineReadable: string;
  qrAlt: string;
  noLongerSold: string;
  languages: string;
  notFoundTitle: string;
  notFoundText: string;
  // A GS1 Digital Link that cannot be read (HTTP 400). {placeholders} are filled in by `fill`.
  badLinkTitle: string;
  badLinkHelp: string;
  gtinEmpty: string;
  gtinNotDigits: string;
  gtinLength: string;
  gtinCheckDigit: string;
  qualifierUnknown: string;
  qualifierOrder: string;
  qualifierRepeated: string;
  qualifierMissingValue: string;
}

const UI: Record<string, UiText> = {
  en: {
    passport: "Digital Product Passport",
    description: "Description",
    composition: "Composition",
    material: "Material",
    share: "Share",
    recycled: "Recycled",
    materialOrigin: "Origin",
    origin: "Origin and manufacturing",
    countryOfProduction: "Country of production",
    manufacturer: "Manufacturer",
    facility: "Production facility",
    care: "Care instructions",
    repair: "Repair",
    recycling: "Recycling",
    environment: "Environmental impact",
    carbonFootprint: "Carbon footprint",
    waterUse: "Water use",
    certifications: "Certifications",
    certifiedBy: "Certified by",
    validUntil: "Valid until",
    details: "Product details",
    category: "Category",
    weight: "Weight",
    gtin: "GTIN",
    aboutPassport: "About this passport",
    version: "Version",
    versionDate: "Version date",
    machineReadable: "Machine-readable passport (JSON-LD, UNTP)",
    qrAlt: "QR code linking to this passport",
    noLongerSold: "This product is no longer sold. Its passport remains available for use, repair and recycling.",
    languages: "Language",
    notFoundTitle: "Passport not found",
    notFoundText: "There is no product passport at this address. Check the link, or scan the QR code on the product again.",
    badLinkTitle: "This is not a valid product link",
    badLinkHelp: "A GS1 Digital Link has /01/ followed by the 8, 12, 13 or 14 digits of the barcode, then optionally /22/ (variant), /10/ (batch or lot) and /21/ (serial number), in that order. Check the link, or scan the QR code on the product again.",
    gtinEmpty: "The barcode number (GTIN) after /01/ is missing.",
    gtinNotDigits: "“{text}” is not a GTIN: only digits are allowed.",
    gtinLength: "“{digits}” has {count} digits; a GTIN has 8, 12, 13 or 14.",
    gtinCheckDigit: "“{digits}” has a wrong check digit: the last digit should be {expected}.",
    qualifierUnknown: "“{key}” is not a key that can follow the GTIN here.",
    qualifierOrder: "/{key}/ must come before /{before}/.",
    qualifierRepeated: "/{key}/ may appear only once.",
    qualifierMissingValue: "/{key}/ needs a value after it.",
  },
  de: {
    passport: "Digitaler Produktpass",
    description: "Beschreibung",
    composition: "Zusammensetzung",
    material: "Material",
    share: "Anteil",
    recycled: "Recycelt",
    materialOrigin: "Herkunft",
    origin: "Herkunft und Herstellung",
    countryOfProduction: "Herstellungsland",
    manufacturer: "Hersteller",
    facility: "Produktionsstätte",
    care: "Pflegehinweise",
    repair: "Reparatur",
    recycling: "Recycling",
    environment: "Umweltauswirkungen",
    carbonFootprint: "CO₂-Fußabdruck",
    waterUse: "Wasserverbrauch",
    certifications: "Zertifizierungen",
    certifiedBy: "Zertifiziert von",
    validUntil: "Gültig bis",
    details: "Produktdetails",
    category: "Kategorie",
    weight: "Gewicht",
    gtin: "GTIN",
    aboutPassport: "Über diesen Produktpass",
    version: "Version",
    versionDate: "Stand",
    machineReadable: "Maschinenlesbarer Produktpass (JSON-LD, UNTP)",
    qrAlt: "QR-Code mit dem Link zu diesem Produktpass",
    noLongerSold: "Dieses Produkt wird nicht mehr verkauft. Der Produktpass bleibt für Nutzung, Reparatur und Recycling verfügbar.",
    languages: "Sprache",
    notFoundTitle: "Produktpass nicht gefunden",
    notFoundText: "Unter dieser Adresse gibt es keinen Produktpass. Prüfen Sie den Link oder scannen Sie den QR-Code auf dem Produkt erneut.",
    badLinkTitle: "Dies ist kein gültiger Produktlink",
    badLinkHelp: "Ein GS1 Digital Link enthält /01/ und die 8, 12, 13 oder 14 Ziffern des Barcodes, danach optional /22/ (Variante), /10/ (Charge oder Los) und /21/ (Seriennummer) in dieser Reihenfolge. Prüfen Sie den Link oder scannen Sie den QR-Code auf dem Produkt erneut.",
    gtinEmpty: "Die Barcode-Nummer (GTIN) nach /01/ fehlt.",
    gtinNotDigits: "„{text}“ ist keine GTIN: Nur Ziffern sind erlaubt.",
    gtinLength: "„{digits}“ hat {count} Ziffern; eine GTIN hat 8, 12, 13 oder 14.",
    gtinCheckDigit: "„{digits}“ hat eine falsche Prüfziffer: Die letzte Ziffer müsste {expected} sein.",
    qualifierUnknown: "„{key}“ ist kein Schlüssel, der hier auf die GTIN folgen kann.",
    qualifierOrder: "/{key}/ muss vor /{before}/ stehen.",
    qualifierRepeated: "/{key}/ darf nur einmal vorkommen.",
    qualifierMissingValue: "Nach /{key}/ fehlt der Wert.",
  },
  fr: {
    passport: "Passeport numérique de produit",
    description: "Description",
    composition: "Composition",
    material: "Matière",
    share: "Part",
    recycled: "Recyclé",
    materialOrigin: "Origine",
    origin: "Origine et fabrication",
    countryOfProduction: "Pays de fabrication",
    manufacturer: "Fabricant",
    facility: "Site de production",
    care: "Conseils d’entretien",
    repair: "Réparation",
    recycling: "Recyclage",
    environment: "Impact environnemental",
    carbonFootprint: "Empreinte carbone",
    waterUse: "Consommation d’eau",
    certifications: "Certifications",
    certifiedBy: "Certifié par",
    validUntil: "Valable jusqu’au",
    details: "Détails du produit",
    category: "Catégorie",
    weight: "Poids",
    gtin: "GTIN",
    aboutPassport: "À propos de ce passeport",
    version: "Version",
    versionDate: "Date de la version",
    machineReadable: "Passeport lisible par machine (JSON-LD, UNTP)",
    qrAlt: "Code QR menant à ce passeport",
    noLongerSold: "Ce produit n’est plus commercialisé. Son passeport reste disponible pour l’utilisation, la réparation et le recyclage.",
    languages: "Langue",
    notFoundTitle: "Passeport introuvable",
    notFoundText: "Aucun passeport de produit n’existe à cette adresse. Vérifiez le lien ou scannez à nouveau le code QR du produit.",
    badLinkTitle: "Ce lien de produit n’est pas valide",
    badLinkHelp: "Un GS1 Digital Link contient /01/ suivi des 8, 12, 13 ou 14 chiffres du code-barres, puis éventuellement /22/ (variante), /10/ (lot) et /21/ (numéro de série), dans cet ordre. Vérifiez le lien ou scannez à nouveau le code QR du produit.",
    gtinEmpty: "Le numéro du code-barres (GTIN) après /01/ est manquant.",
    gtinNotDigits: "« {text} » n’est pas un GTIN : seuls des chiffres sont autorisés.",
    gtinLength: "« {digits} » compte {count} chiffres ; un GTIN en compte 8, 12, 13 ou 14.",
    gtinCheckDigit: "« {digits} » a une clé de contrôle erronée : le dernier chiffre devrait être {expected}.",
    qualifierUnknown: "« {key} » n’est pas une clé qui peut suivre le GTIN ici.",
    qualifierOrder: "/{key}/ doit précéder /{before}/.",
    qualifierRepeated: "/{key}/ ne peut apparaître qu’une fois.",
    qualifierMissingValue: "/{key}/ doit être suivi d’une valeur.",
  },
  it: {
    passport: "Passaporto digitale del prodotto",
    description: "Descrizione",
    composition: "Composizione",
    material: "Materiale",
    share: "Quota",
    recycled: "Riciclato",
    materialOrigin: "Origine",
    origin: "Origine e produzione",
    countryOfProduction: "Paese di produzione",
    manufacturer: "Produttore",
    facility: "Stabilimento di produzione",
    care: "Istruzioni di manutenzione",
    repair: "Riparazione",
    recycling: "Riciclo",
    environment: "Impatto ambientale",
    carbonFootprint: "Impronta di carbonio",
    waterUse: "Consumo di acqua",
    certifications: "Certificazioni",
    certifiedBy: "Certificato da",
    validUntil: "Valido fino al",
    details: "Dettagli del prodotto",
    category: "Categoria",
    weight: "Peso",
    gtin: "GTIN",
    aboutPassport: "Informazioni su questo passaporto",
    version: "Versione",
    versionDate: "Data della versione",
    machineReadable: "Passaporto leggibile da macchina (JSON-LD, UNTP)",
    qrAlt: "Codice QR che rimanda a questo passaporto",
    noLongerSold: "Questo prodotto non è più in vendita. Il suo passaporto resta disponibile per l’uso, la riparazione e il riciclo.",
    languages: "Lingua",
    notFoundTitle: "Passaporto non trovato",
    notFoundText: "A questo indirizzo non esiste alcun passaporto del prodotto. Controlla il link o scansiona di nuovo il codice QR sul prodotto.",
    badLinkTitle: "Questo link del prodotto non è valido",
    badLinkHelp: "Un GS1 Digital Link contiene /01/ seguito dalle 8, 12, 13 o 14 cifre del codice a barre, poi facoltativamente /22/ (variante), /10/ (lotto) e /21/ (numero di serie), in quest’ordine. Controlla il link o scansiona di nuovo il codice QR sul prodotto.",
    gtinEmpty: "Manca il numero del codice a barre (GTIN) dopo /01/.",
    gtinNotDigits: "«{text}» non è un GTIN: sono ammesse solo cifre.",
    gtinLength: "«{digits}» ha {count} cifre; un GTIN ne ha 8, 12, 13 o 14.",
    gtinCheckDigit: "«{digits}» ha una cifra di controllo errata: l’ultima cifra dovrebbe essere {expected}.",
    qualifierUnknown: "«{key}» non è una chiave che può seguire il GTIN qui.",
    qualifierOrder: "/{key}/ deve precedere /{before}/.",
    qualifierRepeated: "/{key}/ può comparire una sola volta.",
    qualifierMissingValue: "/{key}/ deve essere seguito da un valore.",
  },
};

/** Languages the page's own labels exist in. */
export const PAGE_LANGUAGES = Object.keys(UI);

function languageOf(locale: string): string {
  return locale.toLowerCase().split(/[-_]/)[0];
}

/** The first candidate whose language has UI labels, else English. */
export function pageLanguage(candidates: readonly (string | undefined)[]): string {
  for (const candidate of candidates) {
    if (candidate && UI[languageOf(candidate)]) return languageOf(candidate);
  }
  return "en";
}

// ---------------------------------------------------------------------------------------------
// Styles

/** Colours of the page; PAGE_CONTRAST_PAIRS lists every text/background combination used. */
export const PAGE_COLORS = {
  text: "#1a1a1a",
  muted: "#4a4a4a",
  background: "#ffffff",
  panel: "#f3f4f6",
  link: "#0b57d0",
  noticeText: "#4d2e00",
  noticeBackground: "#fff4e0",
  border: "#d0d5dd",
} as const;

export const PAGE_CONTRAST_PAIRS: readonly (readonly [foreground: string, background: string])[] = [
  [PAGE_COLORS.text, PAGE_COLORS.background],
  [PAGE_COLORS.muted, PAGE_COLORS.background],
  [PAGE_COLORS.link, PAGE_COLORS.background],
  [PAGE_COLORS.text, PAGE_COLORS.panel],
  [PAGE_COLORS.muted, PAGE_COLORS.panel],
  [PAGE_COLORS.link, PAGE_COLORS.panel],
  [PAGE_COLORS.noticeText, PAGE_COLORS.noticeBackground],
];

const C = PAGE_COLORS;
const CSS = [
  `*,*::before,*::after{box-sizing:border-box}`,
  `html{-webkit-text-size-adjust:100%;text-size-adjust:100%}`,
  `body{margin:0;background:${C.background};color:${C.text};font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word;hyphens:auto}`,
  `.wrap{max-width:42rem;margin:0 auto;padding:1rem .75rem}`,
  `@media (min-width:30rem){.wrap{padding:1rem}}`,
  `header.top{padding:1.25rem 0 .5rem}`,
  `.eyebrow{margin:0;color:${C.muted};font-size:.875rem;text-transform:uppercase;letter-spacing:.04em}`,
  `.brand{margin:.25rem 0 0;font-weight:600}`,
  `h1{margin:.25rem 0;font-size:1.6rem;line-height:1.25}`,
  `h2{margin:0 0 .5rem;font-size:1.2rem;line-height:1.3}`,
  `.variant{margin:.25rem 0 0;color:${C.muted}}`,
  `.notice{margin:1rem 0 0;padding:.75rem 1rem;background:${C.noticeBackground};color:${C.noticeText};border-left:4px solid ${C.noticeText};font-weight:600}`,
  `.image{margin:1rem 0}`,
  `.image img{display:block;width:100%;height:auto;max-height:70vh;object-fit:contain;background:${C.panel}}`,
  `section{padding:1rem 0;border-top:1px solid ${C.border}}`,
  `.text p{margin:0 0 .75rem;white-space:pre-line}`,
  `.text p:last-child{margin-bottom:0}`,
  `.scroll{overflow-x:auto}`,
  `table{width:100%;border-collapse:collapse;font-size:.875rem}`,
  `th,td{padding:.5rem .25rem;text-align:left;vertical-align:top;border-bottom:1px solid ${C.border}}`,
  `thead th{background:${C.panel};font-size:.8125rem}`,
  `td.num,th.num{text-align:right;white-space:nowrap}`,
  `dl{margin:0;display:grid;grid-template-columns:minmax(0,1fr);gap:.15rem 1rem}`,
  `dt{color:${C.muted};font-size:.875rem}`,
  `dd{margin:0 0 .6rem}`,
  `@media (min-width:30rem){dl{grid-template-columns:minmax(8rem,1fr) minmax(0,2fr)}dd{margin:0}dt,dd{padding:.3rem 0}}`,
  `ul.certs{margin:0;padding-left:1.25rem}`,
  `ul.certs li{margin:0 0 .5rem}`,
  `.muted{color:${C.muted}}`,
  `a{color:${C.link};text-decoration:underline;text-underline-offset:.15em}`,
  `a:focus-visible{outline:3px solid ${C.link};outline-offset:2px}`,
  `.qr img{display:block;width:10rem;height:10rem;margin-top:.75rem;background:#ffffff}`,
  `nav.langs ul{list-style:none;margin:.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}`,
  `footer{padding:1rem 0 2rem;color:${C.muted};font-size:.875rem;border-top:1px solid ${C.border}}`,
].join("\n");

/** The inline stylesheet is allowed by hash; no script source is allowed at all. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // Product images live on the shop's CDN (or, in development, the simulator over plain HTTP).
  "img-src 'self' https: http: data:",
  `style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

// ---------------------------------------------------------------------------------------------
// HTML helpers

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url);
}

/** ` lang="…"` when a text is not in the page's language (screen readers switch voice). */
function langAttr(textLocale: string, pageLang: string): string {
  return languageOf(textLocale) === pageLang ? "" : ` lang="${escapeHtml(textLocale)}"`;
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${escapeHtml(heading)}</h2>${body}</section>`;
}

function definitionList(rows: ([label: string, valueHtml: string, id?: string] | undefined)[]): string {
  const items = rows.filter((r): r is [string, string, string?] => r !== undefined);
  return `<dl>${items.map(([label, value, id]) => `<dt${id ? ` id="${id}"` : ""}>${escapeHtml(label)}</dt><dd>${value}</dd>`).join("")}</dl>`;
}

/** Plain text as paragraphs (blank lines separate paragraphs; single newlines are kept by CSS). */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("");
}

// ---------------------------------------------------------------------------------------------
// Formatting

interface Formatter {
  lang: string;
  t: UiText;
  number(value: number): string;
  percent(value: number): string;
  unit(value: number, unit: "gram" | "kilogram" | "liter"): string;
  date(date: Date): string;
  country(code: string): string;
}

/** Formatters per page language, made once: Intl formatters are costly to create per request. */
const formatters = new Map<string, Formatter>();

function formatter(lang: string): Formatter {
  const cached = formatters.get(lang);
  if (cached) return cached;
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  const units = new Map<string, Intl.NumberFormat>();
  // Dates are calendar dates for readers everywhere: formatted in UTC so the day never shifts.
  const date = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" });
  const made: Formatter = {
    lang,
    t: UI[lang],
    number: (value) => number.format(value),
    percent: (value) => percent.format(value / 100),
    unit: (value, unit) => {
      let format = units.get(unit);
      if (!format) units.set(unit, (format = new Intl.NumberFormat(lang, { style: "unit", unit, maximumFractionDigits: 2 })));
      return format.format(value);
    },
    date: (value) => date.format(value),
    country: (code) => countries.getName(code, lang) ?? countries.getName(code, "en") ?? code,
  };
  formatters.set(lang, made);
  return made;
}

function isoDateToDate(isoDate: string): Date | undefined {
  const date = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// ---------------------------------------------------------------------------------------------
// Page parts

interface PageContext {
  content: PassportContent;
  meta: PassportPageMeta;
  options: PassportPageOptions;
  f: Formatter;
  /** Locales to try for localized content, best first. */
  locales: string[];
}

function localized(ctx: PageContext, text: LocalizedText | undefined): { html: string; lang: string } | undefined {
  const picked = pickLocalized(text, ctx.locales);
  return picked ? { html: escapeHtml(picked.text), lang: langAttr(picked.locale, ctx.f.lang) } : undefined;
}

/** ` lang` for free texts the merchant typed in the shop's language (options, materials, alt…). */
function merchantLang(ctx: PageContext): string {
  return langAttr(ctx.content.locale, ctx.f.lang);
}

function variantLine(content: PassportContent): string | undefined {
  if (content.options?.length) return content.options.map((o) => `${o.name}: ${o.value}`).join(" · ");
  return content.variantTitle;
}

function renderHeader(ctx: PageContext): string {
  const { content, f } = ctx;
  const title = localized(ctx, content.title);
  const variant = variantLine(content);
  return [
    `<header class="top">`,
    `<p class="eyebrow">${escapeHtml(f.t.passport)}</p>`,
    `<p class="brand">${escapeHtml(content.brand)}</p>`,
    `<h1${title?.lang ?? ""}>${title?.html ?? ""}</h1>`,
    variant ? `<p class="variant"${merchantLang(ctx)}>${escapeHtml(variant)}</p>` : "",
    content.noLongerSold ? `<p class="notice" role="note">${escapeHtml(f.t.noLongerSold)}</p>` : "",
    `</header>`,
  ].join("");
}

function renderImage(ctx: PageContext): string {
  const image = ctx.content.image;
  if (!image || !isHttpUrl(image.url)) return "";
  const title = pickLocalized(ctx.content.title, ctx.locales);
  const [alt, lang] = image.alt !== undefined ? [image.alt, merchantLang(ctx)] : [title?.text ?? "", title ? langAttr(title.locale, ctx.f.lang) : ""];
  return `<figure class="image"><img src="${escapeHtml(image.url)}" alt="${escapeHtml(alt)}"${lang} decoding="async"></figure>`;
}

function renderTextSection(ctx: PageContext, id: string, heading: string, text: LocalizedText | undefined): string {
  const picked = pickLocalized(text, ctx.locales);
  if (!picked) return "";
  return section(id, heading, `<div class="text"${langAttr(picked.locale, ctx.f.lang)}>${paragraphs(picked.text)}</div>`);
}

function materialRow(ctx: PageContext, m: PassportMaterial, withRecycled: boolean, withOrigin: boolean): string {
  const { f } = ctx;
  const cells = [`<th scope="row"${merchantLang(ctx)}>${escapeHtml(m.material)}</th>`, `<td class="num">${escapeHtml(f.percent(m.massPercent))}</td>`];
  if (withRecycled) cells.push(`<td class="num">${m.recycledPercent !== undefined ? escapeHtml(f.percent(m.recycledPercent)) : "–"}</td>`);
  if (withOrigin) cells.push(`<td>${m.originCountry ? escapeHtml(f.country(m.originCountry)) : "–"}</td>`);
  return `<tr>${cells.join("")}</tr>`;
}

function renderComposition(ctx: PageContext): string {
  const materials = ctx.content.materials;
  if (!materials?.length) return "";
  const { t } = ctx.f;
  const withRecycled = materials.some((m) => m.recycledPercent !== undefined);
  const withOrigin = materials.some((m) => m.originCountry);
  const head = [
    `<th scope="col">${escapeHtml(t.material)}</th>`,
    `<th scope="col" class="num">${escapeHtml(t.share)}</th>`,
    withRecycled ? `<th scope="col" class="num">${escapeHtml(t.recycled)}</th>` : "",
    withOrigin ? `<th scope="col">${escapeHtml(t.materialOrigin)}</th>` : "",
  ].join("");
  const body = materials.map((m) => materialRow(ctx, m, withRecycled, withOrigin)).join("");
  // The scroll box is a safety net for very long material names on narrow screens; it is
  // focusable so keyboard users can scroll it too.
  const table = `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const labelledBy = `${PASSPORT_SECTION_IDS.composition}-title`;
  return section(PASSPORT_SECTION_IDS.composition, t.composition, `<div class="scroll" role="region" aria-labelledby="${labelledBy}" tabindex="0">${table}</div>`);
}

function renderOrigin(ctx: PageContext): string {
  const { content, f } = ctx;
  if (!content.countryOfProduction && !content.manufacturer && !content.facility) return "";
  return section(
    PASSPORT_SECTION_IDS.origin,
    f.t.origin,
    definitionList([
      content.countryOfProduction ? [f.t.countryOfProduction, escapeHtml(f.country(content.countryOfProduction))] : undefined,
      content.manufacturer ? [f.t.manufacturer, escapeHtml(content.manufacturer), "manufacturer"] : undefined,
      content.facility ? [f.t.facility, escapeHtml(content.facility), "facility"] : undefined,
    ]),
  );
}

function renderEnvironment(ctx: PageContext): string {
  const { content, f } = ctx;
  if (content.carbonFootprint === undefined && content.waterUse === undefined) return "";
  return section(
    PASSPORT_SECTION_IDS.environment,
    f.t.environment,
    definitionList([
      content.carbonFootprint !== undefined
        ? [f.t.carbonFootprint, `${escapeHtml(f.number(content.carbonFootprint))} kg CO₂e`, "carbon-footprint"]
        : undefined,
      content.waterUse !== undefined ? [f.t.waterUse, escapeHtml(f.unit(content.waterUse, "liter")), "water-use"] : undefined,
    ]),
  );
}

function renderCertifications(ctx: PageContext): string {
  const { content, f } = ctx;
  if (!content.certifications?.length) return "";
  const items = content.certifications.map((c, i) => {
    const name = c.url && isHttpUrl(c.url) ? `<a href="${escapeHtml(c.url)}" rel="noopener">${escapeHtml(c.name)}</a>` : escapeHtml(c.name);
    const validUntil = c.validUntil ? isoDateToDate(c.validUntil) : undefined;
    const details = [
      c.body ? `${escapeHtml(f.t.certifiedBy)}: ${escapeHtml(c.body)}` : "",
      validUntil ? `${escapeHtml(f.t.validUntil)}: ${escapeHtml(f.date(validUntil))}` : "",
    ].filter(Boolean);
    return `<li id="certification-${i + 1}">${name}${details.length ? `<br><span class="muted">${details.join(" · ")}</span>` : ""}</li>`;
  });
  return section(PASSPORT_SECTION_IDS.certifications, f.t.certifications, `<ul class="certs">${items.join("")}</ul>`);
}

function formatWeight(grams: number, f: Formatter): string {
  return grams >= 1000 ? f.unit(grams / 1000, "kilogram") : f.unit(grams, "gram");
}

function renderDetails(ctx: PageContext): string {
  const { content, f } = ctx;
  if (!content.category && content.weight === undefined && !content.gtin) return "";
  return section(
    PASSPORT_SECTION_IDS.details,
    f.t.details,
    definitionList([
      content.category ? [f.t.category, `<span${merchantLang(ctx)}>${escapeHtml(content.category)}</span>`] : undefined,
      content.weight !== undefined ? [f.t.weight, escapeHtml(formatWeight(content.weight, f))] : undefined,
      content.gtin ? [f.t.gtin, `<span translate="no">${escapeHtml(content.gtin)}</span>`] : undefined,
    ]),
  );
}

function renderLanguageLinks(ctx: PageContext): string {
  const links = (ctx.options.languageLinks ?? []).filter((l) => l.locale && l.url);
  if (links.length < 2) return "";
  const items = links.map(
    (l) => `<li><a href="${escapeHtml(l.url)}" hreflang="${escapeHtml(l.locale)}" lang="${escapeHtml(l.locale)}">${escapeHtml(l.locale.toUpperCase())}</a></li>`,
  );
  return `<nav class="langs" aria-label="${escapeHtml(ctx.f.t.languages)}"><ul>${items.join("")}</ul></nav>`;
}

function renderAboutPassport(ctx: PageContext): string {
  const { meta, options, f } = ctx;
  return section(
    PASSPORT_SECTION_IDS.passport,
    f.t.aboutPassport,
    definitionList([
      [f.t.version, escapeHtml(String(meta.version))],
      [f.t.versionDate, `<time datetime="${escapeHtml(meta.versionCreatedAt.toISOString())}">${escapeHtml(f.date(meta.versionCreatedAt))}</time>`],
    ]) +
      `<p><a href="${escapeHtml(options.jsonLdUrl)}" type="application/ld+json">${escapeHtml(f.t.machineReadable)}</a></p>` +
      `<div class="qr"><img src="${escapeHtml(options.qrImageUrl)}" alt="${escapeHtml(f.t.qrAlt)}" width="160" height="160"></div>`,
  );
}

function documentHead(lang: string, title: string, extraHead: string): string {
  return [
    `<!DOCTYPE html>`,
    `<html lang="${escapeHtml(lang)}">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    `<meta name="referrer" content="strict-origin-when-cross-origin">`,
    `<title>${escapeHtml(title)}</title>`,
    `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`,
    extraHead,
    `<style>${CSS}</style>`,
    `</head>`,
  ].join("\n");
}

function pageTitle(ctx: PageContext): string {
  const title = pickLocalized(ctx.content.title, ctx.locales)?.text ?? "";
  const variant = variantLine(ctx.content);
  return [variant ? `${title} (${variant})` : title, ctx.content.brand, ctx.f.t.passport].filter(Boolean).join(" · ");
}

/** The public passport page (a full HTML document) for one passport version. */
export function renderPassportPage(content: PassportContent, meta: PassportPageMeta, options: PassportPageOptions): string {
  const f = formatter(pageLanguage([options.locale, content.locale]));
  const ctx: PageContext = { content, meta, options, f, locales: localePreference(content, options.locale) };
  const head = documentHead(
    f.lang,
    pageTitle(ctx),
    [
      `<link rel="canonical" href="${escapeHtml(meta.passportUrl)}">`,
      `<link rel="alternate" type="application/ld+json" href="${escapeHtml(options.jsonLdUrl)}">`,
    ].join("\n"),
  );
  const main = [
    renderImage(ctx),
    renderTextSection(ctx, PASSPORT_SECTION_IDS.description, f.t.description, content.description),
    renderComposition(ctx),
    renderOrigin(ctx),
    renderTextSection(ctx, PASSPORT_SECTION_IDS.care, f.t.care, content.careInstructions),
    renderTextSection(ctx, PASSPORT_SECTION_IDS.repair, f.t.repair, content.repairInstructions),
    renderTextSection(ctx, PASSPORT_SECTION_IDS.recycling, f.t.recycling, content.recyclingInstructions),
    renderEnvironment(ctx),
    renderCertifications(ctx),
    renderDetails(ctx),
    renderAboutPassport(ctx),
  ].join("\n");
  return [
    head,
    `<body>`,
    `<div class="wrap">`,
    renderHeader(ctx),
    renderLanguageLinks(ctx),
    `<main>`,
    main,
    `</main>`,
    `<footer><p>${escapeHtml(f.t.passport)} · ${escapeHtml(content.brand)}</p></footer>`,
    `</div>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}

/** A short page with a heading and paragraphs, in the page's language (404 and 400 pages). */
function renderMessagePage(lang: string, heading: string, paragraphs: string[]): string {
  const t = UI[lang];
  return [
    documentHead(lang, `${heading} · ${t.passport}`, `<meta name="robots" content="noindex">`),
    `<body>`,
    `<div class="wrap">`,
    `<header class="top"><p class="eyebrow">${escapeHtml(t.passport)}</p></header>`,
    `<main><h1>${escapeHtml(heading)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}</main>`,
    `</div>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}

/** The page for an unknown passport id (serve it with HTTP 404). */
export function renderPassportNotFound(options: { locale?: string } = {}): string {
  const lang = pageLanguage([options.locale]);
  return renderMessagePage(lang, UI[lang].notFoundTitle, [UI[lang].notFoundText]);
}

/** Fills `{name}` placeholders of a UI text. */
function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

function digitalLinkProblemText(t: UiText, problem: DigitalLinkProblem): string {
  switch (problem.kind) {
    case "gtin": {
      const gtin = problem.problem;
      if (gtin.kind === "empty") return t.gtinEmpty;
      if (gtin.kind === "notDigits") return fill(t.gtinNotDigits, { text: gtin.text });
      if (gtin.kind === "length") return fill(t.gtinLength, { digits: gtin.digits, count: gtin.digits.length });
      return fill(t.gtinCheckDigit, { digits: gtin.digits, expected: gtin.expected });
    }
    case "unknownKey":
      return fill(t.qualifierUnknown, { key: problem.key });
    case "order":
      return fill(t.qualifierOrder, { key: problem.key, before: problem.before });
    case "repeated":
      return fill(t.qualifierRepeated, { key: problem.key });
    case "missingValue":
      return fill(t.qualifierMissingValue, { key: problem.key });
  }
}

/** The page for a GS1 Digital Link that cannot be read (serve it with HTTP 400): what is wrong, and what a link looks like. */
export function renderBadDigitalLink(problem: DigitalLinkProblem, options: { locale?: string } = {}): string {
  const lang = pageLanguage([options.locale]);
  const t = UI[lang];
  return renderMessagePage(lang, t.badLinkTitle, [digitalLinkProblemText(t, problem), t.badLinkHelp]);
}

/** Keys of the passport content that hold text per locale. A Record, so a new one fails to compile until it is listed. */
type LocalizedContentKey = { [K in keyof PassportContent]-?: NonNullable<PassportContent[K]> extends LocalizedText ? K : never }[keyof PassportContent];
const LOCALIZED_CONTENT: Record<LocalizedContentKey, true> = {
  title: true,
  description: true,
  careInstructions: true,
  repairInstructions: true,
  recyclingInstructions: true,
};

/**
 * What a reader's requested locale changes in the page (and the JSON-LD): the language of the
 * page's labels and the locale picked for each localized text. Two requests with the same key get
 * the same document, so it can key caches and ETags (it never carries the raw request).
 */
export function renderedLanguageKey(content: PassportContent, requested: string | undefined): string {
  const locales = localePreference(content, requested);
  const picked = (Object.keys(LOCALIZED_CONTENT) as LocalizedContentKey[]).map((key) => pickLocalized(content[key], locales)?.locale ?? "");
  return [pageLanguage([requested, content.locale]), ...picked].join("|");
}
