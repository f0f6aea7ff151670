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
export const CHECKPOINT_MIN_LOG_BYTES = 4 * 1024 * 1024;

/**
 * The log file's size cap, for when the thread cannot empty it (readers never all done): the
 * next transaction after a checkpoint cuts the file to this size instead of keeping the size of
 * the largest transaction (~290 MB after a big import).
 */
export const LOG_FILE_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * Commits that follow each other with no pause never let the log start over: SQLite restarts it
 * only when a write begins with all of it copied, and each copy ends behind the latest commit (a
 * TRUNCATE that waited would hold the app's next write back, and fails anyway while that write
 * waits). When the copied log that could not start over holds this much, the thread hands
 * checkpoints back to the app's commits (SQLite's default: the committing connection copies its
 * commit, and its next write starts the log over), and takes them again once the log is small.
 */
export const LOG_HAND_OVER_BYTES = 64 * 1024 * 1024;

/** SQLite's default: a commit that takes the log past this many pages checkpoints. */
export const COMMIT_CHECKPOINT_PAGES = 1000;

/** Polls in a row that may fail (a lock held while another process recovers the log) before the thread gives up. */
const FAILURES_BEFORE_GIVING_UP = 5;

// Plain CommonJS, run with `eval`: no file of its own to find in the built app, the dev server,
// the tests or the command line. A PASSIVE checkpoint copies what no reader still needs and takes
// no lock that writers wait for. Once all is copied, a TRUNCATE empties the log file: a moment's
// lock, nothing left to copy (with no busy timeout it gives up at once if the app is writing). An
// empty file then makes the log's size the measure of what is new. The log is found next to the
// database's real file (SQLite follows a symbolic link). Messages to the app: "ready", then
// "commits" (commits should checkpoint too) and "thread" (they should not).
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { realpathSync, statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const log = realpathSync(workerData.file) + "-wal";
const pageSize = db.pragma("page_size", { simple: true });
let settled = "";
let failures = 0;
let handedOver = false;
function handOver(on) {
  if (handedOver === on) return;
  handedOver = on;
  parentPort.postMessage(on ? "commits" : "thread");
}
function checkpoint() {
  let stat;
  try {
    stat = statSync(log);
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw error;
  }
  const seen = stat.size + ":" + stat.mtimeMs;
  if (!handedOver && (stat.size < workerData.minLogBytes || seen === settled)) return;
  const [copy] = db.pragma("wal_checkpoint(PASSIVE)");
  if (copy.busy === 0 && copy.log === copy.checkpointed) {
    const [restart] = db.pragma("wal_checkpoint(TRUNCATE)");
    if (restart.busy === 0) return handOver(false);
    settled = seen;
  }
  const logBytes = copy.log * pageSize;
  if (logBytes >= workerData.handOverBytes) handOver(true);
  else if (logBytes < workerData.minLogBytes) handOver(false);
}
setInterval(() => {
  try {
    checkpoint();
    failures = 0;
  } catch (error) {
    if (++failures >= workerData.failuresBeforeGivingUp) throw error;
  }
}, workerData.pollMs);
parentPort.postMessage("ready");
`;

export interface Checkpointer {
  /** Resolves once the thread has its connection (tests wait for it). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /**
   * Sets the app connection's wal_autocheckpoint: 0 while the thread checkpoints alone,
   * COMMIT_CHECKPOINT_PAGES while it needs the commits' help, and for good if the thread fails.
   */
  setCommitCheckpoints: (pages: number) => void;
  /** Called once if the thread cannot start or stops with an error (after commits checkpoint again). */
  onFailure: (error: Error) => void;
  /** Tests set it lower to see the hand-over without writing hundreds of MB. */
  handOverBytes?: number;
}

/**
 * Starts the checkpoint thread of a SQLite file, whose app connection starts with
 * wal_autocheckpoint = 0. The thread never keeps the process alive.
 */
export function startCheckpointer(file: string, options: CheckpointerOptions): Checkpointer {
  let stopped = false;
  let failed = false;
  const fail = (error: Error) => {
    if (stopped || failed) return;
    failed = true;
    options.setCommitCheckpoints(COMMIT_CHECKPOINT_PAGES);
    options.onFailure(error);
  };
  let worker: Worker;
  try {
    worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        pollMs: CHECKPOINT_POLL_MS,
        minLogBytes: CHECKPOINT_MIN_LOG_BYTES,
        handOverBytes: options.handOverBytes ?? LOG_HAND_OVER_BYTES,
        failuresBeforeGivingUp: FAILURES_BEFORE_GIVING_UP,
      },
      // Its own heap holds nothing but the connection. Without the app's Node flags, which would
      // override these limits (the production server's --max-old-space-size).
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
    return { ready: Promise.resolve(), stop: async () => undefined };
  }
  worker.unref();
  const ready = new Promise<void>((resolve) => {
    worker.once("exit", () => resolve());
    worker.on("message", (message: string) => {
      if (message === "ready") resolve();
      else if (!stopped && !failed) options.setCommitCheckpoints(message === "commits" ? COMMIT_CHECKPOINT_PAGES : 0);
    });
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
