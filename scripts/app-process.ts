// Builds the app when its build is older than its sources, and runs it as a child process. Used by
// the demo, the browser tests and the benchmarks (one way to start the real app).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const BUILD_ENTRY = path.join(ROOT, "build", "server", "index.js");

/** package.json's config: how the app's long-running processes are started (README, "Decisions worth knowing": "A heap ceiling", "A fixed mmap threshold"). */
const PROCESS_CONFIG = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { config?: { nodeFlags?: string; glibcTunables?: string } }).config ?? {};

/**
 * Node's flags for the app's long-running processes: config.nodeFlags, which `npm start` and
 * `npm run dpp` pass to node. An explicit heap ceiling: left to itself, Node sizes the heap from
 * the machine's memory (a quarter of it, up to 4 GB), and V8 then lets garbage grow to about four
 * times what is alive before it collects.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = (PROCESS_CONFIG.nodeFlags ?? "").split(/\s+/).filter(Boolean);

/**
 * The environment those processes start with: config.glibcTunables as GLIBC_TUNABLES. A fixed
 * mmap threshold: glibc otherwise raises it to the size of each large block freed (an uploaded
 * file, say), after which buffers of up to that size come from its main heap, which it does not
 * give back to the system once fragmented.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = PROCESS_CONFIG.glibcTunables ? { GLIBC_TUNABLES: PROCESS_CONFIG.glibcTunables } : {};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** Builds with Vite when app/ changed since the last build. Serialized across processes by a lock directory. */
export async function ensureBuilt(log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<void> {
  const lock = path.join(ROOT, "build.lock");
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 300_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const sources = Math.max(newestMtime(path.join(ROOT, "app")), statSync(path.join(ROOT, "vite.config.ts")).mtimeMs);
    if (existsSync(BUILD_ENTRY) && statSync(BUILD_ENTRY).mtimeMs > sources) return;
    log("Building the app (vite)…");
    const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NODE_ENV: "production" },
    });
    if (result.status !== 0) throw new Error("The app build failed (see the output above).");
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built app (server.mjs) and waits until /healthz answers. */
export async function startApp(options: { port: number; env: Record<string, string | undefined>; output?: "inherit" | "ignore" | "pipe" }): Promise<AppProcess> {
  const url = options.env.SHOPIFY_APP_URL ?? `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    env: { ...process.env, ...PRODUCTION_ENV, PORT: String(options.port), SHOPIFY_APP_URL: url, ...options.env },
    stdio: ["ignore", options.output ?? "inherit", options.output ?? "inherit"],
  });
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? -1));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`The app exited during start-up (code ${exited}).`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("The app did not answer /healthz within 60 s.");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port: options.port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
