// Marks in a stream of records: when the engine took the first one and when it asked past the last.
// The engine reads a batch, then merges and writes it, so "done" is when its last batch was read:
// that batch's merge and write come after.
import type { SourceBatch } from "../../app/sync/records";
import { BENCH_SHOP } from "./env";
import { measure } from "./memory";
import { formatCount, progress } from "./report";

export interface StreamMarks {
  startedAt: number;
  firstAt: number | null;
  doneAt: number | null;
  records: number;
  variants: number;
}

export function newMarks(): StreamMarks {
  return { startedAt: performance.now(), firstAt: null, doneAt: null, records: 0, variants: 0 };
}

export async function* tapRecords<T extends { variants: readonly unknown[] }>(
  records: AsyncIterable<T> | Iterable<T>,
  marks: StreamMarks,
  onProgress?: (records: number, variants: number) => void,
  every = 2000,
): AsyncGenerator<T> {
  for await (const record of records) {
    marks.firstAt ??= performance.now();
    marks.records++;
    marks.variants += record.variants.length;
    if (onProgress && marks.records % every === 0) onProgress(marks.records, marks.variants);
    yield record;
  }
  marks.doneAt = performance.now();
}

/**
 * One executeSync run of the benchmark shop, measured (time, memory), with marks on its record
 * stream from the moment the engine asks the source for its batch. The app's modules load on
 * first use: the benchmark has configured the environment by then.
 */
export async function measuredSync(label: string, integrationId: string, source: () => Promise<SourceBatch>) {
  const { executeSync } = await import("../../app/sync/engine.server");
  const marks = newMarks();
  const run = await measure(() =>
    executeSync({
      shop: BENCH_SHOP,
      integrationId,
      trigger: "manual",
      source: async () => {
        marks.startedAt = performance.now();
        const batch = await source();
        return { ...batch, records: tapRecords(batch.records, marks, (n) => progress(`${label}: ${formatCount(n)} products read, merged and written`)) };
      },
    }),
  );
  return { ...run, marks };
}
