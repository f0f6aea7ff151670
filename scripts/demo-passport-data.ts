// Passport data for the demo's sample store, brought in the way a brand would: an Excel workbook
// uploaded to the Excel integration (a secondary that enriches the Shopify products by SKU).
import ExcelJS from "exceljs";

interface ProductTypeData {
  materials: [material: string, percent: number, recycled: number, origin: string][];
  country: string;
  manufacturer: string;
  facility: string;
  care: string;
  repair: string;
  recycling: string;
  footprint: number;
  water: number;
  certification?: [name: string, body: string, validUntil: string];
}

const SCOTTISH_MILL: [string, string] = ["Borders Woollens Ltd", "Hawick mill"];
const PORTUGUESE_KNITTER: [string, string] = ["Malhas Barcelos, S.A.", "Barcelos knitting and dyeing plant"];
const PORTUGUESE_SEWER: [string, string] = ["Têxteis do Minho, Lda.", "Guimarães weaving and sewing mill"];
const ITALIAN_DENIM: [string, string] = ["Lanificio Denim Veneto S.r.l.", "Vicenza denim workshop"];
const COTTON_RECYCLING = "Drop it in a textile collection bin when it is worn out: cotton is recycled into new fibre.";
const GOTS: [string, string, string] = ["GOTS", "Control Union", "2027-06-30"];
const GRS: [string, string, string] = ["Global Recycled Standard", "Control Union", "2027-09-30"];

const BY_TYPE: Record<string, ProductTypeData> = {
  Shirts: {
    materials: [["Linen", 100, 0, "FR"]],
    country: "PT",
    manufacturer: "Têxteis do Minho, Lda.",
    facility: "Guimarães weaving and sewing mill",
    care: "Machine wash at 30 °C. Line dry. Iron on medium heat.",
    repair: "Free repairs for buttons and seams at any of our stores, or by post.",
    recycling: "Return it to any store: we resell, repair or recycle it into new fibre.",
    footprint: 5.4,
    water: 620,
    certification: ["European Flax", "CELC", "2027-12-31"],
  },
  "T-Shirts": {
    materials: [["Organic cotton", 95, 0, "IN"], ["Elastane", 5, 0, "DE"]],
    country: "PT",
    manufacturer: "Malhas Barcelos, S.A.",
    facility: "Barcelos knitting and dyeing plant",
    care: "Wash inside out at 30 °C. Do not tumble dry.",
    repair: "Small holes can be darned; we offer a free repair service.",
    recycling: "Drop it in a textile collection bin when it is worn out.",
    footprint: 3.1,
    water: 1480,
    certification: GOTS,
  },
  Knitwear: {
    materials: [["Merino wool", 70, 30, "NZ"], ["Recycled polyamide", 30, 100, "IT"]],
    country: "IT",
    manufacturer: "Maglificio Biellese S.r.l.",
    facility: "Biella knitting mill",
    care: "Hand wash cold or wool cycle. Dry flat.",
    repair: "Knit repairs and depilling at our partner tailors.",
    recycling: "Wool is recycled mechanically into new yarn: return it in store.",
    footprint: 14.8,
    water: 310,
    certification: ["Responsible Wool Standard", "Textile Exchange", "2027-03-31"],
  },
  Denim: {
    materials: [["Cotton", 80, 20, "TR"], ["Recycled cotton", 18, 100, "TR"], ["Elastane", 2, 0, "DE"]],
    country: "TR",
    manufacturer: "Ege Denim Dokuma A.Ş.",
    facility: "İzmir denim mill",
    care: "Wash rarely, cold, inside out. Line dry.",
    repair: "Lifetime free repairs of seams, rivets and knees.",
    recycling: "Returned denim is shredded into fibre for new fabric.",
    footprint: 18.2,
    water: 3200,
  },
  Outerwear: {
    materials: [["Recycled polyester", 88, 100, "TW"], ["Cotton", 12, 0, "EG"]],
    country: "LT",
    manufacturer: "Baltic Outerwear UAB",
    facility: "Kaunas outerwear factory",
    care: "Machine wash at 30 °C with technical detergent. Reproof when water no longer beads.",
    repair: "Zips, snaps and seams repaired free of charge.",
    recycling: "Take-back programme: send it back and we recycle the shell and filling separately.",
    footprint: 22.5,
    water: 410,
    certification: GRS,
  },
  Accessories: {
    materials: [["Lambswool", 100, 0, "GB"]],
    country: "GB",
    manufacturer: "Borders Woollens Ltd",
    facility: "Hawick mill",
    care: "Hand wash cold. Dry flat.",
    repair: "Send it to us for repair.",
    recycling: "Wool can be recycled into new yarn: return it in store.",
    footprint: 2.3,
    water: 95,
  },
};

/**
 * The sample store's products, as their descriptions say they are made: materials, where, care.
 * The rest (repair, recycling, footprint, certification) comes from the product type. A merchant's
 * own store (`npm run demo -- --seed`) gets its product types' data.
 */
const BY_HANDLE: Record<string, Pick<ProductTypeData, "materials" | "country" | "care" | "certification"> & Partial<Pick<ProductTypeData, "recycling">> & { maker?: [manufacturer: string, facility: string] }> = {
  "linen-shirt": { materials: [["Linen", 100, 0, "FR"]], country: "PT", care: "Machine wash at 30 °C. Line dry." },
  "oxford-shirt": { materials: [["Organic cotton", 100, 0, "IN"]], country: "PT", care: "Machine wash at 40 °C.", certification: GOTS },
  "flannel-overshirt": { materials: [["Recycled cotton", 70, 100, "PT"], ["Recycled polyester", 30, 100, "PT"]], country: "PT", care: "Machine wash at 30 °C inside out.", certification: GRS },
  "poplin-shirt": { materials: [["Organic cotton", 100, 0, "IN"]], country: "PT", care: "Machine wash at 40 °C. Iron warm.", certification: GOTS },
  "organic-cotton-tee": { materials: [["Organic cotton", 100, 0, "IN"]], country: "PT", care: "Machine wash at 30 °C." },
  "heavyweight-tee": { materials: [["Organic cotton", 100, 0, "TR"]], country: "PT", care: "Machine wash at 30 °C." },
  "long-sleeve-tee": { materials: [["Organic cotton", 100, 0, "IN"]], country: "PT", care: "Machine wash at 30 °C." },
  "merino-crewneck": { materials: [["Merino wool", 100, 0, "NZ"]], country: "IT", care: "Hand wash cold or wool cycle. Dry flat." },
  "recycled-wool-cardigan": { materials: [["Recycled wool", 80, 100, "IT"], ["Polyamide", 20, 0, "IT"]], country: "IT", care: "Dry clean, or hand wash cold.", certification: GRS },
  "cable-knit-sweater": { materials: [["Wool", 100, 0, "GB"]], country: "GB", care: "Hand wash cold. Dry flat.", maker: SCOTTISH_MILL },
  "knitted-vest": { materials: [["Lambswool", 100, 0, "GB"]], country: "GB", care: "Hand wash cold. Dry flat.", maker: SCOTTISH_MILL },
  "cotton-knit-polo": { materials: [["Organic cotton", 100, 0, "TR"]], country: "PT", care: "Machine wash at 30 °C on the wool cycle.", maker: PORTUGUESE_KNITTER, certification: GOTS, recycling: COTTON_RECYCLING },
  "straight-selvedge-jeans": { materials: [["Organic cotton", 100, 0, "JP"]], country: "IT", care: "Wash rarely, cold, inside out. Line dry.", maker: ITALIAN_DENIM },
  "slim-jeans-rinse": { materials: [["Organic cotton", 92, 0, "TR"], ["Recycled polyester", 6, 100, "TR"], ["Elastane", 2, 0, "DE"]], country: "TR", care: "Machine wash at 30 °C inside out." },
  "denim-trucker-jacket": { materials: [["Organic cotton", 100, 0, "TR"]], country: "IT", care: "Machine wash at 30 °C inside out.", maker: ITALIAN_DENIM },
  "denim-shorts": { materials: [["Cotton", 100, 100, "IT"]], country: "IT", care: "Machine wash at 30 °C.", maker: ITALIAN_DENIM },
  "waxed-cotton-jacket": { materials: [["Waxed cotton", 100, 0, "GB"]], country: "GB", care: "Sponge clean only. Re-wax once a year.", maker: ["Tyneside Waxed Cotton Co.", "South Shields works"], certification: undefined, recycling: "Send it back when it is worn out: the waxed cotton is cleaned and shredded into fibre for insulation." },
  "wool-overcoat": { materials: [["Recycled wool", 70, 100, "IT"], ["Recycled polyamide", 30, 100, "IT"]], country: "PT", care: "Dry clean only.", maker: ["Confecções do Porto, Lda.", "Porto tailoring workshop"], recycling: "Return it in store: the wool melton is recycled mechanically into new yarn." },
  "recycled-down-puffer": { materials: [["Recycled nylon", 60, 100, "TW"], ["Recycled down", 32, 100, "DE"], ["Recycled feather", 8, 100, "DE"]], country: "LT", care: "Machine wash at 30 °C. Tumble dry low with tennis balls." },
  "rain-parka": { materials: [["Recycled polyester", 100, 100, "TW"]], country: "PT", care: "Machine wash at 30 °C. Do not tumble dry.", maker: ["Confecções do Porto, Lda.", "Porto technical outerwear line"], recycling: "Take-back programme: send it back and we recycle the polyester shell into new fibre." },
  "merino-beanie": { materials: [["Merino wool", 100, 0, "NZ"]], country: "IT", care: "Hand wash cold. Dry flat.", maker: ["Maglificio Biellese S.r.l.", "Biella knitting mill"] },
  "lambswool-scarf": { materials: [["Lambswool", 100, 0, "GB"]], country: "GB", care: "Dry clean, or hand wash cold." },
  "canvas-tote": { materials: [["Organic cotton", 90, 0, "IN"], ["Vegetable-tanned leather", 10, 0, "PT"]], country: "PT", care: "Spot clean.", maker: PORTUGUESE_SEWER, recycling: COTTON_RECYCLING },
  "leather-belt": { materials: [["Vegetable-tanned leather", 100, 0, "IT"]], country: "IT", care: "Condition with leather balm now and then.", maker: ["Pelletteria Toscana S.r.l.", "Santa Croce sull'Arno workshop"], recycling: "Leather cannot be recycled into new leather yet: send it back and we repair it or pass it on." },
  "wool-hiking-socks": { materials: [["Merino wool", 68, 0, "NZ"], ["Recycled polyamide", 30, 100, "IT"], ["Elastane", 2, 0, "DE"]], country: "PT", care: "Machine wash at 40 °C inside out.", maker: PORTUGUESE_KNITTER },
  "heritage-cap": { materials: [["Organic cotton", 100, 0, "IN"]], country: "PT", care: "Hand wash cold.", maker: PORTUGUESE_SEWER, recycling: COTTON_RECYCLING },
};

/** One row per variant (by SKU) with the passport data of its product (BY_HANDLE), else of its product type. */
export async function writeDemoPassportData(file: string, variants: { handle: string; productType: string; sku: string }[]): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Products");
  const header = [
    "Product Handle",
    "SKU",
    ...[1, 2, 3].flatMap((n) => [`Material ${n}`, `Material ${n} %`, `Material ${n} Recycled %`, `Material ${n} Origin`]),
    "Country of production",
    "Manufacturer",
    "Facility",
    "Care instructions",
    "Repair information",
    "Recycling information",
    "Carbon footprint (kg CO2e)",
    "Water use (L)",
    "Certification 1 Name",
    "Certification 1 Body",
    "Certification 1 Valid until",
  ];
  sheet.addRow(header);
  let rows = 0;
  for (const v of variants) {
    const byType = BY_TYPE[v.productType];
    if (!byType) continue;
    const own = BY_HANDLE[v.handle];
    const [manufacturer, facility] = own?.maker ?? [byType.manufacturer, byType.facility];
    const data = { ...byType, ...own, manufacturer, facility };
    const materials = [0, 1, 2].flatMap((i) => data.materials[i] ?? ["", "", "", ""]);
    sheet.addRow([
      v.handle,
      v.sku,
      ...materials,
      data.country,
      data.manufacturer,
      data.facility,
      data.care,
      data.repair,
      data.recycling,
      data.footprint,
      data.water,
      ...(data.certification ?? ["", "", ""]),
    ]);
    rows++;
  }
  await workbook.xlsx.writeFile(file);
  return rows;
}
