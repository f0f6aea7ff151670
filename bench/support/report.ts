// Output of a benchmark: human-readable figures on stdout, progress on stderr, goals marked PASS or
// MISS, and one last line `BENCH {json}` with every figure (times in ms, memory in MB, ratios).

export type Comparison = "<" | "<=" | ">=" | ">";

export interface GoalResult {
  value: number;
  target: string;
  pass: boolean;
}

const started = Date.now();

/** A progress line on stderr, with the time since the benchmark started. */
export function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mb = (bytes: number): number => round(bytes / (1024 * 1024), 1);

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export class Report {
  private readonly figures: Record<string, unknown> = {};
  private readonly goals: Record<string, GoalResult> = {};

  constructor(readonly bench: string) {}

  /** Prints a section title. */
  section(title: string): void {
    process.stdout.write(`\n${title}\n${"-".repeat(title.length)}\n`);
  }

  /** Prints a figure ("label: text") and records its value for the BENCH line. */
  figure(key: string, label: string, value: number | string | boolean | Record<string, unknown>, text?: string): void {
    this.figures[key] = value;
    process.stdout.write(`  ${label}: ${text ?? String(value)}\n`);
  }

  /** Records a value for the BENCH line without printing it. */
  set(key: string, value: unknown): void {
    this.figures[key] = value;
  }

  note(text: string): void {
    process.stdout.write(`  ${text}\n`);
  }

  /** Checks a goal and prints it with PASS or MISS. */
  goal(key: string, label: string, value: number, op: Comparison, target: number, format: (v: number) => string = (v) => String(v)): boolean {
    const pass = op === "<" ? value < target : op === "<=" ? value <= target : op === ">=" ? value >= target : value > target;
    this.goals[key] = { value, target: `${op} ${target}`, pass };
    process.stdout.write(`  ${pass ? "PASS" : "MISS"}  ${label}: ${format(value)} (goal ${op} ${format(target)})\n`);
    return pass;
  }

  /** A yes/no check (e.g. "the second run wrote nothing"), reported like a goal. */
  check(key: string, label: string, pass: boolean, detail = ""): boolean {
    this.goals[key] = { value: pass ? 1 : 0, target: "true", pass };
    process.stdout.write(`  ${pass ? "PASS" : "MISS"}  ${label}${detail ? `: ${detail}` : ""}\n`);
    return pass;
  }

  /** The last line of the output. */
  finish(): void {
    const missed = Object.entries(this.goals).filter(([, g]) => !g.pass).map(([k]) => k);
    process.stdout.write(`\n${missed.length ? `Goals missed: ${missed.join(", ")}` : "All goals met."}\n`);
    process.stdout.write(`BENCH ${JSON.stringify({ bench: this.bench, ...this.figures, goals: this.goals })}\n`);
  }
}
