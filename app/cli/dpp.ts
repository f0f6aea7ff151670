// The operator command line: `npm run dpp -- <command> [options]` (GUIDE §5).
// With --json, standard output carries exactly one JSON document; progress and logs go to
// standard error. Exit code 0 on success; otherwise non-zero with a one-line reason on stderr.
import { parseArgs } from "node:util";
import { firstLine } from "../errors";
import { COMMANDS, isCommand } from "./command-names";
import { missingDatabase, unmigratedDatabase } from "./database";

process.env.PASSPORT_BACKGROUND = "off"; // the CLI runs its own worker only while it waits

const USAGE = `Usage: npm run dpp -- <command> --shop <shop.myshopify.com> [options]

Commands:
  sync          [--integration <kind>] [--json]        Sync now, in the foreground; prints the run
  import <file.xlsx> [--dry-run] [--create-missing] [--json]
                                                       Import an Excel workbook (preview with --dry-run)
  export --out <file.xlsx> [--search <text>] [--archived include|exclude|only] [--missing]
                                                       Export products to the template format
  passports     [--json]                               List passports with their URLs
  qr --out <file.zip>                                  QR codes (SVG + PNG) and labels.csv for printing
  integrations  [--json]                               Available and connected integrations
  promote --integration <kind> [--dry-run] [--json]   Make an integration the primary (preview first)`;

/** The command line's options; a mistyped option or a missing value is a one-line error (main). */
function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      shop: { type: "string" },
      integration: { type: "string" },
      json: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      "create-missing": { type: "boolean", default: false },
      out: { type: "string" },
      search: { type: "string" },
      archived: { type: "string" },
      missing: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

export type CliOptions = ReturnType<typeof parseCommandLine>["values"];

/** Edits (insert, delete, replace) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** Why `command` is not one of COMMANDS, with the likely one meant. */
function unknownCommand(command: string): string {
  const near = COMMANDS.find((known) => editDistance(command.toLowerCase(), known) <= 2);
  return `unknown command "${command}"${near ? ` (did you mean ${near}?)` : ""}: the commands are ${COMMANDS.join(", ")} (see npm run dpp -- --help)`;
}

function requireShop(opts: CliOptions): string {
  const shop = opts.shop?.trim().toLowerCase();
  if (!shop) throw new Error("--shop <shop.myshopify.com> is required");
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new Error(`"${shop}" is not a shop domain (expected something like brand.myshopify.com)`);
  return shop;
}

async function main(): Promise<number> {
  const { values: opts, positionals } = parseCommandLine();
  const [command, ...args] = positionals;
  if (!command || opts.help) {
    process.stderr.write(`${USAGE}\n`);
    return opts.help ? 0 : 2;
  }
  if (!isCommand(command)) throw new Error(unknownCommand(command));
  const shop = requireShop(opts);
  // Before the database client is loaded: it would create a SQLite file that is not there.
  const noDatabase = missingDatabase(process.env.DATABASE_URL);
  if (noDatabase) throw new Error(noDatabase);
  // Loaded after argument checks, so `--help` needs no database.
  const { runCommand } = await import("./commands.server");
  return runCommand(command, shop, args, opts);
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    const message = unmigratedDatabase(error, process.env.DATABASE_URL) ?? (error instanceof Error ? error.message : String(error));
    process.stderr.write(`dpp: ${firstLine(message) || "failed without a message"}\n`);
    process.exit(1);
  });

