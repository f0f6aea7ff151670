// Product images served by the simulator itself: a small SVG per image, a coloured garment
// silhouette chosen from the product type and title, with the product name underneath.

export interface ImageInfo {
  title: string;
  productType: string;
  alt: string | null;
}

const COLOURS: Record<string, string> = {
  black: "#1f1f22",
  charcoal: "#3b3d42",
  graphite: "#4a4c52",
  grey: "#8d9096",
  gray: "#8d9096",
  white: "#f4f2ec",
  ecru: "#e9e1cc",
  cream: "#efe6d2",
  natural: "#e6dcc4",
  oat: "#d8c8a8",
  sand: "#d6c29a",
  stone: "#b9b1a0",
  camel: "#b8894f",
  khaki: "#9c8f62",
  olive: "#6b6b3a",
  sage: "#9aab8a",
  forest: "#2f4a35",
  green: "#3f7a4a",
  navy: "#1f2a44",
  indigo: "#2e3a6e",
  denim: "#4a6a8f",
  blue: "#3d64a8",
  sky: "#8fb5d9",
  rust: "#a4532f",
  terracotta: "#b8603f",
  burgundy: "#6d2233",
  red: "#b3362f",
  pink: "#d99aa5",
  mustard: "#c99a2e",
  brown: "#6b4a33",
  chocolate: "#4e3426",
};

type Kind = "tshirt" | "shirt" | "sweater" | "coat" | "trousers" | "scarf" | "beanie" | "cap" | "bag" | "belt" | "socks" | "generic";

function kindOf(info: ImageInfo): Kind {
  const text = `${info.productType} ${info.title}`.toLowerCase();
  const rules: Array<[RegExp, Kind]> = [
    [/t-?shirt|tee\b/, "tshirt"],
    [/sock/, "socks"],
    [/belt/, "belt"],
    [/\bcap\b/, "cap"],
    [/beanie|hat\b/, "beanie"],
    [/scarf|shawl/, "scarf"],
    [/tote|bag|backpack/, "bag"],
    [/jean|denim|trouser|chino|pant/, "trousers"],
    [/coat|jacket|parka|outerwear|gilet|vest/, "coat"],
    [/sweater|knit|cardigan|jumper|pullover|hoodie|sweatshirt/, "sweater"],
    [/shirt|blouse|overshirt/, "shirt"],
  ];
  for (const [re, kind] of rules) if (re.test(text)) return kind;
  return "generic";
}

function colourOf(info: ImageInfo, fallbackSeed: string): string {
  const text = `${info.alt ?? ""} ${info.title}`.toLowerCase();
  for (const [name, hex] of Object.entries(COLOURS)) {
    if (new RegExp(`\\b${name}\\b`).test(text)) return hex;
  }
  let h = 0;
  for (const c of fallbackSeed) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const palette = Object.values(COLOURS);
  return palette[h % palette.length]!;
}

function shade(hex: string, factor: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = (shift: number) => Math.max(0, Math.min(255, Math.round(((n >> shift) & 255) * factor)));
  return `#${((ch(16) << 16) | (ch(8) << 8) | ch(0)).toString(16).padStart(6, "0")}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

const SHAPES: Record<Kind, (fill: string, line: string) => string> = {
  tshirt: (f, l) =>
    `<path d="M300 170 L250 185 L140 260 L190 370 L250 340 L255 800 L545 800 L550 340 L610 370 L660 260 L550 185 L500 170 Q400 250 300 170 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>`,
  shirt: (f, l) =>
    `<path d="M310 160 L245 185 L150 300 L120 640 L190 650 L240 390 L250 820 L550 820 L560 390 L610 650 L680 640 L650 300 L555 185 L490 160 L400 230 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>` +
    `<path d="M310 160 L360 250 L400 230 L440 250 L490 160" fill="${shade(f, 0.9)}" stroke="${l}" stroke-width="5"/>` +
    `<line x1="400" y1="235" x2="400" y2="815" stroke="${l}" stroke-width="4"/>` +
    [300, 400, 500, 600, 700].map((y) => `<circle cx="415" cy="${y}" r="7" fill="${l}"/>`).join(""),
  sweater: (f, l) =>
    `<path d="M315 160 L240 190 L150 320 L130 660 L200 670 L245 400 L250 800 L550 800 L555 400 L600 670 L670 660 L650 320 L560 190 L485 160 Q400 215 315 160 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>` +
    `<rect x="250" y="760" width="300" height="40" fill="${shade(f, 0.85)}" stroke="${l}" stroke-width="4"/>` +
    [270, 300, 330, 360, 390, 420, 450, 480, 510, 530].map((x) => `<line x1="${x}" y1="762" x2="${x}" y2="798" stroke="${l}" stroke-width="2"/>`).join(""),
  coat: (f, l) =>
    `<path d="M320 150 L240 180 L160 320 L140 720 L210 730 L250 420 L245 880 L555 880 L550 420 L590 730 L660 720 L640 320 L560 180 L480 150 L400 420 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>` +
    `<path d="M320 150 L360 330 L400 420 L440 330 L480 150" fill="${shade(f, 0.8)}" stroke="${l}" stroke-width="5"/>` +
    [520, 620, 720].map((y) => `<circle cx="430" cy="${y}" r="10" fill="${l}"/>`).join(""),
  trousers: (f, l) =>
    `<path d="M260 150 L540 150 L565 880 L430 880 L400 380 L370 880 L235 880 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>` +
    `<rect x="260" y="150" width="280" height="40" fill="${shade(f, 0.85)}" stroke="${l}" stroke-width="4"/>` +
    `<path d="M300 200 Q330 260 290 300 M500 200 Q470 260 510 300" fill="none" stroke="${l}" stroke-width="4"/>`,
  scarf: (f, l) =>
    `<path d="M250 180 Q400 120 550 180 L520 260 Q400 210 280 260 Z" fill="${shade(f, 0.9)}" stroke="${l}" stroke-width="6"/>` +
    `<path d="M300 240 L380 250 L360 800 L280 790 Z" fill="${f}" stroke="${l}" stroke-width="6"/>` +
    `<path d="M430 250 L510 240 L530 720 L450 730 Z" fill="${f}" stroke="${l}" stroke-width="6"/>` +
    [290, 305, 320, 335, 350].map((x) => `<line x1="${x}" y1="795" x2="${x - 4}" y2="850" stroke="${l}" stroke-width="4"/>`).join(""),
  beanie: (f, l) =>
    `<path d="M220 620 Q220 260 400 250 Q580 260 580 620 Z" fill="${f}" stroke="${l}" stroke-width="6"/>` +
    `<rect x="200" y="600" width="400" height="120" rx="20" fill="${shade(f, 0.85)}" stroke="${l}" stroke-width="6"/>` +
    `<circle cx="400" cy="235" r="45" fill="${shade(f, 1.15)}" stroke="${l}" stroke-width="5"/>`,
  cap: (f, l) =>
    `<path d="M230 560 Q230 330 400 320 Q570 330 570 560 Z" fill="${f}" stroke="${l}" stroke-width="6"/>` +
    `<path d="M230 560 Q400 600 570 560 Q700 600 680 650 Q520 640 400 610 Q300 600 230 600 Z" fill="${shade(f, 0.85)}" stroke="${l}" stroke-width="6"/>` +
    `<path d="M400 322 L400 560 M315 340 Q330 450 320 565 M485 340 Q470 450 480 565" fill="none" stroke="${l}" stroke-width="3"/>` +
    `<circle cx="400" cy="318" r="12" fill="${l}"/>`,
  bag: (f, l) =>
    `<path d="M300 330 Q300 160 400 160 Q500 160 500 330" fill="none" stroke="${l}" stroke-width="18"/>` +
    `<path d="M200 320 L600 320 L640 820 L160 820 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>`,
  belt: (f, l) =>
    `<rect x="80" y="440" width="640" height="90" rx="12" fill="${f}" stroke="${l}" stroke-width="6"/>` +
    `<rect x="540" y="415" width="110" height="140" rx="14" fill="none" stroke="#b9a36a" stroke-width="16"/>` +
    [160, 220, 280, 340].map((x) => `<circle cx="${x}" cy="485" r="8" fill="${l}"/>`).join(""),
  socks: (f, l) =>
    `<path d="M300 150 L440 150 L440 600 Q440 700 560 720 Q640 740 620 820 Q600 880 480 860 L340 820 Q290 800 300 720 Z" fill="${f}" stroke="${l}" stroke-width="6" stroke-linejoin="round"/>` +
    `<rect x="300" y="150" width="140" height="80" fill="${shade(f, 0.85)}" stroke="${l}" stroke-width="4"/>`,
  generic: (f, l) => `<rect x="200" y="200" width="400" height="600" rx="40" fill="${f}" stroke="${l}" stroke-width="6"/>`,
};

/** An 800×1000 SVG of the garment in its colour, labelled with the product name. */
export function productSvg(info: ImageInfo, seed: string): string {
  const fill = colourOf(info, seed);
  const line = shade(fill, 0.55);
  const kind = kindOf(info);
  const title = escapeXml(info.title.length > 42 ? info.title.slice(0, 41) + "…" : info.title);
  const alt = escapeXml(info.alt ?? info.title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1000" viewBox="0 0 800 1000" role="img" aria-label="${alt}">` +
    `<rect width="800" height="1000" fill="#f6f3ee"/>` +
    `<ellipse cx="400" cy="905" rx="260" ry="18" fill="#e3ddd2"/>` +
    SHAPES[kind](fill, line) +
    `<text x="400" y="965" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="34" fill="#2b2b2b">${title}</text>` +
    `</svg>`
  );
}

/** Info for an image path the simulator has not seen (derived from the file name). */
export function infoFromPath(pathname: string): ImageInfo {
  const file = decodeURIComponent(pathname.split("/").pop() ?? "image").replace(/\.svg$/i, "");
  const words = file.replace(/[-_]+/g, " ").replace(/\b\d+\b/g, "").trim();
  const title = words.replace(/\b\w/g, (c) => c.toUpperCase()) || "Product";
  return { title, productType: "", alt: title };
}
