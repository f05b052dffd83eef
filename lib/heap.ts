// lib/ layer: V8 heap settings of the conntop process, and conntopd's full collection on demand. Imports
// nothing: node:v8's and node:vm's functions are passed in by cli.ts and conntopd.ts.

/**
 * Keeps V8's young generation at its initial size (semispaces of 1 MiB) instead of letting it double up to
 * 16 MiB ones. Why: loading a big table makes every young object survive (they are the flows), so V8 grows
 * the young generation to its maximum, 32 MiB, and never shrinks it again once the refresh fast path makes
 * the table allocate almost nothing: 50k flows idled at 146 MiB RSS, 118-121 MiB with this (node 20.20,
 * V8 11.3; start-up and steady CPU within run-to-run noise). The flag is read each time the space would
 * grow, so setting it after start works; on a V8 that read it only at start this is a no-op.
 */
export function keepYoungGenerationSmall(setFlags: (flags: string) => void): void {
  setFlags('--semi-space-growth-factor=1');
}

/**
 * A full garbage collection on demand, at most once per `minGapMs`: for the moments conntopd knows that
 * much of its heap just became garbage (the last client left; asleep, its table emptied). Why: V8 grows the
 * old generation's limit with the heap, so after a 100k-flow table and its clients the garbage stayed for
 * 20-30 s (until V8's memory reducer ran) at 400-490 MiB RSS, asleep; one collection brings it back to the
 * start-up size. V8 offers gc() only with --expose-gc: the flag is set now and the function taken from a new
 * context (the main one was made without it). Returns a no-op when the engine offers none.
 */
export function fullCollector(setFlags: (flags: string) => void, runInNewContext: (code: string) => unknown, now: () => number, minGapMs = 5000): () => void {
  setFlags('--expose-gc');
  const gc = runInNewContext('gc');
  if (typeof gc !== 'function') return () => undefined;
  let lastMs = -Infinity;
  return () => {
    const t = now();
    if (t - lastMs < minGapMs) return;
    lastMs = t;
    (gc as () => void)();
  };
}
