// Child processes of the benchmarks (the Shopify simulator, a bare engine apply on its own
// database, the HTTP load generator): TypeScript run through tsx, progress passed through on
// stderr, one result line `RESULT {json}` (or `READY {json}` for a server) on stdout.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ROOT } from "./env";

export function spawnTsx(script: string, args: string[] = [], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Resolves with the JSON of the first stdout line starting with `tag ` (the child keeps running). */
export function waitForLine<T>(child: ChildProcess, tag: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        const nl = buffer.indexOf("\n");
        if (nl < 0) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith(`${tag} `)) {
          child.stdout?.off("data", onData);
          child.off("exit", onExit);
          // Keep draining stdout so the child never blocks on a full pipe.
          child.stdout?.resume();
          resolve(JSON.parse(line.slice(tag.length + 1)) as T);
          return;
        }
        if (line.trim()) process.stderr.write(`${line}\n`);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${path.basename(String(child.spawnargs[3] ?? "child"))} exited (code ${code}) before printing ${tag}`));
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Runs a child to its end and returns its RESULT. */
export async function runForResult<T>(script: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<T> {
  const child = spawnTsx(script, args, env);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const result = await waitForLine<T>(child, "RESULT");
  const code = await exited;
  if (code !== 0) throw new Error(`${script} exited with code ${code}`);
  return result;
}

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

/** Stops a child started by us (SIGTERM, then SIGKILL after 5 s). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}
