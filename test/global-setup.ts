// Runs once before the test files. Each test that needs a database makes its own (test/db.ts).
export default function setup(): void {
  process.env.NODE_ENV ??= "test";
}
