// lib/ layer: conntopd's follow loop: the kernel (or a capture) into the live table, the table's changes and
// refreshes to the server, and the sleep mode (with no client: no dumps, no event socket, sysctls restored,
// the table emptied; the next client wakes it). Imports lib/ only; the server is passed in by its shape.
import type { FlowTable, FlowChange, TableStats } from './flow-table.js';
import { Session, type SessionOutput } from './session.js';
import type { FlowSource, SourceHealth } from './source.js';

/** What the loop needs of the server (server/server.ts ConntopServer has it). */
export interface ServedOutput {
  changes(batch: readonly FlowChange[]): void;
  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void;
  /** Clients whose handshake is done. */
  readonly clientCount: number;
  /** Resolves once a client has completed its handshake (at once if one has), or when `signal` aborts. */
  nextClient(signal: AbortSignal): Promise<void>;
  /** Marks the server asleep: new clients wait (after their handshake) until woke(). */
  sleep(): void;
  /** The table is exact again: waiting clients get their snapshot. */
  woke(): void;
}

/** What the loop needs of a process lookup (lib/process-share.ts ProcessShare, with --share-processes). */
export interface ServedProcesses {
  changes(batch: readonly FlowChange[]): void;
  tick(): Promise<void>;
  /** Looks up everything waiting, for at most `maxMs`. */
  settle(maxMs: number): Promise<void>;
  clear(): void;
}

/** How long a waking server with --share-processes looks up its table's processes before the first snapshot (ms). */
const PROCESS_SETTLE_MS = 2000;

/** The loop's settings and effects. */
export interface ServeLoopOptions {
  table: FlowTable;
  server: ServedOutput;
  /** Opens the source (kernel or capture) anew on each wake. */
  open: () => { source: FlowSource; finish: () => void };
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
  /** --share-processes: new flows' processes are looked up once per refresh and sent to clients. */
  processes?: ServedProcesses;
}

/**
 * Runs until the signal aborts (or `iterations` refreshes): each wake is one Session over a freshly opened
 * source, aborted when the last client has left (sleep mode); the source is closed on return.
 */
export async function serveLoop(o: ServeLoopOptions): Promise<void> {
  const { table, server, signal } = o;
  let refreshes = 0;
  if (o.sleepWhenIdle) {
    server.sleep();
    o.log('asleep until a client connects (no dumps, no events)');
  }
  while (!signal.aborted && (o.iterations === undefined || refreshes < o.iterations)) {
    if (o.sleepWhenIdle && server.clientCount === 0) {
      await server.nextClient(signal);
      if (signal.aborted) break;
    }
    o.sysctlsOn();
    const cur = o.open();
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort);
    let first = true;
    let idle = false;
    const session = new Session({
      source: cur.source, table, intervalMs: o.intervalMs, signal: stop.signal, warn: o.log,
      iterations: o.iterations === undefined ? undefined : o.iterations - refreshes,
    });
    const out: SessionOutput = {
      changes: (batch) => {
        server.changes(batch);
        o.processes?.changes(batch);
      },
      refreshed: (stats, health, atMs) => {
        refreshes++;
        server.refreshed(stats, health, atMs);
        if (first) {
          first = false;
          if (o.sleepWhenIdle) o.log('a client connected: awake');
          // The table is exact: waiting clients get their snapshot (with the processes, when shared, found first).
          if (o.processes) void o.processes.settle(PROCESS_SETTLE_MS).then(() => { if (!stop.signal.aborted) server.woke(); });
          else server.woke();
        } else void o.processes?.tick();
      },
    };
    // Checked on a timer, not per refresh: a replay that reached its end refreshes no more.
    const watch = setInterval(() => {
      if (!o.sleepWhenIdle || first || server.clientCount > 0) return;
      idle = true;
      stop.abort();
    }, Math.max(100, Math.min(o.intervalMs, 1000)));
    try {
      const end = await session.run(out, { stayAfterSourceEnd: true });
      if (end === 'iterations') break;
    } finally {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      cur.finish();
    }
    if (!idle) break;
    o.sysctlsOff();
    o.processes?.clear();
    // An empty complete dump closes every flow: the table (and the server's per-flow state) is freed.
    table.apply({ kind: 'dumpBegin', atMs: Date.now() });
    table.apply({ kind: 'dumpEnd', atMs: Date.now(), complete: true });
    table.drainChanges();
    server.sleep();
    o.log('no client left: asleep (no dumps, no events, sysctls restored)');
  }
}
