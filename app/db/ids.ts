// Ids of the rows a sync writes: UUID version 7 (RFC 9562), which begins with the time in
// milliseconds and then a counter, so ids made one after another sort one after another.
// A run inserts hundreds of thousands of rows: with random ids (version 4) every insert lands
// at a random place in each index on an id (primary keys, entityId), with these at the end of
// it. On SQLite that halves the time of the inserts. The time in an id is not secret: these ids
// are internal; what the public sees (a passport's public id, newPublicId) stays random.
// Random bytes come from a pool filled by the system's secure generator 64 KB at a time: one call
// per id cost a sync of 50,000 passports half a second.
import { createHash, randomFillSync } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_IDS = 8192;
const randomPool = Buffer.alloc(POOL_IDS * 8);
let poolOffset = randomPool.length;
const text = Buffer.alloc(36);

let lastMs = 0;
/** rand_a (12 bits), counted up within a millisecond (RFC 9562 §6.2, method 1). */
let counter = 0;

function randomBytes8(): number {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 8;
  return at;
}

/** A new UUID version 7; later calls in this process give greater ids. */
export function newRowId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = randomPool[randomBytes8()] & 0x3ff; // a random start leaves room to count up
  } else if (++counter > 0xfff) {
    lastMs++; // more than 4,096 ids in one millisecond: borrow the next one
    counter = 0;
  }
  return uuidV7(lastMs, counter, randomPool, randomBytes8());
}

/**
 * A UUID version 7 of the start of a millisecond: its counter is 0, where the ids made in that
 * millisecond start counting at a random number (newRowId), so it sorts before them. Its other bits
 * come from `seed` (sha256): the same seed and millisecond always give the same id. A value's
 * first write gets its history id from this (fieldHistory): it sorts before the changes made in
 * the same millisecond, which follow it.
 */
export function rowIdAt(ms: number, seed: string): string {
  return uuidV7(ms, 0, createHash("sha256").update(seed).digest(), 0);
}

/** UUID version 7 text: the millisecond, a 12-bit counter and 62 bits of `random` from `at`. */
function uuidV7(ms: number, counter: number, random: Buffer, at: number): string {
  const bytes = [
    Math.floor(ms / 2 ** 40) & 0xff,
    Math.floor(ms / 2 ** 32) & 0xff,
    (ms >>> 24) & 0xff,
    (ms >>> 16) & 0xff,
    (ms >>> 8) & 0xff,
    ms & 0xff,
    0x70 | (counter >>> 8),
    counter & 0xff,
    0x80 | (random[at] & 0x3f),
    random[at + 1],
    random[at + 2],
    random[at + 3],
    random[at + 4],
    random[at + 5],
    random[at + 6],
    random[at + 7],
  ];
  // Written as ASCII into a buffer and read back in one piece: a flat string (joined pieces would
  // be a tree of ~450 bytes in V8, and a run keeps the ids of what it creates).
  let pos = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[pos++] = 0x2d; // "-"
    const hex = HEX[bytes[i]];
    text[pos++] = hex.charCodeAt(0);
    text[pos++] = hex.charCodeAt(1);
  }
  return text.toString("latin1");
}

const publicIdBytes = Buffer.alloc(16);

/** A passport's public id: 128 random bits, URL-safe (base64url, 22 characters): unguessable, and short enough for a QR code. */
export function newPublicId(): string {
  let at = randomBytes8();
  randomPool.copy(publicIdBytes, 0, at, at + 8);
  at = randomBytes8(); // (may refill the pool: the first half is copied already)
  randomPool.copy(publicIdBytes, 8, at, at + 8);
  return publicIdBytes.toString("base64url");
}
