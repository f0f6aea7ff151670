// The database the CLI is about to open, checked first: a mistyped DATABASE_URL must not create an
// empty SQLite file (the app's client creates the file and its folder), and a database nobody
// migrated is reported as such, not as a table Prisma cannot find.
import { statSync } from "node:fs";
import { databaseTarget, type DatabaseTarget } from "../db/target";

/** Where the database is, for a message: the SQLite file, or the PostgreSQL server and database without credentials. */
export function databaseLabel(target: DatabaseTarget): string {
  if (target.provider === "sqlite") return target.file;
  try {
    const url = new URL(target.url);
    return `${url.host}${url.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

/** Why the CLI must not open the database DATABASE_URL names (a SQLite file that is not there), or null. */
export function missingDatabase(databaseUrl: string | undefined): string | null {
  const target = databaseTarget(databaseUrl);
  if (target.provider !== "sqlite") return null;
  let isFile: boolean;
  try {
    isFile = statSync(target.file).isFile();
  } catch {
    return `No database at ${target.file}: check DATABASE_URL, or create it with npm run db:migrate`;
  }
  return isFile ? null : `${target.file} is a folder, not a database: check DATABASE_URL`;
}

/**
 * A Prisma error that means the database has not been migrated (P2021: a table is missing; P2022:
 * a column is, an older schema), as what to do; null for any other error.
 */
export function unmigratedDatabase(error: unknown, databaseUrl: string | undefined): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "P2021" && code !== "P2022") return null;
  let where: string;
  try {
    where = databaseLabel(databaseTarget(databaseUrl));
  } catch {
    where = "DATABASE_URL";
  }
  return code === "P2021"
    ? `The database at ${where} is not migrated: run npm run db:migrate`
    : `The database at ${where} is not migrated to this version of Passport: run npm run db:migrate`;
}
