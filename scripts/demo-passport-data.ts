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
    certification: ["GOTS", "Control Union", "2027-06-30"],
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
    certification: ["Global Recycled Standard", "Control Union", "2027-09-30"],
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

/** One row per variant (by SKU) with the passport data of its product type. */
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
    const data = BY_TYPE[v.productType];
    if (!data) continue;
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
