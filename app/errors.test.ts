// What a merchant or an operator reads for an unexpected error: its first line that says something.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { firstLine, merchantMessage } from "./errors";

// How Prisma words a failed query: an empty line, where it was called, and the reason last.
const prismaMessage =
  "\nInvalid `db.integration.findMany()` invocation in\n/app/cli/commands.server.ts:3:56\n\n  1 const x = 1;\n→ 3 await db.integration.findMany(\nThe table `main.Shop` does not exist in the current database.";

describe("unexpected errors", () => {
  it("show the first line that says something, trimmed (for a database error, its reason)", () => {
    expect(firstLine("\n  Connection refused  \nat …")).toBe("Connection refused");
    expect(firstLine(prismaMessage)).toBe("The table `main.Shop` does not exist in the current database.");
    expect(merchantMessage(new Error(prismaMessage))).toBe(
      "Something went wrong on our side (The table `main.Shop` does not exist in the current database.). Passport retries automatically; if this keeps happening, contact support.",
    );
    expect(merchantMessage(new Error("\n \n"))).toBe("Something went wrong on our side. Passport retries automatically; if this keeps happening, contact support.");
  });

  it("the CLI prints the reason of a database error", () => {
    // A database file without the app's tables.
    const dir = mkdtempSync(path.join(os.tmpdir(), "passport-cli-error-"));
    const file = path.join(dir, "empty.db");
    writeFileSync(file, "");
    let stderr = "";
    let status = 0;
    try {
      execFileSync("node_modules/.bin/tsx", ["app/cli/dpp.ts", "integrations", "--shop", "brand.myshopify.com", "--json"], {
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: `file:${file}`, PASSPORT_TEST_DB_FILE: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      ({ stderr, status } = error as { stderr: string; status: number });
    }
    expect(status).toBe(1);
    const line = stderr.trim().split("\n").at(-1)!;
    expect(line).toMatch(/^dpp: \S/);
    expect(line).toBe(`dpp: The database at ${file} is not migrated: run npm run db:migrate`);
  }, 60_000);
});
