// Child processes of the benchmarks (the Shopify simulator, a bare engine apply on its own
// database, the Excel import and export, the HTTP load generator): progress passed through on
// stderr, one result line `RESULT {json}` (or `READY {json}` for a server) on stdout. Most run
// their TypeScript through tsx; the ones whose memory is a goal run built, as the app runs in
// production (spawnBuilt).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from "../../scripts/app-process.ts";
import { ROOT } from "./env";

const BUILD_DIR = path.join(ROOT, "bench", ".build");
const APP_DIR = path.join(ROOT, "app") + path.sep;

function spawnNode(nodeArgs: readonly string[], args: readonly string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

export function spawnTsx(script: string, args: string[] = [], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawnNode(["--import", "tsx", path.resolve(ROOT, script)], args, env);
}

const builds = new Map<string, Promise<string>>();

/**
 * A child script built as the app's server is built for production (Vite, for Node: JavaScript
 * modules, packages loaded from node_modules), into bench/.build/<script>/. Run on plain Node it
 * has no TypeScript compiler in the process: tsx's loader thread and the sources it compiles are
 * some 35 MB of RSS that the production server does not have. Built once per benchmark process.
 */
function builtChild(script: string): Promise<string> {
  let built = builds.get(script);
  if (!built) {
    built = buildChild(script);
    builds.set(script, built);
  }
  return built;
}

async function buildChild(script: string): Promise<string> {
  const outDir = path.join(BUILD_DIR, path.basename(script, ".ts"));
  // Loaded only to build: Vite is ~150 MB of RSS in a benchmark process that runs app code itself (engine).
  const { build } = await import("vite");
  await build({
    configFile: false,
    publicDir: false,
    root: ROOT,
    logLevel: "warn",
    build: {
      ssr: path.resolve(ROOT, script),
      outDir,
      emptyOutDir: true,
      target: "node20",
      // The app in one chunk of its own, loaded by the first dynamic import that reaches it: a
      // child sets its environment (the database) before it imports the app.
      rollupOptions: {
        output: {
          format: "es",
          entryFileNames: "main.mjs",
          chunkFileNames: "[name].mjs",
          manualChunks: (id) => (id.startsWith(APP_DIR) ? "app" : undefined),
        },
      },
    },
  });
  return path.join(outDir, "main.mjs");
}

/** Runs a child built (builtChild) on Node with the app's production flags (or the ones given) and environment. */
async function spawnBuilt(script: string, args: string[] = [], env: Record<string, string | undefined> = {}, nodeFlags: readonly string[] = PRODUCTION_NODE_FLAGS): Promise<ChildProcess> {
  return spawnNode([...nodeFlags, await builtChild(script)], args, { ...PRODUCTION_ENV, ...env });
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
    const onExit = (code: number | null) => reject(new Error(`${childName(child)} exited (code ${code}) before printing ${tag}`));
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Waits for a child's end and returns its RESULT. */
async function resultOf<T>(child: ChildProcess): Promise<T> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const result = await waitForLine<T>(child, "RESULT");
  const code = await exited;
  if (code !== 0) throw new Error(`${childName(child)} exited with code ${code}`);
  return result;
}

/** Runs a child (TypeScript through tsx) to its end and returns its RESULT. */
export function runForResult<T>(script: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<T> {
  return resultOf<T>(spawnTsx(script, args, env));
}

/** Runs a child built as in production (spawnBuilt) to its end and returns its RESULT. */
export async function runBuiltForResult<T>(script: string, args: string[] = [], env: Record<string, string | undefined> = {}, nodeFlags?: readonly string[]): Promise<T> {
  return resultOf<T>(await spawnBuilt(script, args, env, nodeFlags));
}

/** The script a child runs, for messages ("bench/.build/import-process/main.mjs"). */
function childName(child: ChildProcess): string {
  const script = child.spawnargs.find((arg) => /\.(ts|mjs)$/.test(arg));
  return script ? path.relative(ROOT, script) : "child";
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
