// lib/ layer: one running session, the loop every output stands on (JSON lines, the screen, the server):
// it starts the source, applies its events to the table, delivers the table's changes within milliseconds,
// keeps the refresh cadence and --iterations, ends the source on abort and reports notices to a sink.
// Imports lib/ only (no kernel, no streams): sources, clocks, outputs and the abort signal are passed in.
import type { Enricher } from './enrich/index.js';
import type { FlowChange, FlowTable, TableStats } from './flow-table.js';
import { MAX_TIMER_MS, abortableSleep, nextTurn } from './sleep.js';
import type { DumpShortcut, FlowSource, SourceEvent, SourceHealth } from './source.js';

/** What a session is built from; durations in ms. */
export interface SessionOptions {
  source: FlowSource;
  /** The live table (trackChanges: true). The session applies every source event to it. */
  table: FlowTable;
  /** Refresh interval in ms (the kernel is dumped this often; a replay's capture decides instead). */
  intervalMs: number;
  /** Stop after N refreshes, the initial dump being the first (undefined: never; 0 counts as 1). */
  iterations?: number;
  /** Aborting it ends the session promptly (< 1 s) whatever it waits for: the source is closed. */
  signal: AbortSignal;
  /** Warnings and notes for the user (stderr in JSON modes, the status bar in the view). */
  warn: (message: string) => void;
  /** Optional enrichment, ticked once per refresh; views enrich only the rows they show. */
  enricher?: Enricher | null;
  /** Epoch-ms clock for the refresh cadence (injected in tests). */
  now?: () => number;
  /** The dump shortcut the source may use (default: the table's own; null: every copy is decoded, for tests). */
  shortcut?: DumpShortcut | null;
  /**
   * Tick the table in steps of this many open flows, one event-loop turn each (FlowTable.tickInSteps), so that
   * input is read between them: the interactive view. Undefined: one step (the JSON outputs, the server).
   */
  tickStepRows?: number;
}

/** What an output (JSON lines, the screen, the server) receives. May return a promise: the session then
 *  waits for it before delivering more (backpressure), while the table keeps following the source. */
export interface SessionOutput {
  /** Changes since the last call, delivered within milliseconds of the source events that caused them
   *  (batched over a couple of ms) and after each refresh. `live` objects are the table's current objects;
   *  `flow` is the flow as the change described it (see FlowChange); a 'new' change never carries closed/reason.
   *  Read what you need before returning: afterwards the table goes on changing these objects. */
  changes(batch: readonly FlowChange[]): void | Promise<void>;
  /**
   * The most flows' changes one `changes` call takes (default: all that are queued). An output that may have
   * to wait for its reader takes them in slices: what it has not taken stays in the table's queue, coalescing,
   * instead of being serialized ahead of the reader.
   */
  readonly maxBatch?: number;
  /** After each refresh (dump applied, table ticked, its changes delivered): table statistics, source health,
   *  and the source's clock (epoch ms at the end of that dump). */
  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void>;
  /** The source ended (a replay reached the end of its capture). The table stays as it was. */
  sourceEnded?(): void;
  /** True once the output can take nothing more (its reader left, or a write failed): the session stops. */
  readonly closed?: boolean;
  /** Registers `fn` to run when `closed` turns true: the session then stops at once, not at its next refresh. */
  onClose?(fn: () => void): void;
}

/** Why Session.run returned. */
export type SessionEnd = 'aborted' | 'iterations' | 'source-ended' | 'output-closed';

/** How long the first change of a batch waits for more before the batch is delivered, in ms. */
const DELIVERY_MS = 2;

/** The shortest refresh interval the session keeps, in ms: below it, refreshes would run back to back. */
export const MIN_INTERVAL_MS = 10;

/** Rejected when a wait ended because the session was aborted. */
const ABORTED = Symbol('aborted');

/**
 * One running session. run() starts the source and returns why it stopped; outputs receive changes as they
 * happen and statistics after each refresh. The table is public so views can read it between deliveries.
 */
export class Session {
  readonly table: FlowTable;
  readonly enricher: Enricher | null;
  private readonly source: FlowSource;
  private readonly signal: AbortSignal;
  private readonly warn: (message: string) => void;
  private readonly now: () => number;
  private readonly iterations: number | undefined;
  private readonly shortcut: DumpShortcut | undefined;
  private readonly tickStepRows: number | undefined;
  private interval: number;
  /** The source's clock: epoch ms at the end of the latest dump (recorded time in a replay). */
  private clockMs = 0;
  private out: SessionOutput | null = null;
  /** Wakes the cadence sleep (setInterval, refreshNow, abort). */
  private waker = new AbortController();
  private dueNow = false;
  private deliveryQueued = false;
  private delivering: Promise<void> | null = null;

  constructor(opts: SessionOptions) {
    this.source = opts.source;
    this.table = opts.table;
    this.enricher = opts.enricher ?? null;
    this.signal = opts.signal;
    this.warn = opts.warn;
    this.now = opts.now ?? Date.now;
    this.iterations = opts.iterations === undefined ? undefined : Math.max(1, opts.iterations);
    this.shortcut = opts.shortcut === null ? undefined : (opts.shortcut ?? opts.table);
    this.tickStepRows = opts.tickStepRows;
    this.interval = clampInterval(opts.intervalMs);
  }

  /** Current refresh interval in ms. */
  get intervalMs(): number {
    return this.interval;
  }

  /** Changes the refresh interval (clamped to at least MIN_INTERVAL_MS); the current wait is recomputed. */
  setInterval(ms: number): void {
    this.interval = clampInterval(ms);
    this.wake();
  }

  /** Asks for a refresh now (the view after a resume, a resync). */
  refreshNow(): void {
    this.dueNow = true;
    this.wake();
  }

  /**
   * Runs until aborted, until `iterations` refreshes, until the output closes, or (unless stayAfterSourceEnd)
   * until the source ended. Rejects when the source fails (an unreadable capture, a dump error).
   */
  async run(out: SessionOutput, opts: { stayAfterSourceEnd?: boolean } = {}): Promise<SessionEnd> {
    if (this.out) throw new Error('Session.run called twice');
    this.out = out;
    const { signal, source } = this;
    const onAbort = (): void => {
      source.close(); // ends every wait inside the source (a dump in flight, a replay's pacing)
      this.wake();
    };
    signal.addEventListener('abort', onAbort);
    out.onClose?.(() => this.wake());
    let ended = false;
    const endedP = source.ended.then(() => {
      ended = true;
    });
    endedP.catch(() => undefined);
    try {
      if (signal.aborted) return 'aborted';
      if ((await this.unlessAborted(source.start((ev) => this.onEvent(ev), this.shortcut))) === ABORTED) return this.abortEnd();
      let cycleStart = this.now();
      for (let refreshes = 1; ; refreshes++) {
        if (signal.aborted) return this.abortEnd();
        await this.refreshed();
        if (out.closed) return 'output-closed';
        if (signal.aborted) return this.abortEnd();
        if (this.iterations !== undefined && refreshes >= this.iterations) return 'iterations';
        if (ended) return await this.sourceEnd(opts.stayAfterSourceEnd);
        if (source.schedulesRefreshes) {
          // The capture decides: its next dump, or its end (whatever played after the last dump is reported).
          if ((await this.unlessAborted(Promise.race([source.refresh(), endedP]))) === ABORTED) return this.abortEnd();
          if (ended) {
            await endedP; // rethrows a failed capture
            return await this.sourceEnd(opts.stayAfterSourceEnd);
          }
        } else {
          // A steady cadence: the interval runs from the start of one refresh to the start of the next.
          await this.sleepUntilDue(cycleStart);
          if (signal.aborted) return this.abortEnd();
          if (out.closed) return 'output-closed';
          cycleStart = this.now();
          if ((await this.unlessAborted(source.refresh())) === ABORTED) return this.abortEnd();
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private onEvent(ev: SourceEvent): void {
    if (ev.kind === 'notice') {
      this.warn(ev.message);
      return;
    }
    this.table.apply(ev);
    if (ev.kind === 'dumpEnd') this.clockMs = ev.atMs;
    else if (ev.kind === 'new' || ev.kind === 'update' || ev.kind === 'destroy' || ev.kind === 'overflow') this.queueDelivery();
  }

  /**
   * Delivers within DELIVERY_MS: every event read meanwhile shares one batch. Not on the next turn unless the
   * source batches its reads: at a few thousand events a second each event is then a wake-up of its own, and a
   * delivery per wake-up (an immediate, a batch, a line write) cost more than the event itself.
   */
  private queueDelivery(): void {
    if (this.deliveryQueued) return;
    this.deliveryQueued = true;
    // A source that reads its events in batches (one wake-up per burst) gets one delivery per turn, right
    // after the read: a timer would be one more wake-up per burst.
    if (this.source.batchesEvents) setImmediate(this.onTurn);
    else setTimeout(this.onTurn, DELIVERY_MS);
  }

  /**
   * The queued turn's delivery. While the output takes each batch at once it runs synchronously: an async
   * delivery per turn (its promises, closures and the immediate's closure) was a third of what an event
   * allocated in a storm. A delivery under way takes these changes too (it loops until none are left).
   */
  private readonly onTurn = (): void => {
    this.deliveryQueued = false;
    if (this.delivering) return;
    let wait: Promise<void> | undefined;
    try {
      wait = this.deliverNow();
    } catch {
      return; // a failing output surfaces at the next refresh
    }
    // Not a catch on `delivering` per turn: each would hang one more reaction on a promise a stuck reader
    // never settles (a leak per turn). One, when the delivery starts waiting.
    if (wait) this.waitToDeliver(wait).catch(() => undefined);
  };

  /** Hands queued changes to the output until none are left or it asks to wait (its promise is returned). */
  private deliverNow(): Promise<void> | undefined {
    const out = this.out!;
    while (this.table.pendingChanges > 0 && !this.signal.aborted && !out.closed) {
      const r = out.changes(this.table.drainChanges(out.maxBatch));
      if (r) return r;
    }
    return undefined;
  }

  /** Hands queued changes to the output until none are left; one delivery at a time, waiting on backpressure. */
  private deliver(): Promise<void> {
    if (this.delivering) return this.delivering;
    try {
      const wait = this.deliverNow();
      return wait ? this.waitToDeliver(wait) : Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The rest of a delivery once the output asked to wait: `delivering` until nothing is left. */
  private waitToDeliver(first: Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        for (let wait: Promise<void> | undefined = first; wait; wait = this.deliverNow()) {
          if ((await this.unlessAborted(wait)) === ABORTED) return;
        }
      } finally {
        this.delivering = null;
      }
    };
    // run() stops at its first await, so `delivering` is set before its finally can clear it.
    this.delivering = run();
    return this.delivering;
  }

  /** After a dump: tick the table and the enricher, deliver the dump's changes, then its statistics. */
  private async refreshed(): Promise<void> {
    if (this.tickStepRows === undefined) this.table.tick(this.clockMs);
    else {
      const steps = this.table.tickInSteps(this.clockMs, this.tickStepRows);
      while (!steps.next().done) if ((await this.unlessAborted(nextTurn())) === ABORTED) return;
    }
    this.enricher?.tick();
    // A delivery in progress may have started before the dump's changes were queued: wait, then deliver the rest.
    while (this.delivering) if ((await this.unlessAborted(this.delivering)) === ABORTED) return;
    await this.deliver();
    if (this.signal.aborted || this.out!.closed) return;
    const r = this.out!.refreshed(this.table.stats(), this.source.health, this.clockMs);
    if (r) await this.unlessAborted(r);
  }

  private async sourceEnd(stay: boolean | undefined): Promise<SessionEnd> {
    await this.refreshed();
    this.out!.sourceEnded?.();
    if (!stay) return 'source-ended';
    while (!this.signal.aborted) await abortableSleep(Number.POSITIVE_INFINITY, this.signal);
    return 'aborted';
  }

  /** On abort: hand over what is queued without waiting for the output (a stuck reader must not hold the stop). */
  private abortEnd(): SessionEnd {
    const out = this.out!;
    if (this.table.pendingChanges > 0 && !out.closed) void Promise.resolve(out.changes(this.table.drainChanges())).catch(() => undefined);
    return 'aborted';
  }

  /** Sleeps until cycleStart + interval (re-read after every wake-up), refreshNow() or abort. */
  private async sleepUntilDue(cycleStart: number): Promise<void> {
    while (!this.signal.aborted && !this.dueNow && !this.out!.closed) {
      const left = cycleStart + this.interval - this.now();
      if (left <= 0) break;
      await abortableSleep(left, this.waker.signal);
      if (this.waker.signal.aborted) this.waker = new AbortController();
    }
    this.dueNow = false;
  }

  private wake(): void {
    this.waker.abort();
  }

  /** Resolves with p's value, or with ABORTED as soon as the session's signal aborts (p's later failure is ignored). */
  private unlessAborted<T>(p: Promise<T> | T): Promise<T | typeof ABORTED> {
    const { signal } = this;
    if (signal.aborted) {
      Promise.resolve(p).catch(() => undefined);
      return Promise.resolve(ABORTED);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve(p).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) resolve(ABORTED);
          else reject(e);
        },
      );
    });
  }
}

/** A refresh interval a timer can take: at least MIN_INTERVAL_MS (NaN too), at most Node's timer limit. */
function clampInterval(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(MIN_INTERVAL_MS, ms || 0));
}
