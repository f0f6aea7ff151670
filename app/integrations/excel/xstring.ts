// Escaped characters in a workbook's text (ECMA-376 Part 1, ST_Xstring). A character XML cannot
// carry is written as `_xHHHH_` (4 hex digits, either case): Excel writes a carriage return as
// `_x000D_`, since XML turns a CR it holds as such into a line feed. A literal `_x` that would read
// as an escape has its underscore escaped: the text `_x0041_` is written `_x005F_x0041_`. Excel
// decodes these in every cell's text (shared strings, inline strings and their runs, the value of
// a `t="str"` cell); exceljs's streaming reader decodes none of them and its writer escapes none.

const ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/** Text as Excel shows it: each `_xHHHH_` replaced by its character, from left to right (once). */
export function decodeXString(text: string): string {
  // The check keeps the common case (no escape) to one scan, without a regular expression.
  return text.includes("_x") ? text.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

// Characters written escaped: those XML 1.0 cannot hold (C0 controls other than tab and line feed,
// U+FFFE, U+FFFF), a carriage return (XML reads it as a line feed), DEL (exceljs drops it), and the
// underscore of a literal `_xHHHH_`, or of `_xHHHH` before a character that is escaped (whose
// escape begins with "_": `_x0041` then a CR would read as `_x0041_` and "x000D_").
const ESCAPED = String.raw`[\0-\x08\x0B-\x1F\x7F\uFFFE\uFFFF]`;
const TO_ESCAPE = new RegExp(String.raw`${ESCAPED}|_(?=x[0-9A-Fa-f]{4}(?:_|${ESCAPED}))`, "g");

/** Text as it must be written for Excel (and decodeXString) to read it back unchanged. */
export function encodeXString(text: string): string {
  return text.replace(TO_ESCAPE, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`);
}
