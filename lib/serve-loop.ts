// lib/ layer: conntopd's follow loop: the kernel (or a capture) into the live table, the table's changes and
// refreshes to the server, and the sleep mode (with no client: no dumps, no event socket, sysctls restored,
// the table emptied; the next client wakes it). Imports lib/ only; the server is passed in by its shape.
// TODO(#11): the refresh cadence moves to lib/session.ts's Session once it is on main; the sleep logic stays.
import type { FlowTable, FlowChange, TableStats } from './flow-table.js';
import type { FlowSource, SourceHealth } from './source.js';

/** What the loop needs of the server (server/server.ts ConntopServer has it). */
export interface ServedOutput {
  changes(batch: readonly FlowChange[]): void;
  refreshed(stats: TableStats, health: SourceHealth): void;
  /** Clients whose handshake is done. */
  readonly clientCount: number;
  /** Resolves once a client has completed its handshake (at once if one has), or when `signal` aborts. */
  nextClient(signal: AbortSignal): Promise<void>;
  /** Marks the server asleep: new clients wait (after their handshake) until woke(). */
  sleep(): void;
  /** The table is exact again: waiting clients get their snapshot. */
  woke(): void;
}

/** The loop's settings and effects. */
export interface ServeLoopOptions {
  table: FlowTable;
  server: ServedOutput;
  /** Opens the source (kernel or capture) anew on each wake; `done` settles when a capture ends. */
  open: () => { source: FlowSource; finish: () => void; done?: Promise<unknown> };
  /** Turns the sysctls on (each wake) and restores them (each sleep). */
  sysctlsOn: () => void;
  sysctlsOff: () => void;
  intervalMs: number;
  /** Sleep with no client (default true). */
  sleepWhenIdle: boolean;
  /** Stop after this many refreshes. */
  iterations?: number;
  signal: AbortSignal;
  log: (message: string) => void;
}

/** Runs until the signal aborts (or `iterations` refreshes); the source is closed on return. */
export async function serveLoop(o: ServeLoopOptions): Promise<void> {
  const { table, server, signal } = o;
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    server.changes(table.drainChanges());
  };
  // In an object: TypeScript would narrow a plain `let` to null here, not seeing the closures assign it.
  const st: { cur: ReturnType<ServeLoopOptions['open']> | null } = { cur: null };
  let ended = false;
  const wake = async (): Promise<void> => {
    o.sysctlsOn();
    st.cur = o.open();
    ended = false;
    st.cur.done?.then(() => (ended = true), () => (ended = true));
    await st.cur.source.start((ev) => {
      table.apply(ev);
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush); // one batch per event-loop turn
      }
    }, table);
    refreshed();
  };
  const refreshed = (): void => {
    table.tick(Date.now());
    flush();
    server.refreshed(table.stats(), st.cur!.source.health);
  };
  const fallAsleep = (): void => {
    st.cur?.finish();
    st.cur = null;
    o.sysctlsOff();
    // An empty complete dump closes every flow: the table (and the server's per-flow state) is freed.
    table.apply({ kind: 'dumpBegin', atMs: Date.now() });
    table.apply({ kind: 'dumpEnd', atMs: Date.now(), complete: true });
    table.drainChanges();
    server.sleep();
  };
  try {
    if (o.sleepWhenIdle) {
      server.sleep();
      o.log('asleep until a client connects (no dumps, no events)');
    } else await wake();
    let n = 0;
    while (!signal.aborted && (o.iterations === undefined || n < o.iterations)) {
      if (o.sleepWhenIdle && server.clientCount === 0) {
        if (st.cur) {
          fallAsleep();
          o.log('no client left: asleep (no dumps, no events, sysctls restored)');
        }
        await server.nextClient(signal);
        if (signal.aborted) break;
        await wake();
        server.woke();
        o.log('a client connected: awake');
        continue;
      }
      const started = Date.now();
      const c = st.cur!;
      if (c.done) {
        if (ended) await sleep(o.intervalMs, signal);
        else await Promise.race([c.source.refresh(), c.done.catch(() => undefined)]);
      } else {
        await sleep(o.intervalMs, signal);
        if (signal.aborted) break;
        await c.source.refresh();
      }
      if (st.cur !== c) continue;
      refreshed();
      n++;
      if (c.done && !ended) await sleep(Math.max(0, started + o.intervalMs - Date.now()), signal);
    }
  } finally {
    st.cur?.finish();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
