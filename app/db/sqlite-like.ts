// SQLite's LIKE, replaced on the app's connections (db.server.ts) to mean what PostgreSQL's does
// for the app's searches (catalog.server.ts productSearch). Prisma's contains/startsWith are a
// LIKE without ESCAPE: on SQLite, `%` and `_` in a merchant's search would be wildcards, and LIKE
// folds the case of ASCII letters only ("über" would not find "Über"). SQLite lets an application
// replace LIKE's function on a connection (as its ICU extension does): this one treats `\` as the
// escape character, as PostgreSQL's LIKE does, and compares in any case (Unicode case folding).
// Cheaper than the alternatives: lower() in SQL folds ASCII only, a folded copy of every searched
// column would need a migration and every writer of titles and SKUs to fill it, and folding
// candidate rows in JavaScript would hand the list and the export id lists as long as the
// matches. A search still reads each of the shop's products and variants once, as LIKE '%…%'
// always did (SQLite's LIKE never used an index on these case-sensitive columns).
import type { SqliteConnection } from "../db.server";

/** Gives a connection the LIKE described above. */
export function useUnicodeLike(connection: SqliteConnection): void {
  connection.function("like", { deterministic: true }, (pattern: unknown, value: unknown) =>
    pattern === null || value === null ? null : Number(likeRegExp(String(pattern)).test(String(value))),
  );
}

const likeRegExps = new Map<string, RegExp>();

/** A LIKE pattern (`%` any text, `_` one character, `\` makes the next character literal) as a case-insensitive RegExp. */
export function likeRegExp(pattern: string): RegExp {
  let regExp = likeRegExps.get(pattern);
  if (regExp) return regExp;
  let source = "";
  let anyText = false;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    // Runs of `%` are one `.*` (several would only make the RegExp backtrack).
    if (char === "%" && !anyText) source += ".*";
    else if (char === "_") source += ".";
    else if (char !== "%") source += (char === "\\" && i + 1 < chars.length ? chars[++i] : char).replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
    anyText = char === "%";
  }
  regExp = new RegExp(`^${source}$`, "isu");
  if (likeRegExps.size >= 100) likeRegExps.clear();
  likeRegExps.set(pattern, regExp);
  return regExp;
}
