// A problem an upload check found in a file, and how it is named to a merchant (the Excel page,
// the CLI). Apart from the reader so that the admin's components can use it in the browser.

export interface CellIssue {
  sheet: string;
  /** Sheet row (1-based, as Excel shows it); 0 when the issue concerns no single row. */
  row: number;
  /** Column header, or the column letter when the column has no header. */
  column: string;
  /** "C12" when the issue concerns one cell. */
  cellRef?: string;
  message: string;
}

/**
 * Where a problem is, as the file shows it: "Products row 12, Barcode"; the sheet (and column)
 * alone for one on no single row; "" for a problem of the whole file (no sheet).
 */
function issuePlace(issue: Pick<CellIssue, "sheet" | "row" | "column">): string {
  if (!issue.sheet) return "";
  return `${issue.row ? `${issue.sheet} row ${issue.row}` : issue.sheet}${issue.column ? `, ${issue.column}` : ""}`;
}

/** A problem as one line: "Products row 4, Barcode: …" (of the whole file: its message). */
export function issueLine(issue: Pick<CellIssue, "sheet" | "row" | "column" | "message">): string {
  const place = issuePlace(issue);
  return place ? `${place}: ${issue.message}` : issue.message;
}
