// Marks in a stream of records: when the engine took the first one and when it asked past the last
// (the engine merges batch by batch while it reads, so "done" is the end of its merge loop).
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
