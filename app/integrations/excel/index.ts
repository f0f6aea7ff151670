// The Excel integration's file side: template, import (reader), export (writer), error workbook.
// Pure: no database, no HTTP. See README.md in this folder for the format and the rules.
export {
  ARCHIVED_HEADER,
  buildColumnLayout,
  type CellFormat,
  type Column,
  type ColumnLayout,
  DEFAULT_GROUP_COUNTS,
  HANDLE_HEADER,
  INSTRUCTIONS_SHEET,
  type LayoutOptions,
  LISTS_SHEET,
  matchHeaders,
  PRODUCTS_SHEET,
} from "./columns";
export { annotateWorkbook, type AnnotateOptions, ERRORS_SHEET } from "./error-workbook";
export { exampleProducts } from "./examples";
export { generateWorkbook, type GenerateOptions, type GenerateResult } from "./generate";
export { DEFAULT_LIMITS, describeLimits, type Limits, type RejectionCode, resolveLimits, WorkbookRejected } from "./limits";
export { type CellIssue, readProductsWorkbook, type ReadOptions, type WorkbookReadResult } from "./reader";
export { DEFAULT_REGISTRY, type FieldRegistry } from "./registry";
export { writeTemplate, type TemplateOptions } from "./template";
export { type ExportProduct, type ExportVariant, writeProductsWorkbook, type WriteOptions, type WriteResult } from "./writer";
