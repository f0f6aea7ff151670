// The CLI's checks of the database it is about to open: a SQLite file that is not there is refused
// before the client would create it, and a database without the app's tables says to migrate it.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { databaseLabel, missingDatabase, unmigratedDatabase } from "./database";

describe("the CLI's database checks", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "passport-cli-db-"));

  it("refuses a SQLite file that does not exist, or a folder, and lets an existing file or PostgreSQL through", () => {
    const missing = path.join(dir, "nothere", "y.db");
    expect(missingDatabase(`file:${missing}`)).toBe(`No database at ${missing}: check DATABASE_URL, or create it with npm run db:migrate`);
    expect(missingDatabase(`file:${dir}`)).toBe(`${dir} is a folder, not a database: check DATABASE_URL`);
    const file = path.join(dir, "there.db");
    writeFileSync(file, "");
    expect(missingDatabase(`file:${file}`)).toBeNull();
    expect(missingDatabase("postgres://user:secret@db.example:5432/passport")).toBeNull();
  });

  it("turns Prisma's missing table or column into what to do, and leaves other errors alone", () => {
    const file = path.join(dir, "empty.db");
    const table = Object.assign(new Error("The table `main.Shop` does not exist in the current database."), { code: "P2021" });
    expect(unmigratedDatabase(table, `file:${file}`)).toBe(`The database at ${file} is not migrated: run npm run db:migrate`);
    const column = Object.assign(new Error("The column `Shop.name` does not exist in the current database."), { code: "P2022" });
    expect(unmigratedDatabase(column, `file:${file}`)).toBe(`The database at ${file} is not migrated to this version of Passport: run npm run db:migrate`);
    expect(unmigratedDatabase(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }), `file:${file}`)).toBeNull();
    expect(unmigratedDatabase(new Error("boom"), `file:${file}`)).toBeNull();
    expect(unmigratedDatabase(null, `file:${file}`)).toBeNull();
  });

  it("names a PostgreSQL database without its credentials", () => {
    const target = { provider: "postgresql", url: "postgres://user:secret@db.example:5432/passport?sslmode=require" } as const;
    expect(databaseLabel(target)).toBe("db.example:5432/passport");
    const error = Object.assign(new Error("missing table"), { code: "P2021" });
    expect(unmigratedDatabase(error, target.url)).toBe("The database at db.example:5432/passport is not migrated: run npm run db:migrate");
  });
});
