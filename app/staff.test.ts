import { describe, expect, it } from "vitest";
import { staffEditor, staffId, staffName } from "./staff";

describe("staffId", () => {
  it("is the session token's subject, the same for every request of a staff member", () => {
    expect(staffId("42")).toBe("staff 42");
    expect(staffId(42)).toBe("staff 42");
    expect(staffId(undefined)).toBe("a staff member");
    expect(staffId(" ")).toBe("a staff member");
  });
});

describe("staffName", () => {
  it("is the first and last name Shopify gives (associated_user)", () => {
    expect(staffName({ id: 42, first_name: "Jane", last_name: "Doe" })).toBe("Jane Doe");
    expect(staffName({ first_name: " Jane ", last_name: "van  der Berg" })).toBe("Jane van der Berg");
    expect(staffName({ first_name: "Jane", last_name: "" })).toBe("Jane");
    expect(staffName({ first_name: null, last_name: "Doe" })).toBe("Doe");
  });

  it("is null without a name, never the email", () => {
    expect(staffName({ first_name: "", last_name: " " })).toBeNull();
    expect(staffName({ id: 42, email: "jane@example.com" } as never)).toBeNull();
    expect(staffName(undefined)).toBeNull();
  });
});

describe("staffEditor", () => {
  it("names the request's staff member by id, and by name when Shopify described that same user", () => {
    expect(staffEditor("42", { id: 42, first_name: "Jane", last_name: "Doe" })).toEqual({ id: "staff 42", name: "Jane Doe" });
    expect(staffEditor("42")).toEqual({ id: "staff 42", name: null });
    expect(staffEditor(undefined)).toEqual({ id: "a staff member", name: null });
  });

  it("takes no name from another user's description", () => {
    expect(staffEditor("42", { id: 7, first_name: "Jane", last_name: "Doe" })).toEqual({ id: "staff 42", name: null });
    expect(staffEditor("42", { first_name: "Jane", last_name: "Doe" })).toEqual({ id: "staff 42", name: null });
  });
});
