// Realistic passport sources shared by the passport tests (not used by the app).
import type { PassportSource } from "./content";

export const SHOP = { domain: "acme-apparel.myshopify.com", name: "Acme Apparel", primaryLocale: "en" };

/** A textile product with every passport field filled, and admin-only data beside it. */
export function fullSource(): PassportSource {
  return {
    shop: { ...SHOP },
    product: {
      handle: "organic-tee",
      archived: false,
      values: {
        title: { en: "Organic Cotton T-Shirt", de: "Bio-Baumwoll-T-Shirt", fr: "T-shirt en coton bio" },
        description: {
          en: "<p>Soft &amp; breathable.</p><ul><li>Organic cotton</li><li>Recycled polyester</li></ul>",
          de: "<p>Weich &amp; atmungsaktiv.</p>",
        },
        images: [
          { url: "https://cdn.shopify.com/s/files/1/tee-front.jpg", alt: "White T-shirt, front view" },
          { url: "https://cdn.shopify.com/s/files/1/tee-back.jpg" },
        ],
        vendor: "Acme",
        productType: "INTERNAL-PRODUCT-TYPE",
        category: "Apparel > Tops > T-shirts",
        tags: ["INTERNAL-TAG"],
        materials: [
          { material: "Elastane", massPercent: 5 },
          { material: "Organic cotton", massPercent: 65, recycledPercent: 0, originCountry: "IN" },
          { material: "Recycled polyester", massPercent: 30, recycledPercent: 100, originCountry: "TW" },
        ],
        countryOfProduction: "PT",
        manufacturer: "Fábrica Têxtil Lda",
        facility: "Fábrica Têxtil, Guimarães",
        careInstructions: { en: "Machine wash at 30 °C.\nDo not tumble dry.", de: "Maschinenwäsche bei 30 °C." },
        repairInstructions: { en: "Free repairs in our Lisbon store." },
        recyclingInstructions: { en: "Return it to any Acme store for textile recycling." },
        carbonFootprint: 4.2,
        waterUse: 2700,
        weight: 180,
        certifications: [
          { name: "GOTS", body: "Control Union", validUntil: "2027-06-30", url: "https://certificates.example.org/gots/123" },
          { name: "OEKO-TEX Standard 100" },
        ],
      },
    },
    variant: {
      title: "M / White",
      archived: false,
      values: {
        sku: "INTERNAL-SKU-M-WHT",
        barcode: "4006381333931",
        options: [
          { name: "Size", value: "M" },
          { name: "Color", value: "White" },
        ],
        weight: 185,
      },
    },
  };
}

/** A product with nothing but a title. */
export function minimalSource(): PassportSource {
  return {
    shop: { ...SHOP },
    product: { handle: "plain-scarf", archived: false, values: { title: { en: "Plain Scarf" } } },
    variant: { title: "Default Title", archived: false, values: {} },
  };
}
