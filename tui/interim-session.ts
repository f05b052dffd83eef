// tui/ layer: a minimal stand-in for lib/session.ts (see the session contract) so the view runs before the
// real session lands. Imports lib/ types only. It applies source events to the table, delivers change
// batches within an event-loop turn, refreshes on a cadence (a replay's capture paces itself) and stops
// when aborted. TODO(#8): delete once lib/session.ts is on main; lib/cli.ts then passes a Session instead.
import type { Enricher } from '../lib/enrich/index.js';
import type { FlowTable } from '../lib/flow-table.js';
import type { FlowSource } from '../lib/source.js';
import type { SessionLike, SessionOutputLike } from './ports.js';

/** What the interim session is built from; `ended` resolves when a replay reached the end of its capture. */
export interface InterimSessionOptions {
  source: FlowSource;
  table: FlowTable;
  intervalMs: number;
  signal: AbortSignal;
  warn: (message: string) => void;
  enricher?: Enricher | null;
  ended?: Promise<void>;
}

/** The session members the view uses, implemented in the simplest way that keeps the contract's timing. */
export class InterimSession implements SessionLike {
  readonly table: FlowTable;
  readonly enricher: Enricher | null;
  #intervalMs: number;
  #wake: (() => void) | null = null;
  #clockMs = 0;
  constructor(private readonly o: InterimSessionOptions) {
    this.table = o.table;
    this.enricher = o.enricher ?? null;
    this.#intervalMs = o.intervalMs;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  setInterval(ms: number): void {
    this.#intervalMs = ms;
    this.#wake?.();
  }

  refreshNow(): void {
    this.#wake?.();
  }

  async run(out: SessionOutputLike, opts: { stayAfterSourceEnd?: boolean } = {}): Promise<'aborted' | 'iterations' | 'source-ended' | 'output-closed'> {
    const { source, table, signal } = this.o;
    let queued = false;
    const deliver = () => {
      queued = false;
      const batch = table.drainChanges();
      if (batch.length > 0) void out.changes(batch);
    };
    let ended = false;
    this.o.ended?.then(() => (ended = true), () => (ended = true));
    const onAbort = () => this.#wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      await source.start((ev) => {
        if (ev.kind === 'dumpEnd') this.#clockMs = ev.atMs;
        table.apply(ev);
        if (!queued) {
          queued = true;
          setImmediate(deliver);
        }
      }, table);
      const refreshed = async () => {
        table.tick(this.#clockMs || Date.now());
        this.enricher?.tick();
        deliver();
        await out.refreshed(table.stats(), source.health);
      };
      await refreshed();
      while (!signal.aborted) {
        if (this.o.ended) {
          if (ended) break;
          await Promise.race([source.refresh(), this.o.ended.catch(() => undefined), new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
        } else {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, this.#intervalMs);
            function done(): void {
              clearTimeout(t);
              resolve();
            }
            this.#wake = done;
          });
          this.#wake = null;
          if (signal.aborted) break;
          await source.refresh();
        }
        await refreshed();
      }
      if (ended && !signal.aborted) {
        await refreshed();
        out.sourceEnded?.();
        if (opts.stayAfterSourceEnd) await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
      }
      return signal.aborted ? 'aborted' : 'source-ended';
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
