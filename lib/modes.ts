// lib/ layer: the command-line modes (--events; --once is lib/once.ts) built from a FlowSource, a FlowTable and the
// outputs. Imports lib/ and node: builtins only (lib/kernel/ is the netlink boundary). Streams are passed in.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { KernelSource, NETLINK_NETFILTER, ReplaySource, SockDiagLookup, openRecorder, type KernelDumpFilter, type SocketOpener, type WireRecord } from './kernel/index.js';
import type { Enricher } from './enrich/index.js';
import { EventsOutput } from './events-output.js';
import { LineWriter, flowJson } from './output.js';
import { Session } from './session.js';
import type { FlowFilter, FlowSource } from './source.js';
import { FlowTable } from './flow-table.js';
import { SysctlGuard, procSysctl, withRmemMax } from './sysctl.js';

/** Everything the command line decides. */
export interface RunOptions {
  mode: 'once' | 'events' | 'live';
  json: boolean;
  /** With --json: add an `enrich` object to each flow line. */
  enrich: boolean;
  delaySec: number;
  filter: FlowFilter;
  dumpFilter: KernelDumpFilter;
  record?: string;
  replay?: string;
  speed: number;
  lingerSec: number;
  rcvbufBytes: number;
  sysctl: boolean;
  dns: boolean;
  geoip: boolean;
  geoipDir?: string;
  services: boolean;
  processes: boolean;
  iterations?: number;
  /** Interactive view: mouse reporting (--no-mouse turns it off). */
  mouse?: boolean;
  /** Interactive view: --metrics ADDRESS:PORT, a Prometheus endpoint on the table. */
  metrics?: { host: string; port: number };
  /** --once text table: no width limit (else the terminal's width, or 80 columns when not a terminal). */
  wide?: boolean;
  /** conntop --connect: a server to follow instead of the kernel (the composition root builds its source). */
  remote?: RemoteTarget;
  /** Every --connect server, `remote` first: with more than one, their flows share one table, tagged with `host`. */
  remotes?: RemoteTarget[];
}

/** A conntop server to connect to, and how to trust it (paths as given on the command line). */
export interface RemoteTarget {
  host: string;
  port: number;
  authFile?: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

/** The process's streams and environment, passed in so tests can run modes in-process. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Sysctls changed for this run; the caller restores them on every exit path. */
  sysctls: SysctlGuard;
  /** Aborted on SIGINT, SIGTERM and SIGHUP: modes stop at once and return. */
  signal: AbortSignal;
  /** `conntopd --user`: the kernel's sockets come from the root process (lib/kernel/privsep.ts). */
  openSocket?: SocketOpener;
  /** With opts.remote: builds the server's client source (server/ is the composition root's to import). */
  openRemote?: () => { source: FlowSource; finish: () => void; record?: undefined };
  /** A full garbage collection (lib/heap.ts fullCollector), for when much of the heap just became garbage. */
  released?: () => void;
  /** Watches the reader of stdout: `onGone` when it left though nothing was written; returns stop(). */
  watchReader?: (onGone: () => void) => () => void;
}

/** Ms of datagram decoding per event-loop turn in the interactive view (keys are read between slices). */
export const VIEW_SLICE_MS = 4;

/** Open flows ticked per event-loop turn in the interactive view (about 1 ms at 100k flows, 10.9 ms in all). */
export const VIEW_TICK_STEP_ROWS = 10000;

/**
 * Builds the source the options ask for: a capture, or the kernel (recording when asked). `sliceMs`: the
 * kernel's datagrams are applied in slices of about that many ms (the interactive view, VIEW_SLICE_MS).
 */
export function openSource(opts: RunOptions, events: boolean, io?: Pick<Io, 'stderr' | 'openSocket'>, sliceMs?: number): { source: FlowSource; finish: () => void; record?: (rec: WireRecord) => void } {
  if (opts.replay) {
    const source = new ReplaySource(opts.replay, { filter: opts.filter, speed: opts.speed });
    return { source, finish: () => source.close() };
  }
  const rec = opts.record ? openRecorder(opts.record) : undefined;
  // Undecodable datagrams are kept for a bug report: in the --record capture, or else in a file of their own.
  let bad: ReturnType<typeof openRecorder> | undefined;
  const onBadDatagram = rec ? undefined : (data: Uint8Array): void => {
    try {
      if (!bad) {
        const path = join(tmpdir(), `conntop-bad-${process.pid}.pcap`);
        bad = openRecorder(path);
        io?.stderr.write(`conntop: warning: undecodable netlink data saved to ${path}\n`);
      }
      bad.record({ tsNs: BigInt(Date.now()) * 1000000n, direction: 'in', family: NETLINK_NETFILTER, data });
    } catch {
      // Saving is best effort; the datagram was already counted and reported.
    }
  };
  const source = new KernelSource({
    onBadDatagram,
    filter: opts.filter,
    dumpFilter: opts.dumpFilter,
    events,
    recvBufferBytes: opts.rcvbufBytes,
    record: rec?.record,
    withReceiveCap: (bytes, fn) => withRmemMax(procSysctl, bytes, fn),
    openSocket: io?.openSocket,
    sliceMs,
  });
  source.open(); // refused without CAP_NET_ADMIN: that error comes first and alone
  if (events && !source.shimPatched) {
    io?.stderr.write('conntop: warning: the netlink shim is not patched (npm rebuild conntop needs python3, make and g++): an event overflow will abort conntop\n');
  }
  return { source, finish: () => { source.close(); rec?.close(); bad?.close(); }, record: rec?.record };
}

/** True when any enrichment part is on. */
function wantsEnrichment(opts: RunOptions): boolean {
  return opts.dns || opts.geoip || opts.services || (opts.processes && !opts.replay) || opts.remote !== undefined;
}

/**
 * The enricher the options ask for (null when every part is off); process lookup only against the live kernel
 * (a replay has no sockets); with --connect, the processes its server shares (`source.processOf`). `onePass`:
 * each flow is enriched once, so nothing is remembered per flow.
 */
export async function openEnricher(opts: RunOptions, io: Io, record?: (rec: WireRecord) => void, source?: FlowSource, onePass = false): Promise<{ enricher: Enricher; settled: () => boolean } | null> {
  if (!wantsEnrichment(opts)) return null;
  const warned = new Set<string>();
  const sockets = opts.processes && !opts.replay ? new SockDiagLookup({ record }) : null;
  // Loaded on demand: GeoIP readers and the DNS stack cost start-up time the plain JSON outputs do not need.
  const { composeEnricher } = await import('./enrich/compose.js');
  const { enricher, dns } = await composeEnricher({
    dns: opts.dns, geoip: opts.geoip, geoipDir: opts.geoipDir, services: opts.services, sockets, onePass,
    processOf: source?.processOf ? (key) => source.processOf!(key) : undefined,
    warn: (m) => {
      if (warned.has(m)) return;
      warned.add(m);
      io.stderr.write(`conntop: warning: ${m}\n`);
    },
  });
  const origClose = enricher.close.bind(enricher);
  enricher.close = () => {
    origClose();
    sockets?.close();
  };
  return { enricher, settled: () => enricher.pendingProcessLookups === 0 && (dns?.pendingCount ?? 0) === 0 };
}

/** Tells stderr about undecodable messages the source skipped. */
export function warnHealth(source: FlowSource, io: Io): void {
  const h = source.health;
  if (h.badMessages > 0) io.stderr.write(`conntop: warning: ${h.badMessages} undecodable netlink message(s) skipped (${h.lastProblem})\n`);
}

/** Turns on accounting, timestamps and reliable events unless --no-sysctl, and says what it could not do. */
export function prepareSysctls(opts: RunOptions, io: Io): void {
  if (opts.replay || opts.remote) return; // a remote server sets its own
  if (opts.sysctl) io.sysctls.enableMonitoring();
  for (const f of io.sysctls.failures) io.stderr.write(`conntop: warning: could not set ${f.name.replace(/\//g, '.')} (${f.reason})\n`);
  for (const w of io.sysctls.warnings) io.stderr.write(`conntop: warning: ${w}\n`);
  if (!opts.sysctl && procSysctl.read('net/netfilter/nf_conntrack_acct') === '0') {
    io.stderr.write('conntop: note: nf_conntrack_acct is 0, so flows carry no counters (sysctl -w net.netfilter.nf_conntrack_acct=1)\n');
  }
  if (procSysctl.read('net/netfilter/nf_conntrack_events') === '0') {
    io.stderr.write('conntop: warning: nf_conntrack_events is 0, so no events will arrive: changes show only at each refresh (sysctl -w net.netfilter.nf_conntrack_events=1)\n');
  }
  if (procSysctl.read('net/netfilter/nf_conntrack_events') === '2') {
    // "auto" (the default since 5.19): flows born before a listener existed send no DESTROY event.
    io.stderr.write('conntop: note: nf_conntrack_events is 2, so flows created before conntop started end without a DESTROY event; they leave the table at the next refresh (sysctl -w net.netfilter.nf_conntrack_events=1)\n');
  }
}

/** Flows born and closed while the --events reader was slow that still get their one destroy line each. */
const EVENTS_MAX_BORN_CLOSED = 10000;

/**
 * --events: a session whose output is JSON lines: one per change (new, update, destroy, resync) as it happens,
 * and one `stats` line per refresh. Stops on a signal, when stdout closes, or after --iterations refreshes.
 */
export async function runEvents(opts: RunOptions, io: Io): Promise<number> {
  // The sockets first: without the privilege for them, their error is all the user needs to read.
  // With --connect, a server's client source instead of the kernel.
  const { source, finish, record } = io.openRemote?.() ?? openSource(opts, true, io);
  try {
    prepareSysctls(opts, io);
  } catch (e) {
    finish();
    throw e;
  }
  // No ghosts: --events writes a close once, as its destroy line. A ghost kept every closed flow alive for
  // --linger seconds, long enough to be copied by young collections and promoted: a third of an event's CPU.
  const table = new FlowTable({ lingerMs: 0, maxClosed: 0, maxBornClosed: EVENTS_MAX_BORN_CLOSED, trackChanges: true });
  // JSON streams carry the plain flow schema unless --enrich asks for more (scripts want speed and stable keys).
  const en = opts.enrich ? await openEnricher(opts, io, record, source) : null;
  if (opts.enrich && opts.replay && opts.processes) io.stderr.write('conntop: note: a capture has no sockets to look up, so flows carry no process fields\n');
  const out = new EventsOutput(io.stdout, { signal: io.signal, enricher: en?.enricher, released: io.released, flushAtOnce: source.batchesEvents });
  // A quiet table writes only a stats line per refresh: a reader that left is noticed within a second anyway.
  const stopWatch = io.watchReader?.(() => out.readerLeft());
  const session = new Session({
    source, table, intervalMs: opts.delaySec * 1000, iterations: opts.iterations, signal: io.signal,
    enricher: en?.enricher, warn: (m) => io.stderr.write(`conntop: note: ${m}\n`),
  });
  try {
    await session.run(out);
  } finally {
    stopWatch?.();
    en?.enricher.close(); // before the recorder closes: its lookups record too
    finish();
  }
  await out.finish(); // a write failure (/dev/full) throws here: one line from the CLI, status 1
  warnHealth(source, io);
  return 0;
}
