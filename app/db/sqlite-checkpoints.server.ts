// SQLite's write-ahead log is copied back into the database file (a checkpoint) on a thread of
// its own. SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000
// pages, on the committing connection: after a large sync (a 50,000-row import writes ~290 MB)
// that COMMIT copied the whole log, a second or more in which the app's one thread answered no
// request. The app's connection turns it off (wal_autocheckpoint = 0) and this thread checkpoints
// instead, alongside the app (SQLite lets a checkpoint run while others read and write).
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the thread looks at the log, and the size from which it checkpoints (SQLite's own threshold: 1,000 pages of 4 KB). */
const CHECKPOINT_POLL_MS = 200;
const CHECKPOINT_MIN_LOG_BYTES = 4 * 1024 * 1024;

/**
 * The log file's size cap, for when the thread cannot empty it (readers never all done): the
 * next transaction after a checkpoint cuts the file to this size instead of keeping the size of
 * the largest transaction (~290 MB after a big import).
 */
export const LOG_FILE_LIMIT_BYTES = 32 * 1024 * 1024;

// Plain CommonJS, run with `eval`: no file of its own to find in the built app, the dev server,
// the tests or the command line. A PASSIVE checkpoint copies what no reader still needs and takes
// no lock that writers wait for. Once all is copied, a TRUNCATE empties the log file: a moment's
// lock, nothing left to copy (with no busy timeout it gives up at once if the app is writing). An
// empty file then makes the log's size the measure of what is new.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const log = workerData.file + "-wal";
let settled = "";
setInterval(() => {
  let stat;
  try { stat = statSync(log); } catch { return; }
  const seen = stat.size + ":" + stat.mtimeMs;
  if (stat.size < workerData.minLogBytes || seen === settled) return;
  const [copy] = db.pragma("wal_checkpoint(PASSIVE)");
  if (copy.busy !== 0 || copy.log !== copy.checkpointed) return;
  const [restart] = db.pragma("wal_checkpoint(TRUNCATE)");
  if (restart.busy !== 0) settled = seen;
}, workerData.pollMs);
parentPort.postMessage("ready");
`;

export interface Checkpointer {
  /** Resolves once the thread has its connection (tests wait for it). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the checkpoint thread of a SQLite file. `onFailure` is called once if the thread cannot
 * start or stops with an error: the caller should then let its connection checkpoint again.
 * The thread never keeps the process alive.
 */
export function startCheckpointer(file: string, onFailure: (error: Error) => void): Checkpointer {
  let worker: Worker;
  try {
    worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve("better-sqlite3"), pollMs: CHECKPOINT_POLL_MS, minLogBytes: CHECKPOINT_MIN_LOG_BYTES },
      // Its own heap holds nothing but the connection.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
  } catch (error) {
    onFailure(error instanceof Error ? error : new Error(String(error)));
    return { ready: Promise.resolve(), stop: async () => undefined };
  }
  worker.unref();
  let stopped = false;
  let failed = false;
  const fail = (error: Error) => {
    if (stopped || failed) return;
    failed = true;
    onFailure(error);
  };
  const ready = new Promise<void>((resolve) => {
    worker.once("message", () => resolve());
    worker.once("exit", () => resolve());
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the checkpoint thread stopped (exit code ${code})`)));
  return {
    ready,
    async stop() {
      stopped = true;
      await worker.terminate();
    },
  };
}
