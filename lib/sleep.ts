// lib/ layer: the one abortable wait every loop uses (the session's refresh cadence, a replay's pacing), with
// its duration clamped to what a Node timer accepts, and the wait for the next event-loop turn. No state of its own.

/** The longest a timer may be asked to wait (Node's limit, 2^31-1 ms): beyond it Node warns and fires at once. */
export const MAX_TIMER_MS = 0x7fffffff;

/** Resolves in the next event-loop turn, after the I/O that is ready (setImmediate, not a microtask). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits `ms` (clamped to [0, MAX_TIMER_MS]; NaN counts as 0) or until `signal` aborts, whichever comes first. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, ms || 0)));
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
