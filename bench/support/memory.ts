// Peak memory of this process while a phase runs.
// - RSS: on Linux, the kernel's own high-water mark (VmHWM in /proc/self/status), reset to the
//   current RSS when the phase starts (writing 5 to /proc/self/clear_refs). It is exact, misses no
//   short peak and costs nothing. Elsewhere process.memoryUsage().rss is sampled every `intervalMs`
//   on a worker thread, which keeps sampling while the main thread is busy in a long synchronous
//   stretch, but is itself some 10 MB of RSS and can miss a peak between two samples.
// - V8 heap of the main thread: sampled on the main thread every `intervalMs` (a busy main thread
//   delays those samples).
import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { mb } from "./report";

/** Resets the kernel's peak RSS of this process to its current RSS; false where that is not possible. */
function resetKernelPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** A memory figure of /proc/<pid>/status ("VmRSS:   1234 kB") in bytes; null when it has none. */
function statusBytes(status: string, field: "VmHWM" | "VmRSS"): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** The kernel's peak RSS of this process (bytes) since it started or was last reset. */
function kernelPeakRss(): number {
  const bytes = statusBytes(readFileSync("/proc/self/status", "utf8"), "VmHWM");
  if (bytes === null) throw new Error("/proc/self/status has no VmHWM line");
  return bytes;
}

const SAMPLER = `
const { parentPort, workerData } = require("node:worker_threads");
let peak = 0;
const sample = () => { const rss = process.memoryUsage.rss(); if (rss > peak) peak = rss; };
sample();
const timer = setInterval(sample, workerData.intervalMs);
parentPort.on("message", (message) => {
  sample();
  if (message === "stop") { clearInterval(timer); parentPort.postMessage(peak); parentPort.close(); }
});
`;

export interface MemoryPeaks {
  /** RSS when the phase started (MB). */
  startRssMb: number;
  /** Highest RSS seen during the phase (MB). */
  peakRssMb: number;
  /** Highest V8 heap in use on the main thread (MB). */
  peakHeapMb: number;
  /** heapTotal at that point (MB): what V8 had reserved for the heap. */
  peakHeapTotalMb: number;
}

export class MemorySampler {
  private peakHeap = 0;
  private peakHeapTotal = 0;
  private readonly startRss = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    /** The RSS sampler, when the kernel's peak is not available. */
    private readonly worker: Worker | null,
    intervalMs: number,
  ) {
    this.sampleHeap();
    this.timer = setInterval(() => this.sampleHeap(), intervalMs);
  }

  static async start(intervalMs = 50): Promise<MemorySampler> {
    if (resetKernelPeakRss()) return new MemorySampler(null, intervalMs);
    const worker = new Worker(SAMPLER, { eval: true, workerData: { intervalMs } });
    await new Promise<void>((resolve, reject) => {
      worker.once("online", () => resolve());
      worker.once("error", reject);
    });
    return new MemorySampler(worker, intervalMs);
  }

  private sampleHeap(): void {
    const { heapUsed, heapTotal } = process.memoryUsage();
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
    if (heapTotal > this.peakHeapTotal) this.peakHeapTotal = heapTotal;
  }

  async stop(): Promise<MemoryPeaks> {
    clearInterval(this.timer);
    this.sampleHeap();
    const peakRss = this.worker ? await stopSampler(this.worker) : kernelPeakRss();
    return { startRssMb: mb(this.startRss), peakRssMb: mb(peakRss), peakHeapMb: mb(this.peakHeap), peakHeapTotalMb: mb(this.peakHeapTotal) };
  }
}

async function stopSampler(worker: Worker): Promise<number> {
  const peakRss = await new Promise<number>((resolve, reject) => {
    worker.once("message", (value: number) => resolve(value));
    worker.once("error", reject);
    worker.postMessage("stop");
  });
  await worker.terminate();
  return peakRss;
}

/** Runs `fn` and returns its result, its wall time (ms) and the memory peaks while it ran. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; memory: MemoryPeaks }> {
  const sampler = await MemorySampler.start();
  const t0 = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t0;
    return { result, ms, memory: await sampler.stop() };
  } catch (error) {
    await sampler.stop();
    throw error;
  }
}

/** Resident memory of another process (Linux: /proc/<pid>/status), in MB; null when unknown. */
export async function processRssMb(pid: number): Promise<number | null> {
  try {
    const bytes = statusBytes(await readFile(`/proc/${pid}/status`, "utf8"), "VmRSS");
    return bytes === null ? null : mb(bytes);
  } catch {
    return null;
  }
}
