import { describe, expect, it } from "vitest";
import {
  asCountryText,
  asDate,
  asGtinText,
  asNumber,
  asText,
  displayGtin,
  parseNumberText,
  rawCell,
  serialToIso,
  splitList,
  splitUrls,
  urlText,
} from "./cells";

describe("rawCell", () => {
  it("reduces exceljs values", () => {
    expect(rawCell(null)).toEqual({ t: "empty" });
    expect(rawCell("  ")).toEqual({ t: "empty" });
    expect(rawCell("x")).toEqual({ t: "string", s: "x" });
    expect(rawCell(0.4, "0%")).toEqual({ t: "number", n: 0.4, percentFormat: true });
    expect(rawCell(true)).toEqual({ t: "bool", b: true });
    expect(rawCell({ richText: [{ text: "Organic " }, { font: { bold: true }, text: "cotton" }] })).toEqual({ t: "string", s: "Organic cotton" });
    expect(rawCell({ formula: "A1*2", result: 12 })).toMatchObject({ t: "number", n: 12 });
    expect(rawCell({ formula: "A1&B1", result: "ab" })).toEqual({ t: "string", s: "ab" });
    expect(rawCell({ text: "Certificate", hyperlink: "https://x.example/c" })).toEqual({ t: "string", s: "Certificate", link: "https://x.example/c" });
  });

  it("decodes Excel's escaped characters once, in every kind of text (each run of rich text on its own)", () => {
    expect(rawCell("Line 1_x000D_\nLine 2")).toEqual({ t: "string", s: "Line 1\r\nLine 2" });
    expect(rawCell("_x005F_x0041_")).toEqual({ t: "string", s: "_x0041_" });
    expect(rawCell("_x0020__x000D_")).toEqual({ t: "empty" });
    expect(rawCell({ richText: [{ text: "a_x000D_\n" }, { font: { bold: true }, text: "b _x00" }, { text: "41_" }] })).toEqual({ t: "string", s: "a\r\nb _x0041_" });
    expect(rawCell({ formula: "A1&B1", result: "a_x000D_\nb" })).toEqual({ t: "string", s: "a\r\nb" });
    expect(rawCell({ text: "Line_x000D_\n2", hyperlink: "https://x.example/_x0041_" })).toEqual({ t: "string", s: "Line\r\n2", link: "https://x.example/_x0041_" });
  });

  it("treats a format as percent only for a bare %: a quoted, escaped or bracketed % is only displayed", () => {
    const percentFormat = (numFmt: string) => {
      const raw = rawCell(100, numFmt);
      return raw.t === "number" && raw.percentFormat;
    };
    expect(percentFormat("0%")).toBe(true);
    expect(percentFormat("0.0%")).toBe(true);
    expect(percentFormat("[Red]0%")).toBe(true);
    expect(percentFormat('"Share: "0%')).toBe(true);
    expect(percentFormat('0"%"')).toBe(false);
    expect(percentFormat("0\\%")).toBe(false);
    expect(percentFormat('0" %"')).toBe(false);
    expect(percentFormat("[$-409]0")).toBe(false);
    expect(percentFormat("[>=100%]0")).toBe(false);
    expect(percentFormat("0_%")).toBe(false);
    expect(percentFormat("0")).toBe(false);
    expect(asNumber(rawCell(100, '0"%"'), { percent: true })).toEqual({ ok: true, value: 100 });
    expect(asNumber(rawCell(100, "0\\%"), { percent: true })).toEqual({ ok: true, value: 100 });
    expect(asNumber(rawCell(0.95, "[Red]0%"), { percent: true })).toEqual({ ok: true, value: 95 });
  });

  it("explains formulas without a cached result and error values", () => {
    const noResult = rawCell({ formula: "A1*2" });
    expect(noResult.t).toBe("error");
    expect(noResult.t === "error" && noResult.message).toMatch(/formula without a saved result/);
    const err = rawCell({ error: "#N/A" });
    expect(err.t === "error" && err.message).toMatch(/#N\/A/);
    const errResult = rawCell({ formula: "1/0", result: { error: "#DIV/0!" } });
    expect(errResult.t).toBe("error");
  });
});

describe("numbers", () => {
  it("understands decimal commas, points, thousands separators and the column's unit", () => {
    expect(parseNumberText("12.5")).toBe(12.5);
    expect(parseNumberText("12,5")).toBe(12.5);
    expect(parseNumberText("1.234,5")).toBe(1234.5);
    expect(parseNumberText("1,234.5")).toBe(1234.5);
    expect(parseNumberText("1.234.567")).toBe(1234567);
    expect(parseNumberText(" 150 g", ["g"])).toBe(150);
    expect(parseNumberText("40%", ["%"])).toBe(40);
    expect(parseNumberText("abc")).toBeNull();
    expect(parseNumberText("150 kg", ["g"])).toBeNull();
    expect(parseNumberText("1.2.3")).toBeNull();
  });

  it("refuses a number written with one separator and exactly three digits after it: 2,700 could be 2700 or 2.7", () => {
    expect(asNumber(rawCell("2,700"))).toEqual({
      ok: false,
      message: '"2,700" could be read as 2700 (with a thousands separator) or as 2.7 (with a decimal separator). Write 2700 or 2.7, without a thousands separator.',
    });
    expect(asNumber(rawCell("1.250 g"), { unit: "g" })).toMatchObject({ ok: false, message: expect.stringMatching(/could be read as 1250 .* or as 1.25 .*Write 1250 or 1.25/) });
    expect(asNumber(rawCell("-12,500"))).toMatchObject({ ok: false, message: expect.stringMatching(/Write -12500 or -12.5/) });
    expect(parseNumberText("2,700")).toBeNull();
    expect(parseNumberText("2.700")).toBeNull();
    // Nothing to guess: a leading zero, more than three digits before or after the separator,
    // both separators, several thousands separators, a number cell.
    expect(asNumber(rawCell("0,500"))).toEqual({ ok: true, value: 0.5 });
    expect(asNumber(rawCell("1234,567"))).toEqual({ ok: true, value: 1234.567 });
    expect(asNumber(rawCell("2,7"))).toEqual({ ok: true, value: 2.7 });
    expect(asNumber(rawCell("2,7000"))).toEqual({ ok: true, value: 2.7 });
    expect(asNumber(rawCell("2.700,0"))).toEqual({ ok: true, value: 2700 });
    expect(asNumber(rawCell("2,700.5"))).toEqual({ ok: true, value: 2700.5 });
    expect(asNumber(rawCell("1.234.567"))).toEqual({ ok: true, value: 1234567 });
    expect(asNumber(rawCell("2 700"))).toEqual({ ok: true, value: 2700 });
    expect(asNumber(rawCell(2700))).toEqual({ ok: true, value: 2700 });
  });

  it("reads percent-formatted cells as percentages", () => {
    expect(asNumber(rawCell(0.35, "0%"), { percent: true })).toEqual({ ok: true, value: 35 });
    expect(asNumber(rawCell(35), { percent: true })).toEqual({ ok: true, value: 35 });
    expect(asNumber(rawCell("35 %"), { percent: true })).toEqual({ ok: true, value: 35 });
  });

  it("says what is wrong", () => {
    const r = asNumber(rawCell("heavy"), { unit: "g" });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/"heavy" is not a number/);
    const d = asNumber(rawCell(new Date(Date.UTC(2027, 0, 31))));
    expect(!d.ok && d.message).toMatch(/holds a date/);
  });
});

describe("dates", () => {
  it("reads Date cells, serials and text", () => {
    expect(asDate(rawCell(new Date(Date.UTC(2027, 0, 31))), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell(46418), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell(46418 - 1462), true)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell("2027-01-31"), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell("2027-1-5"), false)).toEqual({ ok: true, value: "2027-01-05" });
    expect(asDate(rawCell("31.01.2027"), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell("31/01/2027"), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell("01/31/2027"), false)).toEqual({ ok: true, value: "2027-01-31" });
    expect(asDate(rawCell("2027-01-31T00:00:00Z"), false)).toEqual({ ok: true, value: "2027-01-31" });
  });

  it("refuses impossible and ambiguous dates", () => {
    expect(asDate(rawCell("2027-02-30"), false).ok).toBe(false);
    const ambiguous = asDate(rawCell("03/04/2027"), false);
    expect(!ambiguous.ok && ambiguous.message).toMatch(/day\/month or month\/day/);
    expect(asDate(rawCell("soon"), false).ok).toBe(false);
  });

  it("refuses a year alone, as text or a number, instead of reading it as a day in 1905", () => {
    expect(asDate(rawCell("2027"), false)).toEqual({ ok: false, message: '"2027" is a year, not a date. Enter the full date as YYYY-MM-DD, e.g. 2027-12-31.' });
    expect(asDate(rawCell(2027), false)).toEqual({ ok: false, message: "2027 is a year, not a date. Enter the full date as YYYY-MM-DD, e.g. 2027-12-31." });
    expect(asDate(rawCell(" 2030 "), true)).toMatchObject({ ok: false, message: expect.stringMatching(/e\.g\. 2030-12-31/) });
    // Serials of real dates still work, in number cells and as text.
    expect(asDate(rawCell(46568), false)).toEqual({ ok: true, value: "2027-06-30" });
    expect(asDate(rawCell("46568"), false)).toEqual({ ok: true, value: "2027-06-30" });
  });

  it("handles Excel's serials around 1900", () => {
    expect(serialToIso(1, false)).toBe("1900-01-01");
    expect(serialToIso(59, false)).toBe("1900-02-28");
    expect(serialToIso(61, false)).toBe("1900-03-01");
    expect(serialToIso(0, false)).toBeNull();
  });
});

describe("text, lists, links, GTINs, countries", () => {
  it("writes numbers and dates plainly in text columns", () => {
    expect(asText(rawCell(12345))).toEqual({ ok: true, value: "12345" });
    expect(asText(rawCell(0.1 + 0.2))).toEqual({ ok: true, value: "0.3" });
    expect(asText(rawCell(new Date(Date.UTC(2026, 4, 1))))).toEqual({ ok: true, value: "2026-05-01" });
  });

  it("splits lists and links", () => {
    expect(splitList("organic, cotton ,, basics")).toEqual(["organic", "cotton", "basics"]);
    expect(splitUrls("https://a.example/1.jpg\nhttps://a.example/2.jpg")).toEqual(["https://a.example/1.jpg", "https://a.example/2.jpg"]);
    expect(splitUrls("https://a.example/1.jpg, https://a.example/2.jpg")).toEqual(["https://a.example/1.jpg", "https://a.example/2.jpg"]);
    // commas inside a link stay
    expect(splitUrls("https://res.example/w_100,h_100/a.jpg")).toEqual(["https://res.example/w_100,h_100/a.jpg"]);
  });

  it("uses a hyperlink's target when the cell shows other text", () => {
    expect(urlText(rawCell("Certificate"), "https://c.example/1")).toEqual({ ok: true, value: "https://c.example/1" });
    expect(urlText(rawCell("https://shown.example"), "https://target.example")).toEqual({ ok: true, value: "https://shown.example" });
    expect(urlText(rawCell({ text: "GOTS", hyperlink: "https://g.example" }), undefined)).toEqual({ ok: true, value: "https://g.example" });
  });

  it("pads numeric GTINs that lost their leading zeros", () => {
    expect(asGtinText(rawCell(12345678905))).toEqual({ ok: true, value: "00012345678905" });
    expect(asGtinText(rawCell("012345678905"))).toEqual({ ok: true, value: "012345678905" });
    expect(asGtinText(rawCell(1.5)).ok).toBe(false);
    expect(displayGtin("00012345678905")).toBe("012345678905");
    expect(displayGtin("04006381333931")).toBe("4006381333931");
    expect(displayGtin("00000096385074")).toBe("96385074");
    expect(displayGtin("14006381333938")).toBe("14006381333938");
  });

  it("refuses barcodes of zeros and numbers too short to be a GTIN, which padding would turn into GTIN-14s", () => {
    const tooShort = (n: number) => ({
      ok: false,
      message: `${n} is too short to be a barcode: a GTIN has 8, 12, 13 or 14 digits. If the barcode starts with zeros, format the column as Text and enter it with its zeros.`,
    });
    expect(asGtinText(rawCell(17))).toEqual(tooShort(17));
    expect(asGtinText(rawCell(123456))).toEqual(tooShort(123456));
    const zeros = "is not a barcode: a GTIN is never all zeros. Enter the variant's barcode number, or clear the cell if it has none.";
    expect(asGtinText(rawCell(0))).toEqual({ ok: false, message: `0 ${zeros}` });
    expect(asGtinText(rawCell("00000000"))).toEqual({ ok: false, message: `"00000000" ${zeros}` });
    expect(asGtinText(rawCell("0000-0000-0000-0"))).toEqual({ ok: false, message: `"0000-0000-0000-0" ${zeros}` });
    // A GTIN-8 or GTIN-13 that lost its leading zero in a number cell still reads.
    expect(asGtinText(rawCell(1234565))).toEqual({ ok: true, value: "00000001234565" });
    expect(asGtinText(rawCell(123456789012))).toEqual({ ok: true, value: "00123456789012" });
  });

  it("accepts codes in any case and English country names", () => {
    expect(asCountryText(rawCell("pt"))).toEqual({ ok: true, value: "PT" });
    expect(asCountryText(rawCell("Portugal"))).toEqual({ ok: true, value: "PT" });
    expect(asCountryText(rawCell("Atlantis"))).toEqual({ ok: true, value: "Atlantis" });
  });
});
