// Benchmark section `--only server` (test/bench only): conntopd in the benchmark namespace at 10k, 50k and
// 100k flows: time until a new client holds the full table, bytes on the wire per flow (snapshot), and
// conntopd's CPU and RSS with 0, 1 and 10 clients; bytes per changed flow of the update lines the server's
// encoder writes (the kit's injected flows never change by themselves). Imports node: modules, ./proc.ts,
// lib/ and server/; the caller fills the namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { FlowTable } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';
import { WireEncoder } from '../../server/wire-encode.js';
import { children, fmt, median, procCpuS, procMemKiB } from './proc.js';

/** What the section needs from run.ts. */
export interface ServerBenchEnv {
  ns: string;
  node: string;
  conntopd: string;
  clientChild: string;
  runs: number;
  windowS: number;
  log: (s: string) => void;
  row: (what: string, conntop: string, ref: string, r: number | null, target: string, met: string) => void;
  results: Record<string, unknown>;
}

const PORT = 55555;

function spawnNs(env: ServerBenchEnv, argv: string[]): ChildProcess {
  const c = spawn('nsenter', [`--net=/run/netns/${env.ns}`, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

/** The next JSON line a child prints. */
function nextLine(c: ChildProcess, timeoutMs = 120_000): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: c.stdout! });
    const timer = setTimeout(() => reject(new Error('bench client: no answer')), timeoutMs);
    rl.once('line', (l) => {
      clearTimeout(timer);
      rl.close();
      resolve(JSON.parse(l) as Record<string, number>);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** CPU (s/s) and RSS (KiB) of `pid` over `windowS` seconds. */
async function usage(pid: number, windowS: number): Promise<{ cpu: number; rssKiB: number }> {
  const c0 = procCpuS(pid);
  const t0 = Date.now();
  await sleep(windowS * 1000);
  return { cpu: (procCpuS(pid) - c0) / ((Date.now() - t0) / 1000), rssKiB: procMemKiB(pid).VmRSS ?? NaN };
}

/** Starts conntopd in the namespace; resolves once it listens. */
async function startD(env: ServerBenchEnv, extra: string[]): Promise<ChildProcess> {
  const d = spawnNs(env, [env.node, env.conntopd, '-p', String(PORT), '-l', '127.0.0.1', '-d', '1', ...extra]);
  let err = '';
  d.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  // A conntopd that dies mid-run says why in the log (its figures then read '-').
  d.once('exit', (code, sig) => { if (code !== 0 && sig !== 'SIGTERM' && sig !== 'SIGKILL') env.log(`conntopd exited (${code ?? sig}): ${err.trim().split('\n').slice(-3).join(' | ')}`); });
  for (let i = 0; i < 600 && !/listening/.test(err); i++) await sleep(100);
  if (!/listening/.test(err)) throw new Error(`conntopd did not start: ${err}`);
  return d;
}

/** One table size: conntopd started fresh, measured, stopped. */
export async function serverAt(env: ServerBenchEnv, n: number): Promise<void> {
  const k = `${n / 1000}k`;
  env.log(`server at ${k} flows: conntopd -d 1, time to a client's full table, bytes, CPU and RSS with 0, 1 and 10 clients`);
  const load0 = loadavg()[0];
  // Asleep (the default with no client): what an idle router pays; then again once a client came and left.
  const asleepD = await startD(env, []);
  await sleep(2000);
  const asleep = await usage(asleepD.pid!, env.windowS);
  const visitor = spawnNs(env, [env.node, env.clientChild, 'mirror', String(PORT)]);
  const wakeSync = (await nextLine(visitor)).syncMs;
  visitor.kill('SIGKILL');
  await sleep(3000); // the server notices within a second, then sleeps (its table emptied)
  const asleepAfter = await usage(asleepD.pid!, env.windowS);
  asleepD.kill('SIGTERM');
  await sleep(500);
  // Awake (--no-sleep), so that each new client finds the table already followed.
  const d = await startD(env, ['--no-sleep']);
  const pid = d.pid!;
  try {
    await sleep(2000); // past the start-up dump
    const idle = await usage(pid, env.windowS);
    const raws: Record<string, number>[] = [];
    const syncs: number[] = [];
    for (let i = 0; i < env.runs; i++) {
      const raw = spawnNs(env, [env.node, env.clientChild, 'raw', String(PORT)]);
      raws.push(await nextLine(raw));
      raw.kill('SIGKILL');
      const m = spawnNs(env, [env.node, env.clientChild, 'mirror', String(PORT)]);
      const r = await nextLine(m);
      if (r.flows < n * 0.99) throw new Error(`the client holds ${r.flows} of ${n} flows`);
      syncs.push(r.syncMs);
      m.kill('SIGKILL');
    }
    const one = spawnNs(env, [env.node, env.clientChild, 'mirror', String(PORT)]);
    await nextLine(one);
    await sleep(1000);
    const with1 = await usage(pid, env.windowS);
    const ten = [one];
    for (let i = 0; i < 9; i++) {
      const c = spawnNs(env, [env.node, env.clientChild, 'mirror', String(PORT)]);
      ten.push(c);
      await nextLine(c);
    }
    await sleep(1000);
    const with10 = await usage(pid, env.windowS);
    for (const c of ten) c.kill('SIGKILL');
    await sleep(3000);
    const after = procMemKiB(pid).VmRSS ?? NaN;
    const snapMs = median(raws.map((r) => r.snapshotMs));
    const bytesPerFlow = median(raws.map((r) => r.snapshotBytes / r.flows));
    const syncMs = median(syncs);
    const load1 = loadavg()[0];
    env.results[`server${k}`] = { asleep, asleepAfter, wakeSync, idle, with1, with10, raws, syncs, rssAfterClientsLeftKiB: after, loadavg: [load0, load1] };
    const mib = (kib: number): string => fmt(kib / 1024);
    const big = n === 100000;
    env.row(`server ${k} (load average ${load0.toFixed(1)} → ${load1.toFixed(1)})`, '', '', null, '', '');
    env.row(`  new client holds the table, ms`, fmt(syncMs), `raw snapshot ${fmt(snapMs)}`, null, big ? '≤2000' : 'info', big ? (syncMs <= 2000 ? 'met' : 'NOT met') : '');
    env.row(`  same, waking a sleeping conntopd, ms`, fmt(wakeSync), '', null, 'info', '');
    env.row(`  snapshot bytes/flow`, fmt(bytesPerFlow), 'conntop 1.0: 212', null, 'info', '');
    env.row(`  conntopd asleep (no client), CPU s/s and RSS MiB`, `${fmt(asleep.cpu)}, ${mib(asleep.rssKiB)}`, '', null, '<0.01, <60 MiB', asleep.cpu < 0.01 && asleep.rssKiB < 60 * 1024 ? 'met' : 'NOT met');
    env.row(`  same, after a client came and left`, `${fmt(asleepAfter.cpu)}, ${mib(asleepAfter.rssKiB)}`, '', null, '<0.01, info', asleepAfter.cpu < 0.01 ? 'met' : 'NOT met');
    env.row(`  conntopd --no-sleep CPU s/s, 0 / 1 / 10 clients`, `${fmt(idle.cpu)} / ${fmt(with1.cpu)} / ${fmt(with10.cpu)}`, n === 50000 ? '1.0: 0.29 / 0.28-0.35 / -' : n === 10000 ? '1.0: 0.067 / 0.07-0.08 / -' : '-', with10.cpu / with1.cpu, '10 < 2× 1', with10.cpu < 2 * with1.cpu ? 'met' : 'NOT met');
    env.row(`  conntopd --no-sleep RSS MiB, 0 / 1 / 10 clients / after`, `${mib(idle.rssKiB)} / ${mib(with1.rssKiB)} / ${mib(with10.rssKiB)} / ${mib(after)}`, n === 50000 ? '1.0: 19 / 72-100 / -' : n === 10000 ? '1.0: 7 / 14-23 / -' : '-', null, 'info', '');
  } finally {
    d.kill('SIGTERM');
    await sleep(500);
  }
}

/** A TCP flow as the kernel codec makes it (IPv4, timestamps and counters on). */
function sampleFlow(i: number): Flow {
  const dst = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const sport = 1024 + (i % 60000);
  return {
    id: 100000 + i, family: 'ipv4', proto: 'tcp', protoNum: 6, orig: { src: '192.0.2.1', dst, sport, dport: 443 },
    reply: { src: dst, dst: '192.0.2.1', sport: 443, dport: sport }, state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'],
    timeoutSec: 431999, mark: 0, zone: 0, use: 1, counters: { orig: { packets: 1000 + i, bytes: 150000 + i }, reply: { packets: 900, bytes: 9000000 } },
    labels: [], helper: null, startNs: '1795322924250950687',
  };
}

/** Bytes per changed flow of the server's update lines: counters moved (every refresh), and a state change. */
export function deltaBytes(env: Pick<ServerBenchEnv, 'row'>): void {
  const n = 10000;
  const t = new FlowTable({ lingerMs: 0, trackChanges: true });
  const enc = new WireEncoder();
  const dump = (atMs: number, f: (i: number) => Flow): void => {
    t.apply({ kind: 'dumpBegin', atMs });
    for (let i = 0; i < n; i++) t.apply({ kind: 'dumpEntry', flow: f(i) });
    t.apply({ kind: 'dumpEnd', atMs, complete: true });
  };
  const sizeOf = (): number => {
    let bytes = 0;
    let lines = 0;
    for (const c of t.drainChanges()) {
      if (c.kind !== 'update' && c.kind !== 'new') continue;
      const l = c.kind === 'new' ? enc.newLine(c.live) : enc.updateLine(c.live);
      if (l !== null && c.kind === 'update') { bytes += Buffer.byteLength(l) + 1; lines++; }
    }
    return bytes / lines;
  };
  dump(1000, sampleFlow);
  sizeOf();
  dump(2000, (i) => { const f = sampleFlow(i); f.counters!.orig.packets += 3; f.counters!.orig.bytes += 4500; f.counters!.reply.packets += 2; f.counters!.reply.bytes += 2900; return f; });
  const counters = sizeOf();
  for (let i = 0; i < n; i++) t.apply({ kind: 'update', flow: { ...sampleFlow(i), counters: undefined, use: null, state: 'FIN_WAIT', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'DYING'] }, atMs: 2500 });
  const state = sizeOf();
  env.row('server: update bytes/changed flow, counters / state', `${fmt(counters)} / ${fmt(state)}`, 'a whole flow: ~440', null, 'info', '');
}
