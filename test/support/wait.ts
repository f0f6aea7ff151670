// Waiting in tests for something that happens on its own time (a thread, a queue, a server).

/** Polls `probe` until it gives a truthy value, and returns it; throws after `ms` milliseconds, naming `what`. */
export async function until<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms = 30_000, what = "condition"): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
