// The empty template merchants download: the Products sheet with its headers (styled, frozen,
// sized), data validation (country dropdowns from the hidden Lists sheet, 0–100 for percentages,
// ≥ 0 for numbers, dates for certificate validity, a length check for barcodes), two example
// products, and the Instructions sheet generated from the field registry.
import type { Writable } from "node:stream";
import { buildColumnLayout, type GroupKind } from "./columns";
import { exampleProducts } from "./examples";
import { resolveLimits, type Limits } from "./limits";
import type { FieldRegistry } from "./registry";
import { exampleValues, writeWorkbook } from "./sheets";

export interface TemplateOptions {
  /** The shop's primary locale: the plain text columns ("Title") are in this language. */
  primaryLocale: string;
  /** Translation columns to prepare ("Title [de]" …); none by default. */
  locales?: readonly string[];
  groups?: Partial<Record<GroupKind, number>>;
  limits?: Partial<Limits>;
  /** Leave out the two example products. */
  withoutExamples?: boolean;
  /** Field registry; defaults to the catalog's FIELDS. */
  registry?: Pick<FieldRegistry, "fields">;
}

/** Streams the template workbook to `output` (the stream is ended when done). */
export async function writeTemplate(output: Writable, options: TemplateOptions): Promise<void> {
  const layout = buildColumnLayout({
    primaryLocale: options.primaryLocale,
    locales: options.locales,
    fields: options.registry?.fields,
    groups: options.groups,
  });
  const examples = exampleProducts(layout.primaryLocale);
  await writeWorkbook(output, options.withoutExamples ? [] : examples, {
    layout,
    limits: resolveLimits(options.limits),
    examples: exampleValues(examples, layout),
  });
}
