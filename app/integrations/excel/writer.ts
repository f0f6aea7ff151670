// Export: the catalog's products as a workbook in the template's layout, streamed.
// Same sheets as the template (Products with frozen header and handle column, widths, data
// validation; Instructions; hidden Lists), plus an "Archived in source" column that the reader
// ignores. Reading the exported file gives back the same records (see writer.test.ts), with these
// normalizations:
// - product-level values are written on the product's first row only;
// - product-level values a variant may override are written on every row as the variant's
//   effective value (its own, else the product's): reading them back gives a product value when
//   all rows agree, else one value per variant;
// - GTINs are written in their printed form (EAN-13, UPC-12 …) as text and read back as GTIN-14;
// - image alt texts are not written; translations are written for the `locales` asked for;
// - what the file cannot show is left empty (an import leaves it as it is), with a warning in the
//   result and on an "Export notes" sheet: lists longer than the prepared column groups, texts
//   longer than a cell can hold, and overridable values that would read back as the product's
//   (sheets.ts productRows).
import type { Writable } from "node:stream";
import { buildColumnLayout, type GroupKind } from "./columns";
import { exampleProducts } from "./examples";
import { resolveLimits, type Limits } from "./limits";
import type { FieldRegistry } from "./registry";
import { exampleValues, type ExportProduct, writeWorkbook } from "./sheets";

export type { ExportProduct, ExportVariant } from "./sheets";

export interface WriteOptions {
  /** The shop's primary locale: its texts go into the plain columns ("Title"). */
  primaryLocale: string;
  /** Translation locales to write columns for ("Title [de]" …). */
  locales?: readonly string[];
  /** Column groups per repeated kind (default 6 materials, 3 certifications, 3 options). */
  groups?: Partial<Record<GroupKind, number>>;
  limits?: Partial<Limits>;
  /** Field registry; defaults to the catalog's FIELDS. */
  registry?: Pick<FieldRegistry, "fields">;
}

export interface WriteResult {
  /** Variant rows written on the Products sheet. */
  rows: number;
  /** Values that could not be written in full (cut-off texts, more materials than columns). */
  warnings: string[];
}

/** Streams an export of the products to `output` (the stream is ended when done). */
export async function writeProductsWorkbook(
  output: Writable,
  products: AsyncIterable<ExportProduct> | Iterable<ExportProduct>,
  options: WriteOptions,
): Promise<WriteResult> {
  const layout = buildColumnLayout({
    primaryLocale: options.primaryLocale,
    locales: options.locales,
    fields: options.registry?.fields,
    groups: options.groups,
    archivedColumn: true,
  });
  const examples = exampleValues(exampleProducts(layout.primaryLocale), layout);
  return writeWorkbook(output, products, { layout, limits: resolveLimits(options.limits), examples });
}
