// How the admin names who wrote a value by hand. Sessions identify staff by an id ("staff 1",
// from the session token's subject) unless they carry a name or an email; merchants do not know
// those ids, so an edit by an id alone reads "Manual edit". History rows keep what they stored
// ("Manual edit by staff 1" in older rows): they are read through shownSource, never rewritten.

const MANUAL_EDIT = "Manual edit";
const MANUAL_EDIT_BY = `${MANUAL_EDIT} by `;

/** The editors that name nobody a merchant knows: a staff id, or no one in particular (admin.server.ts). */
function isAnonymousEditor(editor: string): boolean {
  return /^staff \d+$/i.test(editor) || editor === "a staff member";
}

/** A manual edit's source: "Manual edit by Ana Lima" (or by an email), "Manual edit" when only an id or nobody is known. */
export function manualEditLabel(editor: string | null | undefined): string {
  const name = editor?.trim();
  return name && !isAnonymousEditor(name) ? `${MANUAL_EDIT_BY}${name}` : MANUAL_EDIT;
}

/** A stored source label as the admin shows it: a manual edit by a staff id reads "Manual edit"; other labels are shown as stored. */
export function shownSource(stored: string): string {
  return stored.startsWith(MANUAL_EDIT_BY) ? manualEditLabel(stored.slice(MANUAL_EDIT_BY.length)) : stored;
}
