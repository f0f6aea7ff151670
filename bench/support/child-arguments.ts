// Inside a benchmark's child process (support/child.ts starts them). A module of its own, so that a
// child loads nothing of the parent's side (Vite, the build).

/**
 * In a child: its arguments, in order, all required. When one is missing it prints its usage
 * (`<name>` for each) and exits with code 2.
 */
export function childArguments(script: string, names: readonly string[]): string[] {
  const values = process.argv.slice(2, 2 + names.length);
  if (values.length < names.length || values.some((v) => !v)) {
    process.stderr.write(`usage: ${script} ${names.map((n) => `<${n}>`).join(" ")}\n`);
    process.exit(2);
  }
  return values;
}
