// lib/ layer: V8 heap settings of the conntop process, and conntopd's full collection on demand. Imports
// nothing: node:v8's and node:vm's functions are passed in by cli.ts and conntopd.ts.

/** The V8 flags tuneHeap sets on the running process, in order (each is explained there). */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--memory-reducer-single-gc'] as const;

/**
 * Sets HEAP_FLAGS on the running V8. Each is read when it applies, not only at start (node 20.20, V8 11.3:
 * checked with a GC observer); on a V8 that read one only at start, it is a no-op.
 * - `--semi-space-growth-factor=1` keeps the young generation at its initial size (semispaces of 1 MiB)
 *   instead of letting it double up to 16 MiB ones. Why: loading a big table makes every young object survive
 *   (they are the flows), so V8 grows the young generation to its maximum, 32 MiB, and never shrinks it again
 *   once the refresh fast path makes the table allocate almost nothing: 50k flows idled at 146 MiB RSS,
 *   118-121 MiB with this (start-up and steady CPU within run-to-run noise).
 * - `--memory-reducer-single-gc`: once a loaded table goes quiet (8 s after start-up's last full collection),
 *   V8's memory reducer collects the whole heap, then again twice at half-second gaps while it reckons that
 *   more could come back. A loaded table leaves its garbage to the first of these: the idle view at 50k flows
 *   spent 16-26 ms/s on V8's helper threads over those 10 s, against 12-15 with one collection, at the same
 *   RSS (107-109 MiB); the three collections paused the main thread 5.6-6.9 ms each.
 */
export function tuneHeap(setFlags: (flags: string) => void): void {
  for (const f of HEAP_FLAGS) setFlags(f);
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
