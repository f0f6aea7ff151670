// How the admin names who wrote a value by hand. A manual edit records its editor twice: a stable
// id ("staff 42", from the session token's subject) in FieldValue.editedBy, and a label for the
// history naming them where a merchant knows them ("Manual edit by Jane Doe", the name Shopify
// gives the staff member: staff.server.ts). Merchants do not know staff ids, so an edit known by
// an id alone reads "Manual edit". History rows keep what they stored ("Manual edit by staff 1"
// in older rows): they are read through shownSource, never rewritten.

const MANUAL_EDIT = "Manual edit";
const MANUAL_EDIT_BY = `${MANUAL_EDIT} by `;

/** Who made a manual edit: a stable id, and their name when it is known. */
export interface Editor {
  /** Stays the same for the staff member ("staff 42"): what FieldValue.editedBy stores. */
  id: string;
  /** How merchants know them ("Jane Doe"), or null. */
  name: string | null;
}

/** The editors that name nobody a merchant knows: a staff id, or no one in particular (admin.server.ts). */
function isAnonymousEditor(editor: string): boolean {
  return /^staff \d+$/i.test(editor) || editor === "a staff member";
}

/** A manual edit's source: "Manual edit by Ana Lima" (or by an email), "Manual edit" when only an id or nobody is known. */
export function manualEditLabel(editor: string | null | undefined): string {
  const name = editor?.trim();
  return name && !isAnonymousEditor(name) ? `${MANUAL_EDIT_BY}${name}` : MANUAL_EDIT;
}

/**
 * What a manual edit stores: its editor's id (editedBy) and its label (the history's source). An
 * editor given as a plain string is both (the CLI and tests name editors so: "ann@example.com").
 */
export function manualEditSource(editor: string | Editor): { editedBy: string; sourceLabel: string } {
  if (typeof editor === "string") return { editedBy: editor, sourceLabel: manualEditLabel(editor) };
  return { editedBy: editor.id, sourceLabel: manualEditLabel(editor.name) };
}

/** A stored source label as the admin shows it: a manual edit by a staff id reads "Manual edit"; other labels are shown as stored. */
export function shownSource(stored: string): string {
  return stored.startsWith(MANUAL_EDIT_BY) ? manualEditLabel(stored.slice(MANUAL_EDIT_BY.length)) : stored;
}
