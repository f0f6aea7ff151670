// Peak memory of this process while a phase runs. process.memoryUsage().rss is sampled every
// `intervalMs` on a worker thread (RSS is process-wide, and the worker keeps sampling while the
// main thread is busy in a long synchronous stretch); the V8 heap of the main thread is sampled on
// the main thread at the same interval (a busy main thread delays those samples).
import { Worker } from "node:worker_threads";
import { mb } from "./report";

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
    private readonly worker: Worker,
    intervalMs: number,
  ) {
    this.sampleHeap();
    this.timer = setInterval(() => this.sampleHeap(), intervalMs);
  }

  static async start(intervalMs = 50): Promise<MemorySampler> {
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
    const peakRss = await new Promise<number>((resolve, reject) => {
      this.worker.once("message", (value: number) => resolve(value));
      this.worker.once("error", reject);
      this.worker.postMessage("stop");
    });
    await this.worker.terminate();
    return { startRssMb: mb(this.startRss), peakRssMb: mb(peakRss), peakHeapMb: mb(this.peakHeap), peakHeapTotalMb: mb(this.peakHeapTotal) };
  }
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
    const { readFile } = await import("node:fs/promises");
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}
