// The records a preview checked, kept for its commit: gzipped JSON lines, written while the
// records pass through the preview and read back one at a time, so neither side holds them all.
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import type { SourceRecord } from "../../sync/records";

/**
 * Records go to the compressor in pieces of about this many characters. zlib compresses each
 * write as a job of its own on libuv's thread pool: one write per record was 10,000 jobs for
 * 10,000 products, and the preview spent seconds waiting for them between records.
 */
const PIECE_CHARS = 64 * 1024;
/**
 * The preview goes on while the compressor has up to this much queued, and waits beyond it: the
 * compressor runs on another thread, and unwaited the records' JSON would pile up in its queue
 * (tens of MB for 10,000 products).
 */
const MAX_QUEUED_BYTES = 1024 * 1024;

export class RecordArchiver {
  private readonly gzip = createGzip();
  private readonly chunks: Buffer[] = [];

  constructor() {
    this.gzip.on("data", (chunk: Buffer) => this.chunks.push(chunk));
  }

  /** Passes the records on and keeps a copy of each. */
  async *keep(records: AsyncIterable<SourceRecord>): AsyncGenerator<SourceRecord> {
    let piece = "";
    for await (const record of records) {
      piece += `${JSON.stringify(record)}\n`;
      if (piece.length >= PIECE_CHARS) {
        await this.write(piece);
        piece = "";
      }
      yield record;
    }
    if (piece) await this.write(piece);
  }

  private async write(text: string): Promise<void> {
    this.gzip.write(text);
    if (this.gzip.writableLength > MAX_QUEUED_BYTES) await once(this.gzip, "drain");
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
