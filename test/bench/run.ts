// `npm run bench`: conntop next to conntrack-tools and the bare kernel dump, on one namespace, in one run.
// Uses the measurement kit in ../shared/bench (mkns.sh, rmns.sh, event-storm.sh, ctkit); exits 0 with a
// message when the kit or root is missing. Never part of the unit tests. Imports ./proc and node: modules.
// Options: --quick (3 runs instead of 5, shorter storms), --no-storm, --rates 5000,20000,..., --keep-json F,
// --only load,once,decode,start,scale,steady,storm,events,enrich,tui,server (a subset of the sections; enrich
// runs enrich-bench.ts, events runs event-cost.ts, which needs no kit; tui runs tui-bench.ts: the interactive
// view in process, and live through tmux when root; server runs server-bench.ts: conntopd and its clients).
import { main as enrichBench } from './enrich-bench.js';
import { main as tuiBench } from './tui-bench.js';
import { deltaBytes, serverAt } from './server-bench.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, fmt, median, medianRun, netlinkDrops, procCpuS, procMemKiB, procTimesS, run, runAsync, table, withoutExtraCaCerts, type ProcRun } from './proc.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const KIT = resolve(process.env.CONNTOP_BENCH_KIT ?? join(ROOT, '../shared/bench'));
const CACHE = process.env.PK_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'conntrack-bench');
const CTKIT = join(CACHE, 'ctkit');
const CLI = join(ROOT, 'dist/lib/cli.js');
const CHILD = join(ROOT, 'dist/test/bench/load-child.js');
const DECODE = join(ROOT, 'dist/test/bench/decode-child.js');
const NS = `conntop-bench-${process.pid}`;
const NODE = process.execPath;

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const RUNS = QUICK ? 3 : 5;
const STORM = !argv.includes('--no-storm');
const ri = argv.indexOf('--rates');
const RATES = ri >= 0 ? argv[ri + 1].split(',').map(Number) : QUICK ? [5000, 50000] : [5000, 20000, 50000, 100000];
const STORM_S = QUICK ? 3 : 5;
const oi = argv.indexOf('--only');
const ONLY = oi >= 0 ? new Set(argv[oi + 1].split(',')) : undefined;
const want = (part: string): boolean => !ONLY || ONLY.has(part);

const inNs = (cmd: string[]): string[] => ['nsenter', `--net=/run/netns/${NS}`, ...cmd];
const log = (s: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const ratio = (a: number, b: number): number => a / b;
const verdict = (r: number, target: number): string => (r <= target ? 'met' : 'NOT met');

/** The first two lines of a child's stderr file, on one line (for a log or an error). */
const errHead = (path: string): string => readFileSync(path, 'utf8').trim().split('\n').slice(0, 2).join(' | ');

/** One whole-process run in the namespace, timed by ctkit run (stdout to /dev/null). */
function timed(cmd: string[], allowFail = false): ProcRun {
  const out = run(inNs([CTKIT, 'run', '--stdout', '/dev/null', '--stderr', errFile, '--', ...cmd]));
  const r = JSON.parse(out.trim().split('\n').pop()!) as ProcRun;
  if (r.rc !== 0) {
    const err = errHead(errFile);
    if (!allowFail) throw new Error(`${cmd.join(' ')} exited ${r.rc}: ${err}`);
    log(`warning: ${cmd.slice(1).join(' ')} exited ${r.rc}: ${err}`);
  }
  return r;
}
let errFile = '/dev/null';

/** Interleaves commands: `warmup` untimed rounds, then `runs` timed rounds; one list of runs per command. */
function interleaved(cmds: string[][], runs: number, warmup = 1): ProcRun[][] {
  const out: ProcRun[][] = cmds.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    cmds.forEach((c, k) => {
      const r = timed(c);
      if (i >= warmup) out[k].push(r);
    });
  }
  return out;
}

function fill(n: number): void {
  const t0 = Date.now();
  run([join(KIT, 'mkns.sh'), NS, String(n), '--quiet']);
  const count = Number(run(inNs(['cat', '/proc/sys/net/netfilter/nf_conntrack_count'])).trim());
  log(`table filled: ${count} flows (wanted ${n}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (count !== n) throw new Error(`the namespace holds ${count} flows, wanted ${n}`);
}

interface ChildResult { wallS: number; userS: number; sysS: number; flows: number; bytes: number; maxRssKiB: number; steadyUserS?: number; steadySysS?: number; steadyCpuS?: number; steadyWallS?: number }
function child(args: string[]): ChildResult {
  return JSON.parse(run(inNs([NODE, CHILD, ...args])).trim()) as ChildResult;
}

const results: Record<string, unknown> = { date: new Date().toISOString(), kernel: run(['uname', '-r']).trim(), node: process.version };
const rows: string[][] = [];
const row = (what: string, conntop: string, ref: string, r: number | null, target: string, met: string): void => void rows.push([what, conntop, ref, r === null ? '-' : `${fmt(r)}×`, target, met]);

// ---- issue 2 (a): the whole table into Flow objects vs a bare read of the same dump ----
function loadVsBare(n: number): void {
  log(`2a: KernelSource.start into Flow objects vs bare dump, ${n} flows, ${RUNS} runs after 1 warm-up`);
  const load: ChildResult[] = [], bare: ChildResult[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const l = child(['load']), b = child(['bare']);
    if (l.flows !== n || b.flows !== n) log(`warning: load saw ${l.flows}, bare ${b.flows} flows (want ${n})`);
    if (i > 0) { load.push(l); bare.push(b); }
  }
  const m = (xs: ChildResult[], f: (x: ChildResult) => number): number => median(xs.map(f));
  const lw = m(load, (x) => x.wallS), bw = m(bare, (x) => x.wallS);
  const lc = m(load, (x) => x.userS + x.sysS), bc = m(bare, (x) => x.userS + x.sysS);
  results.loadVsBare = { n, load, bare, wallRatio: lw / bw, cpuRatio: lc / bc };
  row(`load ${n / 1000}k into Flows, wall s`, fmt(lw), `bare ${fmt(bw)}`, ratio(lw, bw), '≤1.3×', verdict(lw / bw, 1.3));
  row(`load ${n / 1000}k into Flows, CPU s`, fmt(lc), `bare ${fmt(bc)}`, ratio(lc, bc), '≤1.3×', verdict(lc / bc, 1.3));
  row(`load ${n / 1000}k: peak RSS MiB`, fmt(m(load, (x) => x.maxRssKiB) / 1024), `bare ${fmt(m(bare, (x) => x.maxRssKiB) / 1024)}`, null, '', '');
}

// ---- issues 2 (b) and 10: conntop --once (JSON and text) vs conntrack -L, whole processes ----
/** The text table as the issue times it: no reverse DNS, GeoIP or process lookup (services and directions stay). */
const ONCE_TEXT = ['--once', '-n', '--no-geoip', '--no-processes'];

function onceVsConntrack(n: number): void {
  log(`2b/10: conntop --once --json vs conntrack -L -o extended, conntop --once (text) vs conntrack -L, ${n} flows, median of ${RUNS} after 1 warm-up`);
  const [c, k, t, l, b] = interleaved([[NODE, CLI, '--once', '--json'], ['conntrack', '-L', '-o', 'extended'], [NODE, CLI, ...ONCE_TEXT], ['conntrack', '-L'], [NODE, CHILD, 'bare']], RUNS);
  const mc = medianRun(c), mk = medianRun(k), mt = medianRun(t), ml = medianRun(l), mb = medianRun(b);
  results.once = { n, conntop: c, conntrack: k, text: t, conntrackL: l, bareNode: b };
  const k100 = `${n / 1000}k`;
  row(`--once --json ${k100}, wall s`, fmt(mc.wall), `conntrack -L -o extended ${fmt(mk.wall)}`, mc.wall / mk.wall, '≤1.0×', verdict(mc.wall / mk.wall, 1.0));
  row(`--once --json ${k100}, CPU s`, fmt(mc.cpu), `conntrack -L -o extended ${fmt(mk.cpu)}`, mc.cpu / mk.cpu, 'info', '');
  row(`--once --json ${k100}, peak RSS MiB`, fmt(mc.maxrss_kb / 1024), `conntrack -L -o extended ${fmt(mk.maxrss_kb / 1024)}`, null, '≤80 MiB', verdict(mc.maxrss_kb / 1024, 80));
  row(`--once ${ONCE_TEXT.slice(1).join(' ')} ${k100} (text), wall s`, fmt(mt.wall), `conntrack -L ${fmt(ml.wall)}`, mt.wall / ml.wall, '≤1.2×', verdict(mt.wall / ml.wall, 1.2));
  row(`  same, CPU s and peak RSS MiB`, `${fmt(mt.cpu)}, ${fmt(mt.maxrss_kb / 1024)}`, `conntrack -L ${fmt(ml.cpu)}, ${fmt(ml.maxrss_kb / 1024)}`, mt.cpu / ml.cpu, 'info', '');
  row(`--once --json ${k100} against the bare dump in node (whole processes), wall/CPU s`, `${fmt(mc.wall)}/${fmt(mc.cpu)}`, `bare dump ${fmt(mb.wall)}/${fmt(mb.cpu)}`, mc.cpu / mb.cpu, 'info', '');
}

// ---- issue 10: --once --json time per flow from 10k to 500k flows ----
/** Table sizes for the scaling rows (the first is the floor, the last the kit's largest fill). */
const SCALE = QUICK ? [10000, 100000, 250000] : [10000, 100000, 500000];

/**
 * `--once --json` and `conntrack -L -o extended` at each size of SCALE, interleaved per size. Time per flow is
 * the marginal wall time between two sizes (start-up, which no flow causes, cancels out): flat means the
 * last segment's µs per flow is within 1.25× the first's.
 */
function onceScaling(): void {
  const walls: { n: number; conntop: number; conntrack: number; rssMiB: number }[] = [];
  for (const n of SCALE) {
    fill(n);
    log(`10: --once --json and conntrack -L -o extended at ${n} flows, median of 3 after 1 warm-up`);
    const [c, k] = interleaved([[NODE, CLI, '--once', '--json'], ['conntrack', '-L', '-o', 'extended']], 3);
    walls.push({ n, conntop: medianRun(c).wall, conntrack: medianRun(k).wall, rssMiB: medianRun(c).maxrss_kb / 1024 });
  }
  results.onceScaling = walls;
  const us = (a: number, b: number, pick: (w: (typeof walls)[number]) => number): number => ((pick(walls[b]) - pick(walls[a])) / (walls[b].n - walls[a].n)) * 1e6;
  const last = walls.length - 1;
  const first = us(0, 1, (w) => w.conntop), tail = us(1, last, (w) => w.conntop);
  const seg = (a: number, b: number): string => `${walls[a].n / 1000}k→${walls[b].n / 1000}k`;
  row(`--once --json µs per flow, ${seg(0, 1)} / ${seg(1, last)}`, `${fmt(first)} / ${fmt(tail)}`, `conntrack ${fmt(us(0, 1, (w) => w.conntrack))} / ${fmt(us(1, last, (w) => w.conntrack))}`, tail / first, 'flat ≤1.25×', verdict(tail / first, 1.25));
  row(`  peak RSS MiB at ${walls.map((w) => `${w.n / 1000}k`).join(' / ')}`, walls.map((w) => fmt(w.rssMiB)).join(' / '), '', null, 'info', '');
}

// ---- issue 2 (c): decode alone on a recorded capture ----
function decodeAlone(n: number, dir: string): void {
  const cap = join(dir, `dump-${n}.pcap`);
  run(inNs([NODE, CLI, '--once', '--json', '--record', cap]));
  log(`2c: decode alone on a ${n}-flow capture (${(statSync(cap).size / 1048576).toFixed(1)} MiB)`);
  const out = run([NODE, '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', DECODE, cap, '--seconds', QUICK ? '2' : '4']);
  const d = JSON.parse(out.trim()) as { flowsPerSec: number; nsPerFlow: number; allocBytesPerFlow: number | null; flowsPerPass: number; bytes: number; slicesDiscarded: number };
  results.decode = { n, ...d };
  const kernelNsPerFlow = (results.kernelNsPerFlow as number | undefined) ?? null;
  row(`decode+toFlow only, flows/s`, fmt(d.flowsPerSec), kernelNsPerFlow ? `kernel ${fmt(1e9 / kernelNsPerFlow)}` : '-', kernelNsPerFlow ? (1e9 / kernelNsPerFlow) / d.flowsPerSec : null, 'info', '');
  row(`decode+toFlow only, bytes allocated/flow`, fmt(d.allocBytesPerFlow), `wire ${fmt(d.bytes / d.flowsPerPass)}`, null, '', '');
}

// ---- issue 3: steady state with 1 s refresh ----
/** Enrichment on: --events prints the plain schema by default; --enrich adds GeoIP, DNS, services and processes. */
const ENRICH = ['--enrich'];
/** Length of the steady-state window, in refreshes of 1 s. */
const STEADY_S = QUICK ? 6 : 10;

/** One conntop in steady state: CPU and memory of its refreshes after the first table, start-up apart. */
interface SteadyRun {
  startupS: number; startupCpuS: number; firstRefreshCpuS: number; refreshes: number; wallS: number; userS: number; sysS: number; cpuS: number; cpuPerSec: number;
  maxVmRssKiB: number; rssAnonKiB: number; vmHwmKiB: number; lines: number; exit: number | string | undefined;
  /** Every second from the first table: seconds and CPU since it, memory. */
  samples: { atS: number; cpuS: number; vmRssKiB: number; rssAnonKiB: number }[];
}

/**
 * `conntop --events -d 1 ARGS` in the namespace, its stdout counted. Start-up ends at the first stats line (node booted,
 * the first dump decoded and printed); memory is sampled every second from then on (VmHWM, the peak with start-up, is
 * information only). The CPU window runs from the end of the first refresh to the end of the refresh STEADY_S s later:
 * whole cycles from the same phase, as the bare child measures from the end of its first dump. A window of fixed
 * length would cut a refresh, and one opened at the first table (the cadence starts there) would add a refresh's
 * duration to the wall time: up to 5 % less CPU per second.
 */
async function steadyConntop(args: string[], errPath: string): Promise<SteadyRun> {
  const f = new Follower([], errPath, { args, trackIds: false });
  const next = (): Promise<void> => Promise.race([f.nextStats(), f.exited]);
  await next();
  if (f.exitCode !== undefined) throw new Error(`conntop --events ${args.join(' ')} exited ${f.exitCode} before its first table: ${errHead(errPath)}`);
  // nsenter execs (no --fork for a network namespace): the PID read from /proc must be node itself, not a wrapper.
  const exe = readlinkSync(`/proc/${f.pid}/exe`);
  if (exe !== realpathSync(NODE)) throw new Error(`pid ${f.pid} runs ${exe}, not node: nsenter forked`);
  const now = process.hrtime.bigint, sinceS = (t: bigint): number => Number(now() - t) / 1e9;
  const t0 = now(), startupCpuS = procCpuS(f.pid);
  const samples: SteadyRun['samples'] = [];
  const sample = (): void => {
    const m = procMemKiB(f.pid);
    if (m.VmRSS !== undefined) samples.push({ atS: sinceS(t0), cpuS: procCpuS(f.pid) - startupCpuS, vmRssKiB: m.VmRSS, rssAnonKiB: m.RssAnon });
  };
  const timer = setInterval(sample, 1000);
  await next();
  const t1 = now(), cpu1 = procTimesS(f.pid), stats1 = f.statsLines, lines1 = f.lines;
  while (sinceS(t1) < STEADY_S - 0.5 && f.exitCode === undefined) await next();
  clearInterval(timer);
  const wallS = sinceS(t1), cpu2 = procTimesS(f.pid), refreshes = f.statsLines - stats1, lines = f.lines - lines1;
  const userS = cpu2.user - cpu1.user, sysS = cpu2.sys - cpu1.sys, cpuS = userS + sysS;
  sample();
  const vmHwmKiB = procMemKiB(f.pid).VmHWM ?? NaN;
  await f.stop();
  const err = errHead(errPath);
  if (err) log(`conntop stderr: ${err}`);
  return {
    startupS: f.firstStatsS, startupCpuS, firstRefreshCpuS: cpu1.user + cpu1.sys - startupCpuS, refreshes, wallS, userS, sysS, cpuS, cpuPerSec: cpuS / wallS,
    maxVmRssKiB: Math.max(...samples.map((x) => x.vmRssKiB)), rssAnonKiB: samples.at(-1)?.rssAnonKiB ?? NaN, vmHwmKiB, lines, exit: f.exitCode, samples,
  };
}

async function steady(n: number): Promise<void> {
  log(`3: steady state at ${n} flows: conntop --events -d 1 for ${STEADY_S} refreshes after start-up and a first refresh (default, then with --enrich) vs a bare dump every second`);
  const errPath = join(dirname(errFile), 'steady.err');
  const c = await steadyConntop([], errPath);
  const l = await steadyConntop(ENRICH, errPath);
  const b = child(['bare', '--repeat', String(STEADY_S + 1), '--interval-ms', '1000']);
  const bps = b.steadyCpuS! / b.steadyWallS!;
  (results.steady ??= {} as Record<number, unknown>);
  (results.steady as Record<number, unknown>)[n] = { conntop: c, enrich: l, bare: b, cpuPerSec: c.cpuPerSec, enrichCpuPerSec: l.cpuPerSec, bareCpuPerSec: bps };
  const k = `${n / 1000}k`, big = n === 50000;
  const mib = (kib: number): string => fmt(kib / 1024);
  // conntop stops on SIGINT with 128 + 2 (README); anything else is a crash or a kill at stop.
  const rc = (r: SteadyRun): string => (r.exit === 0 || r.exit === 130 ? '' : ` (exit ${String(r.exit)})`);
  const cpuRow = (what: string, r: SteadyRun): void => row(what, fmt(r.cpuPerSec) + rc(r), `bare ${fmt(bps)}`, r.cpuPerSec / bps, '≤1.5×', verdict(r.cpuPerSec / bps, 1.5));
  const rssRow = (what: string, r: SteadyRun): void => row(what, mib(r.maxVmRssKiB) + rc(r), `bare peak ${mib(b.maxRssKiB)}`, null, big ? '≤120 MiB' : '', big ? verdict(r.maxVmRssKiB / 1024, 120) : '');
  cpuRow(`--events -d 1 at ${k}, steady CPU s/s`, c);
  cpuRow(`  same, with --enrich`, l);
  rssRow(`--events -d 1 at ${k}, steady RSS MiB (max VmRSS)`, c);
  rssRow(`  same, with --enrich`, l);
  const perS = (user: number, sys: number, wall: number): string => `${fmt(user / wall, 2)}/${fmt(sys / wall, 2)}`;
  row(`  steady user/sys CPU s/s (--enrich)`, `${perS(c.userS, c.sysS, c.wallS)} (${perS(l.userS, l.sysS, l.wallS)})`, `bare ${perS(b.steadyUserS!, b.steadySysS!, b.steadyWallS!)}`, null, 'info', '');
  row(`  RssAnon at the end, MiB`, mib(c.rssAnonKiB), `--enrich ${mib(l.rssAnonKiB)}`, null, 'info', '');
  row(`  VmHWM (peak with start-up), MiB`, mib(c.vmHwmKiB), `--enrich ${mib(l.vmHwmKiB)}`, null, 'info', '');
  row(`  start-up to the first table, CPU s`, fmt(c.startupCpuS), `--enrich ${fmt(l.startupCpuS)}`, null, 'info', '');
}

const STATS_PREFIX = Buffer.from('{"event":"stats"');

/** A running `conntop --events`, its stdout parsed: the set of flow ids its change stream describes. */
class Follower {
  /** Open flows by id and original tuple → kernel id. */
  readonly ids = new Map<string, number>();
  lastStats: Record<string, unknown> | undefined;
  statsLines = 0;
  /** Every line read from stdout. */
  lines = 0;
  /** The unfinished last line of what was read. */
  private rest: Buffer = Buffer.alloc(0);
  private readonly proc;
  private waiters: (() => void)[] = [];
  readonly startedAt = process.hrtime.bigint();
  firstStatsS = NaN;
  exited: Promise<void>;
  /** Set when the process has exited (code or signal). */
  exitCode: number | string | undefined;

  private readonly trackIds: boolean;

  /** `args` go after `--events -d 1`; without `trackIds` lines are only counted (the steady state stores nothing). */
  constructor(cmdPrefix: string[], readonly errPath: string, opts: { args?: string[]; trackIds?: boolean } = {}) {
    this.trackIds = opts.trackIds ?? true;
    const argv = [...cmdPrefix, ...inNs([NODE, CLI, '--events', '-d', '1', ...(opts.args ?? [])])];
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', openSync(errPath, 'w')] });
    children.add(this.proc);
    this.exited = new Promise((r) => this.proc.on('close', (code, sig) => { this.exitCode = code ?? sig ?? 'killed'; children.delete(this.proc); r(); }));
    this.proc.stdout!.on('data', (b: Buffer) => this.onData(b));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  // The reader works on bytes and decodes only the lines it needs, as `cat` would keep up: a reader that
  // decoded every line into a string (and re-sliced one growing string) fell behind the first table's 50k
  // lines, and conntop's RSS then held the queued output, which is the reader's cost, not conntop's.
  private onData(chunk: Buffer): void {
    const b = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    let nl: number;
    while ((nl = b.indexOf(10, start)) >= 0) {
      this.onLine(b, start, nl);
      start = nl + 1;
    }
    this.rest = Buffer.from(b.subarray(start));
  }

  private onLine(b: Buffer, start: number, end: number): void {
    this.lines++;
    // Cheap routing: only stats lines and the id of new/update/destroy lines are needed.
    if (end - start >= STATS_PREFIX.length && b.compare(STATS_PREFIX, 0, STATS_PREFIX.length, start, start + STATS_PREFIX.length) === 0) {
      this.lastStats = JSON.parse(b.toString('utf8', start, end)) as Record<string, unknown>;
      if (this.statsLines++ === 0) this.firstStatsS = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    if (!this.trackIds) return;
    // A flow is its id and its original tuple: kernel ids are hashes and two live flows can share one.
    const m = /^\{"event":"(new|update|destroy)".*?"flow":\{"id":(\d+),.*?"orig":(\{[^}]*\})/.exec(b.toString('utf8', start, end));
    if (!m) return;
    if (m[1] === 'destroy') this.ids.delete(`${m[2]} ${m[3]}`);
    else this.ids.set(`${m[2]} ${m[3]}`, Number(m[2]));
  }

  /** Resolves at the next stats line (one per refresh). */
  nextStats(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.proc.kill('SIGINT');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

/** How many flows carry each kernel id. */
function countIds(ids: Iterable<number>): Map<number, number> {
  const c = new Map<number, number>();
  for (const id of ids) c.set(id, (c.get(id) ?? 0) + 1);
  return c;
}

function kernelIds(): Map<number, number> {
  const out = run(inNs(['conntrack', '-L', '-o', 'id']), { okFail: true });
  // The conntrack id is the last id= of a line (ICMP tuples print their echo id= first).
  return countIds([...out.matchAll(/ id=(\d+)\s*$/gm)].map((m) => Number(m[1])));
}

/** Flows in `a` and not in `b`, compared as multisets of ids. */
function surplus(a: Map<number, number>, b: Map<number, number>): number {
  let n = 0;
  for (const [id, k] of a) n += Math.max(0, k - (b.get(id) ?? 0));
  return n;
}

// ---- time from start to a complete table ----
async function startToTable(n: number): Promise<void> {
  log(`3: time from start to a complete table at ${n} flows (conntop --events, first stats line)`);
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Lines only counted (no ids kept), as `cat` would read them: the reader's regex per line competed for the
    // two cores with conntop and its dump-reading thread, and its backpressure was counted as conntop's time.
    const f = new Follower([], errFile, { trackIds: false });
    await f.nextStats();
    ts.push(f.firstStatsS);
    if (f.lastStats?.total !== n) log(`warning: first table holds ${String(f.lastStats?.total)} flows, want ${n}`);
    await f.stop();
  }
  const bare = interleaved([[NODE, CHILD, 'bare'], ['conntrack', '-L', '-o', 'extended']], RUNS, 0);
  const t = median(ts), bw = medianRun(bare[0]).wall, kw = medianRun(bare[1]).wall;
  results.startToTable = { n, conntopS: ts, bareNode: bare[0], conntrack: bare[1] };
  row(`start → complete table ${n / 1000}k (--events), s`, fmt(t), `bare ${fmt(bw)}`, t / bw, '≤2×', verdict(t / bw, 2));
  row(`  (same, against conntrack -L -o extended)`, fmt(t), `conntrack ${fmt(kw)}`, t / kw, 'info', '');
}

// ---- event storms ----
interface StormRow { rate: number; achieved: number; exact: boolean; died: boolean; missing: number; extra: number; drops: number; overflows: number; cpuUsPerEvent: number; conntrackDrops: number | null; conntrackEvents: number | null; conntrackVerdict: string | null }

async function stormConntop(rate: number, baseN: number): Promise<Omit<StormRow, 'conntrackDrops' | 'conntrackEvents' | 'conntrackVerdict'>> {
  const pin = (cpu: number): string[] => (existsSync('/usr/bin/taskset') ? ['taskset', '-c', String(cpu)] : []);
  const f = new Follower(pin(1), join(dirname(errFile), `follower-${rate}.err`));
  await f.nextStats();
  const before = run(inNs(['cat', '/proc/sys/net/netfilter/nf_conntrack_count'])).trim();
  const cpu0 = procCpuS(f.pid);
  const gen = JSON.parse((await runAsync([...pin(0), ...inNs([CTKIT, 'storm', String(rate), String(STORM_S)])])).trim().split('\n').pop()!) as { achieved_events_per_s: number; total_events: number; errors?: number };
  const cpu1 = procCpuS(f.pid);
  await new Promise((r) => setTimeout(r, 2000));
  // conntop's table as of its first refresh that ends more than 2 s after the storm (at most 5 s more).
  const next = await Promise.race([f.nextStats().then(() => true), f.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  if (!next && f.exitCode === undefined) log(`conntop printed no table within 7 s after the storm`);
  const died = f.exitCode !== undefined;
  const drops = netlinkDrops(f.pid);
  const kern = kernelIds();
  const mine = countIds(f.ids.values());
  const stats = f.lastStats ?? {};
  await f.stop();
  const missing = surplus(kern, mine), extra = surplus(mine, kern);
  const kernN = [...kern.values()].reduce((a, b) => a + b, 0);
  if (kernN !== baseN) log(`warning: the kernel holds ${kernN} flows after the storm, ${before} before, base was ${baseN}`);
  const err = errHead(f.errPath);
  if (err) log(`conntop stderr: ${err}`);
  if (missing || extra) {
    const lines = run(inNs(['conntrack', '-L', '-o', 'id']), { okFail: true }).split('\n');
    const sample = lines.filter((l) => { const m = / id=(\d+)\s*$/.exec(l); return m && !mine.has(Number(m[1])); }).slice(0, 3);
    log(`not exact: conntop total ${String(stats.total)}, its change stream ${f.ids.size}, kernel ${kernN}; missing e.g. ${sample.join(' || ')}`);
  }
  const events = gen.total_events - (gen.errors ?? 0);
  return {
    rate, achieved: gen.achieved_events_per_s, exact: !died && missing === 0 && extra === 0, died, missing, extra, drops,
    overflows: Number(stats.droppedEvents ?? 0), cpuUsPerEvent: ((cpu1 - cpu0) * 1e6) / Math.max(1, events),
  };
}

function stormConntrack(rate: number, dir: string): { drops: number; events: number; verdict: string } | null {
  const out = join(dir, 'storm');
  mkdirSync(out, { recursive: true });
  try {
    run([join(KIT, 'event-storm.sh'), NS, String(rate), String(STORM_S), '--mode', 'netlink', '--out', out]);
    const last = readFileSync(join(out, 'storm.jsonl'), 'utf8').trim().split('\n').pop()!;
    const r = JSON.parse(last) as { drops: number; events: number; verdict: string };
    return { drops: r.drops, events: r.events, verdict: r.verdict };
  } catch (e) {
    log(`conntrack -E trial at ${rate} ev/s failed: ${(e as Error).message}`);
    return null;
  }
}

async function storms(baseN: number, dir: string): Promise<void> {
  const out: StormRow[] = [];
  for (const rate of RATES) {
    log(`storm: ${rate} ev/s for ${STORM_S} s (netlink mode, ${baseN}-flow table): conntop --events, then conntrack -E`);
    const c = await stormConntop(rate, baseN);
    const k = stormConntrack(rate, dir);
    out.push({ ...c, conntrackDrops: k?.drops ?? null, conntrackEvents: k?.events ?? null, conntrackVerdict: k?.verdict ?? null });
  }
  results.storms = out;
  const best = out.filter((r) => r.exact).reduce((m, r) => Math.max(m, r.rate), 0);
  stormTable = table(
    ['target ev/s', 'generated', 'conntop exact 2 s after', 'missing/extra', 'kernel drops', 'ENOBUFS', 'conntop µs CPU/event', 'conntrack -E drop rate', 'conntrack -E verdict'],
    out.map((r) => [fmt(r.rate), fmt(r.achieved), r.died ? 'NO (died)' : r.exact ? 'yes' : 'NO', `${r.missing}/${r.extra}`, fmt(r.drops), fmt(r.overflows), fmt(r.cpuUsPerEvent),
      r.conntrackEvents ? `${fmt((100 * (r.conntrackDrops ?? 0)) / r.conntrackEvents)} %` : '-', r.conntrackVerdict ?? '-']),
  );
  row(`storm: highest rate with an exact table 2 s after`, best ? `${fmt(best)} ev/s` : 'none', `of ${RATES.map((r) => fmt(r)).join(', ')}`, null, 'info', '');
}
let stormTable = '';

/** The cost of an event and a stuck reader's memory (issue 9), in a namespace of its own (test/bench/event-cost.ts). */
function eventCost(): void {
  console.log('\nThe cost of an event (20k flows, --events -d 0.5, paced storms of creates and deletes) and RSS with a reader that never reads:');
  const r = spawnSync(NODE, [join(ROOT, 'dist/test/bench/event-cost.js'), '--seconds', QUICK ? '8' : '15', '--stuck-seconds', QUICK ? '30' : '300'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(r.status === 0 ? r.stdout.trim() : `event-cost exited ${String(r.status)}`);
}

async function main(): Promise<number> {
  if (ONLY?.has('tui') && ONLY.size === 1) {
    // The view's figures need no namespace of ours (its live part makes its own).
    await tuiBench(argv);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    console.log('bench: needs root (network namespaces and ctnetlink); nothing measured.');
    return 0;
  }
  if (!existsSync(join(KIT, 'mkns.sh'))) {
    // The event-cost section needs only the project (test/helpers/storm.mjs makes its events).
    console.log(`bench: the measurement kit is not at ${KIT} (set CONNTOP_BENCH_KIT); only the event-cost section runs.`);
    if (want('events')) eventCost();
    return 0;
  }
  for (const tool of ['conntrack', 'nsenter', 'ip']) {
    if (run(['sh', '-c', `command -v ${tool} || true`]).trim() === '') {
      console.log(`bench: ${tool} is missing; nothing measured.`);
      return 0;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'conntop-bench-'));
  errFile = join(dir, 'stderr');
  const t0 = Date.now();
  const load0 = loadavg()[0];
  try {
    if (want('load') || want('once') || want('decode') || want('start') || want('scale') || want('steady')) {
      fill(100000);
      if (!existsSync(CTKIT)) throw new Error(`mkns.sh did not build ${CTKIT} (needs a C compiler)`);
      // The kernel's own dump speed, for the decode row: median in-process bare dump.
      const k = [0, 1, 2].map(() => child(['bare']));
      results.kernelNsPerFlow = (median(k.map((x) => x.wallS)) * 1e9) / 100000;
    }
    if (want('load')) loadVsBare(100000);
    if (want('once')) onceVsConntrack(100000);
    if (want('decode')) decodeAlone(100000, dir);
    if (want('start')) await startToTable(100000);
    if (want('scale')) onceScaling();
    if (want('steady')) {
      if (want('scale')) fill(100000);
      await steady(100000);
      fill(50000);
      await steady(50000);
    }
    if (want('server')) {
      const env = {
        ns: NS, node: NODE, conntopd: join(ROOT, 'dist/lib/conntopd.js'), clientChild: join(ROOT, 'dist/test/bench/server-client.js'),
        runs: QUICK ? 3 : 5, windowS: QUICK ? 5 : 10, log, row, results,
      };
      deltaBytes(env);
      for (const n of [10000, 50000, 100000]) {
        fill(n);
        await serverAt(env, n);
      }
    }
    if (STORM && want('storm')) {
      fill(10000);
      if (want('steady')) await steady(10000);
      await storms(10000, dir);
    } else if (want('steady')) {
      fill(10000);
      await steady(10000);
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    run([join(KIT, 'rmns.sh'), NS], { okFail: true });
    rmSync(dir, { recursive: true, force: true });
  }
  results.seconds = (Date.now() - t0) / 1000;
  results.loadavg = [load0, loadavg()[0]];
  console.log(`\nconntop benchmark: kernel ${results.kernel as string}, node ${process.version}, ${RUNS} runs per figure (medians), load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}, ${fmt(results.seconds as number)} s\n`);
  console.log(table(['measure', 'conntop', 'reference', 'ratio', 'target', 'met?'], rows));
  if (stormTable) console.log(`\nEvent storms (ctkit storm, netlink mode, creates+deletes paced every 1 ms; conntop --events -d 1 on CPU 1, generator on CPU 0):\n${stormTable}`);
  const ji = argv.indexOf('--keep-json');
  const jsonPath = ji >= 0 ? argv[ji + 1] : join(CACHE, 'results', 'conntop-bench.json');
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 1)}\n`);
  console.log(`\nraw figures: ${jsonPath}`);
  if (want('events')) eventCost();
  if (want('enrich')) {
    // Enrichment at 50k flows (issue 4): its own namespace and children, after ours are gone.
    console.log('\nEnrichment at 50k flows (GeoIP, services, processes, reverse DNS against a slow server):');
    await enrichBench([]);
  }
  if (want('tui')) await tuiBench(argv);
  return 0;
}

const onSignal = (): void => {
  for (const c of children) c.kill('SIGKILL');
  run([join(KIT, 'rmns.sh'), NS], { okFail: true });
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
withoutExtraCaCerts();
main().then((code) => (process.exitCode = code), (e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
