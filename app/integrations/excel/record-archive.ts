// The records a preview checked, kept for its commit: gzipped JSON lines, written while the
// records pass through the preview and read back one at a time, so neither side holds them all.
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import type { SourceRecord } from "../../sync/records";

export class RecordArchiver {
  private readonly gzip = createGzip();
  private readonly chunks: Buffer[] = [];

  constructor() {
    this.gzip.on("data", (chunk: Buffer) => this.chunks.push(chunk));
  }

  /**
   * Passes the records on and keeps a copy of each. It waits while the compressor is behind:
   * unwaited, the records' JSON piles up uncompressed in its queue (tens of MB for 10,000 products).
   */
  async *keep(records: AsyncIterable<SourceRecord>): AsyncGenerator<SourceRecord> {
    for await (const record of records) {
      if (!this.gzip.write(`${JSON.stringify(record)}\n`)) await once(this.gzip, "drain");
      yield record;
    }
  }

  /** The archive of every record kept. */
  async finish(): Promise<Buffer> {
    const ended = once(this.gzip, "end");
    this.gzip.end();
    await ended;
    return Buffer.concat(this.chunks);
  }
}

export async function* unpackRecords(archive: Uint8Array): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: Readable.from([archive]).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as SourceRecord;
}
