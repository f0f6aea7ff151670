import { describe, expect, it } from "vitest";
import { manualEditLabel, manualEditSource, shownSource } from "./source-labels";

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

describe("manualEditSource", () => {
  it("stores an editor's stable id and labels the edit with their name", () => {
    expect(manualEditSource({ id: "staff 42", name: "Jane Doe" })).toEqual({ editedBy: "staff 42", sourceLabel: "Manual edit by Jane Doe" });
  });

  it("labels an edit 'Manual edit' when no name is known, still storing who it was", () => {
    expect(manualEditSource({ id: "staff 42", name: null })).toEqual({ editedBy: "staff 42", sourceLabel: "Manual edit" });
    expect(manualEditSource({ id: "staff 42", name: "  " })).toEqual({ editedBy: "staff 42", sourceLabel: "Manual edit" });
    expect(manualEditSource({ id: "a staff member", name: null })).toEqual({ editedBy: "a staff member", sourceLabel: "Manual edit" });
  });

  it("takes an editor given as a string as both id and name, as before", () => {
    expect(manualEditSource("ann@example.com")).toEqual({ editedBy: "ann@example.com", sourceLabel: "Manual edit by ann@example.com" });
    expect(manualEditSource("staff 1")).toEqual({ editedBy: "staff 1", sourceLabel: "Manual edit" });
  });
});
