import { describe, expect, it } from "vitest";
import { decodeXString, encodeXString } from "./xstring";

describe("Excel's escaped characters (_xHHHH_)", () => {
  it("decodes each escape once, from left to right, in either case", () => {
    expect(decodeXString("Line 1_x000D_\nLine 2")).toBe("Line 1\r\nLine 2");
    expect(decodeXString("_x000d__x000A_ _xD83D__xDE00_")).toBe("\r\n 😀");
    expect(decodeXString("_x005F_x0041_")).toBe("_x0041_");
    expect(decodeXString("_x005F_x005F_x005F_x0041_")).toBe("_x005F_x0041_");
    expect(decodeXString("_x41_ _xGGGG_ _x0041 x0041_ _X0041_ __x")).toBe("_x41_ _xGGGG_ _x0041 x0041_ _X0041_ __x");
    const plain = "no escapes here";
    expect(decodeXString(plain)).toBe(plain);
  });

  it("escapes what Excel would otherwise read differently, and nothing else", () => {
    expect(encodeXString("a\r\nb")).toBe("a_x000D_\nb");
    expect(encodeXString("_x0041_ and _x0041_x0042_")).toBe("_x005F_x0041_ and _x005F_x0041_x005F_x0042_");
    expect(encodeXString("\u0000\u0008\u000B\u001F\u007F\uFFFE\uFFFF\t\n")).toBe("_x0000__x0008__x000B__x001F__x007F__xFFFE__xFFFF_\t\n");
    expect(encodeXString("plain _x41_ _X0041_ _x0041 text & <b> 😀")).toBe("plain _x41_ _X0041_ _x0041 text & <b> 😀");
  });

  it("reads back what it writes", () => {
    const texts = ["Line 1\r\nLine 2", "\r", "_x0041_", "_x005F_", "__x0041__", "_x0041__x0042_", "x_x0041_x_x0042_", "_x000D_\r_x005F_x000D_", "\u0001\u001F\u007F", "_x0041\r", "a_x00FF\u0001b"];
    for (const text of texts) expect(decodeXString(encodeXString(text)), JSON.stringify(text)).toBe(text);
  });
});
