// `npm run bench -- <name>`: runs one benchmark (see bench/README.md).

export {};

const BENCHMARKS: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  engine: () => import("./engine"),
  "shopify-sync": () => import("./shopify-sync"),
  excel: () => import("./excel"),
  passports: () => import("./passports"),
};

const name = process.argv[2];
if (!name || !(name in BENCHMARKS)) {
  process.stderr.write(`Usage: npm run bench -- <${Object.keys(BENCHMARKS).join(" | ")}>\n`);
  process.exit(2);
}
try {
  const bench = await BENCHMARKS[name]();
  await bench.main();
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`\nbench ${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
  process.stdout.write(`BENCH ${JSON.stringify({ bench: name, error: message.split("\n").filter(Boolean).pop() ?? message })}\n`);
  process.exit(1);
}
