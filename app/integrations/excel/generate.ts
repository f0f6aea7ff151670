// A generator of large, realistic workbooks for benchmarks and tests: streamed with the export
// writer, deterministic (seeded), every value valid (GTIN check digits, material shares adding up
// to 100, ISO country codes), so reading the file back gives no errors.
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { FieldValues, Material, Certification } from "../../catalog/fields";
import { gs1CheckDigit } from "../../passports/gs1";
import type { ExportProduct } from "./sheets";
import { writeProductsWorkbook } from "./writer";
import { seededRandom } from "../../../tools/seeded-random";

export interface GenerateOptions {
  products: number;
  variantsPerProduct: number;
  /** Default "en". */
  primaryLocale?: string;
  /** Translation locales to fill in (e.g. ["de"]); none by default. */
  locales?: string[];
  /** PRNG seed; the same seed gives the same file. */
  seed?: number;
}

export interface GenerateResult {
  rows: number;
  products: number;
  bytes: number;
}

const ADJECTIVES = ["Organic", "Recycled", "Classic", "Relaxed", "Essential", "Heavyweight", "Lightweight", "Seamless", "Everyday", "Heritage"];
const GARMENTS: { type: string; category: string; weight: number }[] = [
  { type: "T-Shirt", category: "Apparel & Accessories > Clothing > Shirts & Tops", weight: 160 },
  { type: "Hoodie", category: "Apparel & Accessories > Clothing > Activewear > Sweatshirts", weight: 520 },
  { type: "Sweater", category: "Apparel & Accessories > Clothing > Sweaters", weight: 420 },
  { type: "Jeans", category: "Apparel & Accessories > Clothing > Pants > Jeans", weight: 650 },
  { type: "Dress", category: "Apparel & Accessories > Clothing > Dresses", weight: 300 },
  { type: "Jacket", category: "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets", weight: 900 },
  { type: "Socks", category: "Apparel & Accessories > Clothing > Underwear & Socks > Socks", weight: 60 },
];
const FIBRES: { name: string; origin: string[]; recycled: number[] }[] = [
  { name: "Organic cotton", origin: ["IN", "TR", "TZ", "EG"], recycled: [0] },
  { name: "Cotton", origin: ["US", "IN", "UZ", "BR"], recycled: [0, 20, 50] },
  { name: "Merino wool", origin: ["NZ", "AU", "ZA"], recycled: [0] },
  { name: "Polyester", origin: ["CN", "TW", "IT"], recycled: [0, 50, 100] },
  { name: "Polyamide", origin: ["IT", "DE", "CN"], recycled: [0, 100] },
  { name: "Lyocell", origin: ["AT"], recycled: [0] },
  { name: "Linen", origin: ["FR", "BE", "NL"], recycled: [0] },
];
const SPLITS = [[100], [95, 5], [80, 20], [70, 30], [60, 35, 5], [50, 45, 5], [98, 2]];
const COUNTRIES = ["PT", "IT", "TR", "RO", "BG", "PL", "BD", "IN", "VN", "CN", "MA", "TN"];
const VENDORS = ["Nordlys Apparel", "Fjord & Field", "Atelier Verde", "Kestrel Outdoor", "Maison Lune"];
const SIZES = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"];
const COLOURS = ["Black", "Navy", "Oatmeal", "Forest", "Rust", "Stone", "Sky", "Charcoal", "Sand", "Berry"];
const CERTS: Certification[] = [
  { name: "GOTS", body: "Control Union Certifications", validUntil: "2027-06-30", url: "https://certs.example.com/gots/CU-100200" },
  { name: "OEKO-TEX Standard 100", body: "Hohenstein", validUntil: "2026-09-30", url: "https://certs.example.com/oekotex/HOH-55512" },
  { name: "Global Recycled Standard", body: "Textile Exchange", validUntil: "2027-03-31", url: "https://certs.example.com/grs/TE-77001" },
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function gtin14(serial: number): string {
  const body = `40${String(serial).padStart(10, "0")}`;
  return (body + String(gs1CheckDigit(body))).padStart(14, "0");
}

async function* products(options: Required<GenerateOptions>): AsyncGenerator<ExportProduct> {
  const rand = seededRandom(options.seed);
  const { primaryLocale, locales } = options;
  const text = (s: string, translated: (l: string) => string) => {
    const out: Record<string, string> = { [primaryLocale]: s };
    for (const l of locales) out[l] = translated(l);
    return out;
  };
  let serial = 0;
  for (let i = 1; i <= options.products; i++) {
    const garment = pick(rand, GARMENTS);
    const adjective = pick(rand, ADJECTIVES);
    const split = pick(rand, SPLITS);
    const fibres = [...FIBRES].sort(() => rand() - 0.5).slice(0, split.length);
    const materials: Material[] = split.map((share, k) => ({
      material: fibres[k].name,
      massPercent: share,
      recycledPercent: pick(rand, fibres[k].recycled),
      originCountry: pick(rand, fibres[k].origin),
    }));
    const title = `${adjective} ${fibres[0].name.replace(/^Organic /, "")} ${garment.type} ${i}`;
    const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/(^-|-$)/g, "");
    const country = pick(rand, COUNTRIES);
    const fields: FieldValues = {
      title: text(title, (l) => `${title} (${l})`),
      description: text(
        `${title}: ${garment.type.toLowerCase()} made from ${materials.map((m) => `${m.massPercent}% ${m.material.toLowerCase()}`).join(", ")}. Designed to last, produced in ${country}.`,
        (l) => `[${l}] ${title}, ${materials.map((m) => `${m.massPercent}% ${m.material}`).join(", ")}.`,
      ),
      images: [{ url: `https://cdn.example.com/products/${handle}/front.jpg` }, { url: `https://cdn.example.com/products/${handle}/back.jpg` }],
      vendor: pick(rand, VENDORS),
      productType: garment.type,
      category: garment.category,
      tags: [adjective.toLowerCase(), garment.type.toLowerCase(), fibres[0].name.toLowerCase()],
      materials,
      countryOfProduction: country,
      manufacturer: `${pick(rand, ["Têxteis", "Confezioni", "Tekstil", "Garments"])} ${String.fromCharCode(65 + (i % 26))}${i % 97} Ltd.`,
      facility: `Factory ${1 + (i % 40)}, ${country}`,
      careInstructions: text("Machine wash at 30 °C. Do not tumble dry. Iron on low heat.", (l) => `[${l}] 30 °C`),
      repairInstructions: text("Free repairs in our stores for two years after purchase.", (l) => `[${l}] Repairs`),
      recyclingInstructions: text("Return it to any of our stores or a textile collection point.", (l) => `[${l}] Recycling`),
      carbonFootprint: Math.round((1 + rand() * 20) * 10) / 10,
      waterUse: Math.round(100 + rand() * 5000),
      certifications: rand() < 0.6 ? [pick(rand, CERTS)] : [],
    };
    if (!(fields.certifications as Certification[]).length) delete fields.certifications;
    const variants = [];
    for (let j = 0; j < options.variantsPerProduct; j++) {
      serial++;
      const size = SIZES[j % SIZES.length];
      const colour = COLOURS[Math.floor(j / SIZES.length) % COLOURS.length];
      const opts = options.variantsPerProduct > SIZES.length ? [{ name: "Size", value: size }, { name: "Colour", value: colour }] : [{ name: "Size", value: size }];
      const extra = Math.floor(j / (SIZES.length * COLOURS.length));
      if (extra > 0) opts.push({ name: "Fit", value: `Fit ${extra + 1}` });
      variants.push({
        archived: false,
        fields: {
          sku: `GEN-${i}-${j + 1}`,
          barcode: gtin14(serial),
          options: opts,
          weight: garment.weight + (j % SIZES.length) * 10,
        } satisfies FieldValues,
      });
    }
    yield { handle, fields, archived: false, variants };
  }
}

/** Writes a workbook with `products` × `variantsPerProduct` rows of realistic data. */
export async function generateWorkbook(path: string, options: GenerateOptions): Promise<GenerateResult> {
  const resolved: Required<GenerateOptions> = { primaryLocale: "en", locales: [], seed: 42, ...options };
  const out = createWriteStream(path);
  const { rows } = await writeProductsWorkbook(out, products(resolved), {
    primaryLocale: resolved.primaryLocale,
    locales: resolved.locales,
  });
  const { size } = await stat(path);
  return { rows, products: options.products, bytes: size };
}
