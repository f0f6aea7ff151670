// Staff members as the app records them: by the id Shopify gives them (a session token's subject,
// an online access token's associated_user.id), named by the name Shopify gives them.
import type { Editor } from "./catalog/source-labels";

/** The user Shopify describes with an online access token (associated_user), as far as a name goes. */
export interface AssociatedUser {
  id?: number | string | null;
  first_name?: string | null;
  last_name?: string | null;
}

/** A staff member's stable id for records ("staff 42"); "a staff member" when the request names nobody. */
export function staffId(userId: string | number | null | undefined): string {
  const id = userId === null || userId === undefined ? "" : String(userId).trim();
  return id ? `staff ${id}` : "a staff member";
}

/**
 * A staff member's name ("Jane Doe"): first and last name as Shopify gives them, or null when it
 * gives neither. Never the email: history shows names, and a staff member without one is "Manual edit".
 */
export function staffName(user: AssociatedUser | null | undefined): string | null {
  const name = [user?.first_name, user?.last_name]
    .map((part) => (typeof part === "string" ? part.replace(/\s+/g, " ").trim() : ""))
    .filter(Boolean)
    .join(" ");
  return name || null;
}

/** The editor a request's staff member is: their id, and their name when Shopify gave one for that same user. */
export function staffEditor(userId: string | number | null | undefined, user?: AssociatedUser | null): Editor {
  const id = staffId(userId);
  const sameUser = user && user.id !== null && user.id !== undefined && String(user.id) === String(userId);
  return { id, name: sameUser ? staffName(user) : null };
}
