// Ids of the rows a sync writes: UUID version 7 (RFC 9562), which begins with the time in
// milliseconds and then a counter, so ids made one after another sort one after another.
// A run inserts hundreds of thousands of rows: with random ids (version 4) every insert lands
// at a random place in each index on an id (primary keys, entityId), with these at the end of
// it. On SQLite that halves the time of the inserts. The time in an id is not secret: these ids
// are internal; what the public sees (a passport's public id, newPublicId) stays random.
// Random bytes come from a pool filled by the system's secure generator 64 KB at a time: one call
// per id cost a sync of 50,000 passports half a second.
import { randomFillSync } from "node:crypto";

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
  const r = randomBytes8();
  const bytes = [
    Math.floor(lastMs / 2 ** 40) & 0xff,
    Math.floor(lastMs / 2 ** 32) & 0xff,
    (lastMs >>> 24) & 0xff,
    (lastMs >>> 16) & 0xff,
    (lastMs >>> 8) & 0xff,
    lastMs & 0xff,
    0x70 | (counter >>> 8),
    counter & 0xff,
    0x80 | (randomPool[r] & 0x3f),
    randomPool[r + 1],
    randomPool[r + 2],
    randomPool[r + 3],
    randomPool[r + 4],
    randomPool[r + 5],
    randomPool[r + 6],
    randomPool[r + 7],
  ];
  // Written as ASCII into a buffer and read back in one piece: a flat string (joined pieces would
  // be a tree of ~450 bytes in V8, and a run keeps the ids of what it creates).
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // "-"
    const hex = HEX[bytes[i]];
    text[at++] = hex.charCodeAt(0);
    text[at++] = hex.charCodeAt(1);
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
