// The two example products of the template (and the "Example" column of the Instructions sheet):
// an organic cotton T-shirt in three sizes and a merino wool sweater in two colours.
// Valid GTINs (check digits computed), material shares adding up to 100.
import { gs1CheckDigit } from "../../passports/gs1";
import type { ExportProduct } from "./sheets";

/** An EAN-13 from its first 12 digits. */
export function ean13(body: string): string {
  return body + String(gs1CheckDigit(body));
}

export function exampleProducts(primaryLocale: string): ExportProduct[] {
  const t = (text: string) => ({ [primaryLocale]: text });
  return [
    {
      handle: "organic-cotton-tee",
      archived: false,
      fields: {
        title: t("Organic Cotton T-Shirt"),
        description: t("A soft, breathable everyday T-shirt made from GOTS-certified organic cotton. Regular fit, ribbed crew neck."),
        images: [{ url: "https://cdn.example.com/products/organic-cotton-tee/front.jpg" }, { url: "https://cdn.example.com/products/organic-cotton-tee/back.jpg" }],
        vendor: "Nordlys Apparel",
        productType: "T-shirt",
        category: "Apparel & Accessories > Clothing > Shirts & Tops",
        tags: ["organic", "cotton", "basics"],
        materials: [
          { material: "Organic cotton", massPercent: 95, recycledPercent: 0, originCountry: "IN" },
          { material: "Elastane", massPercent: 5, recycledPercent: 0, originCountry: "DE" },
        ],
        countryOfProduction: "PT",
        manufacturer: "Têxteis Nordlys Lda.",
        facility: "Nordlys knitting and sewing, Guimarães",
        careInstructions: t("Machine wash at 30 °C inside out. Do not tumble dry. Iron on low heat."),
        repairInstructions: t("Small holes can be darned; free repairs in our stores for two years after purchase."),
        recyclingInstructions: t("Hand in at a textile collection point or return it to any of our stores for recycling."),
        carbonFootprint: 2.1,
        waterUse: 2700,
        certifications: [
          { name: "GOTS", body: "Control Union Certifications", validUntil: "2027-06-30", url: "https://certs.example.com/gots/CU-123456" },
        ],
      },
      variants: [
        { archived: false, fields: { sku: "NL-TEE-ORG-S", barcode: ean13("401234500001").padStart(14, "0"), options: [{ name: "Size", value: "S" }], weight: 145 } },
        { archived: false, fields: { sku: "NL-TEE-ORG-M", barcode: ean13("401234500002").padStart(14, "0"), options: [{ name: "Size", value: "M" }], weight: 155 } },
        { archived: false, fields: { sku: "NL-TEE-ORG-L", barcode: ean13("401234500003").padStart(14, "0"), options: [{ name: "Size", value: "L" }], weight: 165 } },
      ],
    },
    {
      handle: "merino-wool-sweater",
      archived: false,
      fields: {
        title: t("Merino Wool Sweater"),
        description: t("A warm crew-neck sweater knitted from mulesing-free merino wool with a touch of recycled polyamide for durability."),
        images: [{ url: "https://cdn.example.com/products/merino-wool-sweater/navy.jpg" }],
        vendor: "Nordlys Apparel",
        productType: "Sweater",
        category: "Apparel & Accessories > Clothing > Sweaters",
        tags: ["wool", "knitwear"],
        materials: [
          { material: "Merino wool", massPercent: 80, recycledPercent: 0, originCountry: "NZ" },
          { material: "Polyamide", massPercent: 20, recycledPercent: 100, originCountry: "IT" },
        ],
        countryOfProduction: "IT",
        manufacturer: "Maglificio Esempio S.r.l.",
        facility: "Maglificio Esempio, Biella",
        careInstructions: t("Hand wash cold with wool detergent. Dry flat. Do not bleach."),
        repairInstructions: t("Pulled loops can be eased back; we repair holes and seams free of charge."),
        recyclingInstructions: t("Wool can be recycled into new yarn: return the sweater to us or use a textile collection point."),
        carbonFootprint: 12.4,
        waterUse: 410,
        weight: 420,
        certifications: [
          { name: "Responsible Wool Standard (RWS)", body: "Textile Exchange", validUntil: "2026-12-31", url: "https://certs.example.com/rws/TE-987654" },
        ],
      },
      variants: [
        { archived: false, fields: { sku: "NL-SWE-MER-NAVY", barcode: ean13("401234500010").padStart(14, "0"), options: [{ name: "Colour", value: "Navy" }] } },
        { archived: false, fields: { sku: "NL-SWE-MER-OAT", barcode: ean13("401234500011").padStart(14, "0"), options: [{ name: "Colour", value: "Oatmeal" }] } },
      ],
    },
  ];
}

/** Each example product's handle, title and SKUs (they do not depend on the language). */
const EXAMPLES = exampleProducts("en").map((p) => ({
  handle: p.handle,
  title: (p.fields.title as Record<string, string>).en,
  skus: new Set(p.variants.map((v) => v.fields.sku as string)),
}));

/** The example products' handles, as the Instructions sheet names them. */
export const TEMPLATE_EXAMPLE_HANDLES: readonly string[] = EXAMPLES.map((e) => e.handle);

/**
 * The title of the template's example product a record is, if it is one: its handle and every SKU
 * as the template writes them. A merchant who fills in the template below its examples and leaves
 * them would otherwise import two made-up products, with published passports and GTINs that are not
 * theirs. A product of the merchant's own with an example's handle has other SKUs.
 */
export function templateExampleTitle(record: { handle?: string; variants: readonly { fields: Record<string, unknown> }[] }): string | null {
  const example = EXAMPLES.find((e) => e.handle === record.handle);
  if (!example || record.variants.length === 0) return null;
  return record.variants.every((v) => typeof v.fields.sku === "string" && example.skus.has(v.fields.sku)) ? example.title : null;
}
