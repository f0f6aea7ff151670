// How a file's problem is named to a merchant, the same on the Excel page and in the CLI.
import { describe, expect, it } from "vitest";
import { issueLine } from "./issues";

describe("issueLine", () => {
  it("names the sheet, row and column of a cell's problem", () => {
    expect(issueLine({ sheet: "Products", row: 4, column: "Barcode", message: "The check digit is wrong." })).toBe("Products row 4, Barcode: The check digit is wrong.");
  });

  it("leaves out what the problem is not on: a column of no single row, a row of no column", () => {
    expect(issueLine({ sheet: "Products", row: 0, column: "Colour", message: "Unknown column." })).toBe("Products, Colour: Unknown column.");
    expect(issueLine({ sheet: "Products", row: 7, column: "", message: "Duplicate row." })).toBe("Products row 7: Duplicate row.");
  });

  it("is the message alone for a problem of the whole file", () => {
    expect(issueLine({ sheet: "", row: 0, column: "", message: "This is not an Excel workbook." })).toBe("This is not an Excel workbook.");
  });
});
