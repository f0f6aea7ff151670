import { describe, expect, it } from "vitest";
import { manualEditLabel, shownSource } from "./source-labels";

describe("manualEditLabel", () => {
  it("names an editor by name or email, never by a staff id", () => {
    expect(manualEditLabel("Ana Lima")).toBe("Manual edit by Ana Lima");
    expect(manualEditLabel("ana@example.com")).toBe("Manual edit by ana@example.com");
    expect(manualEditLabel("staff 1")).toBe("Manual edit");
    expect(manualEditLabel("staff 9876543210")).toBe("Manual edit");
    expect(manualEditLabel("a staff member")).toBe("Manual edit");
    expect(manualEditLabel(null)).toBe("Manual edit");
    expect(manualEditLabel("  ")).toBe("Manual edit");
  });
});

describe("shownSource", () => {
  it("reads a stored manual edit by a staff id as 'Manual edit', and leaves other labels as stored", () => {
    expect(shownSource("Manual edit by staff 1")).toBe("Manual edit");
    expect(shownSource("Manual edit by ana@example.com")).toBe("Manual edit by ana@example.com");
    expect(shownSource("Manual edit")).toBe("Manual edit");
    expect(shownSource("Shopify")).toBe("Shopify");
    expect(shownSource("Excel upload")).toBe("Excel upload");
  });
});
