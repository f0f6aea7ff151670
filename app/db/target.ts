// Which database DATABASE_URL points at. Shared by the app, the Prisma CLI config and scripts.
import path from "node:path";

export type DatabaseTarget =
  | { provider: "sqlite"; file: string; url: string }
  | { provider: "postgresql"; url: string };

/** Default SQLite file, relative to the working directory (the project root). */
export const DEFAULT_SQLITE_FILE = path.join("data", "passport.db");

export function databaseTarget(databaseUrl: string | undefined): DatabaseTarget {
  const url = databaseUrl?.trim();
  if (!url) {
    const file = path.resolve(DEFAULT_SQLITE_FILE);
    return { provider: "sqlite", file, url: `file:${file}` };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: "postgresql", url };
  if (url.startsWith("file:")) {
    const file = path.resolve(url.slice("file:".length).replace(/^\/\/(?=\/)/, ""));
    return { provider: "sqlite", file, url: `file:${file}` };
  }
  throw new Error(
    `DATABASE_URL must be a PostgreSQL URL (postgres://…) or a SQLite file URL (file:./data/passport.db); got "${url.split(":")[0]}:…"`,
  );
}
