// Test helper (real-kernel tests only): runs `conntop --events` as a child inside a namespace and follows
// its JSON-line stream: the open table rebuilt from new/update/destroy lines, the latest stats line, and
// waits on conditions with failure deadlines (never timing assertions). Also parses the oracle,
// `conntrack -L -o extended,id`, into the same open-table shape. Imports node: modules and ./netns.ts.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Netns } from './netns.js';

/** The built CLI (tests run after `npm run build`). */
export const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));

/** The fields of a flow line these tests look at (the full schema is in the README). */
export interface StreamFlow {
  id: number;
  proto: string;
  protoNum: number;
  zone: number;
  state: string | null;
  orig: { src: string; dst: string; sport?: number; dport?: number };
  reply: { src: string; dst: string; sport?: number; dport?: number };
  counters?: { orig: { packets: number; bytes: number }; reply: { packets: number; bytes: number } };
  /** The server, with several -c. */
  host?: string;
}

export interface Rates {
  orig: { bytesPerSec: number; packetsPerSec: number };
  reply: { bytesPerSec: number; packetsPerSec: number };
}

export interface StreamLine {
  event: 'new' | 'update' | 'destroy' | 'resync' | 'stats';
  atMs: number;
  flow?: StreamFlow;
  rates?: Rates;
  [k: string]: unknown;
}

/** A stats line: TableStats plus health (only the fields used here are typed). */
export interface StatsLine extends StreamLine {
  event: 'stats';
  total: number;
  kernelCount: number | null;
  droppedEvents: number;
  resyncs: number;
  stale: boolean;
  dumps: number;
}

/** The identity the tests compare by: kernel id + zone + protocol + original tuple (+ the server, with several -c). */
export function keyOf(f: { id: number; zone?: number; protoNum: number; orig: { src: string; dst: string; sport?: number; dport?: number }; host?: string }): string {
  const k = `${f.id}|${f.zone ?? 0}|${f.protoNum}|${f.orig.src}|${f.orig.dst}|${f.orig.sport ?? ''}|${f.orig.dport ?? ''}`;
  return f.host === undefined ? k : `${k}|${f.host}`;
}

/** The open table a stream describes: apply its lines in order (new/update upsert, destroy removes). */
export class StreamTable {
  readonly open = new Map<string, StreamFlow>();
  /** Latest rates seen per key (from any new/update line). */
  readonly rates = new Map<string, Rates>();
  lines = 0;
  stats: StatsLine | undefined;
  statsLines = 0;
  resyncLines = 0;

  apply(l: StreamLine): void {
    this.lines++;
    if (l.event === 'stats') {
      this.stats = l as StatsLine;
      this.statsLines++;
    } else if (l.event === 'resync') this.resyncLines++;
    else if (l.flow) {
      const k = keyOf(l.flow);
      if (l.event === 'destroy') this.open.delete(k);
      else {
        this.open.set(k, l.flow);
        if (l.rates) this.rates.set(k, l.rates);
      }
    }
  }

  /** Open flows whose original tuple matches `pred`. */
  find(pred: (f: StreamFlow) => boolean): StreamFlow[] {
    return [...this.open.values()].filter(pred);
  }
}

/** A running `conntop --events` child and its parsed stream. */
export interface EventsChild {
  child: ChildProcess;
  table: StreamTable;
  /** Every parsed line, in order. */
  lines: StreamLine[];
  stderr(): string;
  /** Resolves when `cond()` holds after some line (checked on every line), rejects at the deadline or exit. */
  waitFor(what: string, cond: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Follows the JSON lines of a child's stdout; non-JSON lines fail the wait with the line in the message. */
export function followEvents(child: ChildProcess): EventsChild {
  const table = new StreamTable();
  const lines: StreamLine[] = [];
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const waiters = new Set<() => void>();
  let done = false;
  let bad: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
      for (const w of [...waiters]) w();
    });
  });
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (s) => {
    let l: StreamLine;
    try {
      l = JSON.parse(s) as StreamLine;
    } catch {
      bad ??= s;
      for (const w of [...waiters]) w();
      return;
    }
    lines.push(l);
    table.apply(l);
    for (const w of [...waiters]) w();
  });
  const waitFor = (what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (bad !== undefined) return finish(new Error(`${what}: not a JSON line: ${bad.slice(0, 200)}`));
        try {
          if (cond()) return finish();
        } catch (e) {
          return finish(e as Error);
        }
        if (done) finish(new Error(`${what}: conntop exited first (code ${child.exitCode}, signal ${child.signalCode}); stderr: ${err.trim().slice(-500)}`));
      };
      const timer = setTimeout(() => finish(new Error(`${what}: not seen within ${timeoutMs} ms (${lines.length} lines; last stats ${JSON.stringify(table.stats ?? null).slice(0, 300)})`)), timeoutMs);
      function finish(e?: Error): void {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve();
      }
      waiters.add(check);
      check();
    });
  return { child, table, lines, stderr: () => err, waitFor, exited };
}

/**
 * Starts `node dist/lib/cli.js ARGS` in `ns` (the child's PID is node's: `ip netns exec` execs it), with `env`
 * added to this process's environment (e.g. a test-private CONNTOP_RUN_DIR).
 */
export function startEvents(ns: Netns, args: readonly string[], env: NodeJS.ProcessEnv = {}): EventsChild {
  return followEvents(ns.spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }));
}

/** Runs the CLI outside any namespace (replay needs no kernel) and returns its parsed lines. */
export function runCli(args: readonly string[], timeoutMs = 30_000): Promise<{ code: number | null; lines: StreamLine[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const f = followEvents(c);
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`conntop ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    void f.exited.then(({ code }) => {
      clearTimeout(timer);
      resolve({ code, lines: f.lines, stderr: f.stderr() });
    });
  });
}

/** One `conntrack -L -o extended,id` line reduced to the compared fields (TCP/UDP lines). */
export interface OracleFlow {
  id: number;
  protoNum: number;
  zone: number;
  state: string | null;
  orig: { src: string; dst: string; sport?: number; dport?: number };
  counters?: { orig: { packets: number; bytes: number }; reply: { packets: number; bytes: number } };
}

/**
 * Parses `conntrack -L -o extended,id` output (ctnetlink.md §7.1): the first src/dst/sport/dport are the
 * original tuple, packets/bytes come once per direction, `zone=` is CTA_ZONE, the last `id=` is CTA_ID.
 */
export function parseOracle(stdout: string): Map<string, OracleFlow> {
  const out = new Map<string, OracleFlow>();
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const tok = line.trim().split(/\s+/);
    const kv = (k: string): string[] => tok.filter((x) => x.startsWith(`${k}=`)).map((x) => x.slice(k.length + 1));
    const protoNum = Number(tok[3]);
    const maybeState = tok[5];
    const packets = kv('packets').map(Number);
    const bytes = kv('bytes').map(Number);
    const ids = kv('id');
    const f: OracleFlow = {
      id: Number(ids[ids.length - 1]),
      protoNum,
      zone: Number(kv('zone')[0] ?? 0),
      state: /^[A-Z_]+$/.test(maybeState) ? maybeState : null,
      orig: { src: kv('src')[0], dst: kv('dst')[0] },
    };
    const sp = kv('sport');
    const dp = kv('dport');
    if (sp.length > 0) {
      f.orig.sport = Number(sp[0]);
      f.orig.dport = Number(dp[0]);
    }
    if (packets.length === 2) f.counters = { orig: { packets: packets[0], bytes: bytes[0] }, reply: { packets: packets[1], bytes: bytes[1] } };
    out.set(keyOf(f), f);
  }
  return out;
}

/** The kernel's table as conntrack-tools sees it, keyed like StreamTable. */
export function oracle(ns: Netns): Map<string, OracleFlow> {
  return parseOracle(ns.exec('conntrack', ['-L', '-o', 'extended,id']));
}

const CT_SYSCTLS = ['nf_conntrack_acct', 'nf_conntrack_timestamp', 'nf_conntrack_events'];

/** Sets the three sysctls conntop manages from "acct/timestamp/events", e.g. "0/0/2". */
export function setCtSysctls(ns: Netns, values: string): void {
  values.split('/').forEach((v, i) => ns.sysctl(`net.netfilter.${CT_SYSCTLS[i]}`, v));
}

/** Reads the three sysctls conntop manages, as "acct/timestamp/events". */
export function ctSysctls(ns: Netns): string {
  return CT_SYSCTLS.map((n) => ns.exec('cat', [`/proc/sys/net/netfilter/${n}`]).trim()).join('/');
}

/** Sorted keys, for readable equality diffs. */
export function sortedKeys(m: Map<string, unknown>): string[] {
  return [...m.keys()].sort();
}
