// The interactive view's benchmark (test/bench only, never unit tests), `npm run bench -- --only tui` or
// `node dist/test/bench/tui-bench.js [--no-live] [--idle-only] [--keys-only] [--storm-rate N] [--cpu-prof DIR] [--node-args ARGS]`:
// 1. In process, on a synthetic 100k-flow table: a frame (tick + render), a re-sort per column, and the work of
//    a key (PageDown at the top and at row 90,000, a sort change, a filter keystroke) including its frame.
// 2. Live (root, the kit in ../shared/bench, tmux): conntop on a 100k-flow namespace in a 200x50 tmux, with a
//    paced event storm (test/helpers/storm.mjs, N events/s, default 3000) in the namespace; keys sent at random
//    phases of the 1 s refresh through one tmux control-mode client (../helpers/tmux-control.ts): latency from
//    the write of send-keys to the arrival of the pane output after which capture-pane -e first shows the key's
//    effect (colours included: a PageDown changes which line carries the selection colours). The instrument's
//    floor is measured first, on a pane running `cat`. --cpu-prof DIR: the live conntop writes a V8 profile;
//    --node-args ARGS: more node options for it (e.g. --import a GC observer). KEYLOG=FILE: each live key as
//    [measure, monotonic ms just before its send-keys, latency ms] in JSON, to match against a --cpu-prof profile
//    (whose timestamps are the same clock, in µs): the worst sort change was the first, its code still cold.
// 3. Idle (live, same kit): the view at 50,000 flows with a 1 s refresh and nothing pressed, its CPU (utime +
//    stime) over 10 s and its highest VmRSS, next to a bare kernel dump every second (./load-child.js bare), the
//    mean of 10 s just before the view and 10 s just after it; three such views alternate with the bare windows,
//    and the median of their ratios is the figure.
// Median and worst of 50 each. Imports the tui/ and lib/ sources it measures, ../helpers, ./proc and node: modules.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { render } from '../../tui/render.js';
import { THEMES } from '../../tui/theme.js';
import { handleKey } from '../../tui/view-keys.js';
import { fakeEffects, INFO, synthView } from '../helpers/tui-view.js';
import { TmuxPane } from '../helpers/tmux.js';
import { TmuxControl } from '../helpers/tmux-control.js';
import { fmt, median, procCpuS, procMemKiB, table, withoutExtraCaCerts } from './proc.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const KIT = resolve(process.env.CONNTOP_BENCH_KIT ?? join(ROOT, '../shared/bench'));
const CLI = join(ROOT, 'dist/lib/cli.js');
const STORM = join(ROOT, 'test/helpers/storm.mjs');
const N = 100_000;
const REPS = 50;

type Row = string[];
const stats = (xs: number[]): [string, string] => [fmt(median(xs)), fmt(Math.max(...xs))];

/** Times `fn` REPS times (after 5 warm-up calls); ms. */
function time(fn: (i: number) => void): number[] {
  for (let i = 0; i < 5; i++) fn(i);
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Part 1: in process, synthetic table. */
export function inProcess(): Row[] {
  const rows: Row[] = [];
  const { view } = synthView(N, 200, 50);
  const fx = fakeEffects();
  const frame = () => {
    view.tick();
    render(view, THEMES.default, INFO);
  };
  rows.push(['frame (tick + render), 200x50', ...stats(time(frame)), '16']);
  for (const col of ['rate', 'src', 'proto', 'state', 'age']) {
    view.settings.sortBy = col;
    rows.push([`re-sort by ${col} (snapshot, keys, sort)`, ...stats(time(() => view.resort())), '50']);
  }
  view.settings.sortBy = 'rate';
  view.resort();
  const key = (k: string) => { handleKey(view, k, fx); frame(); };
  rows.push(['PageDown at the top, with its frame', ...stats(time((i) => key(i % 2 ? 'PAGE_UP' : 'PAGE_DOWN'))), '50']);
  view.select(90_000);
  rows.push(['PageDown at row 90,000, with its frame', ...stats(time((i) => key(i % 2 ? 'PAGE_UP' : 'PAGE_DOWN'))), '50']);
  rows.push(['sort change (> and <), with its frame', ...stats(time((i) => key(i % 2 ? '<' : '>'))), '50']);
  handleKey(view, '\\', fx);
  for (const c of 'dport:') handleKey(view, c, fx);
  rows.push(['filter keystroke (dport:4, backspace), with its frame', ...stats(time((i) => key(i % 2 ? 'BACKSPACE' : '4'))), '50']);
  return rows;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The instrument's own floor: send-keys to a pane running `cat` until the echoed character is on the screen. */
async function instrumentFloor(): Promise<Row[]> {
  const pane = new TmuxPane('exec cat', 200, 50);
  const ctl = new TmuxControl(pane);
  try {
    await ctl.ready;
    const text = (l: string[]) => l.join('').replace(/\s+/g, '');
    const xs: number[] = [];
    for (let i = 0; i < REPS + 5; i++) {
      const ms = await ctl.keyToScreen([String(i % 10)], (a, b) => text(a) !== text(b));
      if (i >= 5) xs.push(ms);
      if (i % 20 === 19) await ctl.command('send-keys Enter').reply;
    }
    const caps: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      await ctl.screen();
      caps.push(performance.now() - t0);
    }
    return [
      ['instrument floor: send-keys to `cat` until its echo is on screen (control mode)', ...stats(xs), '-'],
      ['one capture-pane -e through the control client', ...stats(caps), '-'],
    ];
  } finally {
    ctl.close();
    pane.kill();
  }
}

/** conntop's view (-d 1, no DNS, no GeoIP) in namespace `ns` in a 200x50 tmux pane; `nodeFlags` end with a blank. */
function viewPane(ns: string, nodeFlags = ''): TmuxPane {
  return new TmuxPane(`ip netns exec ${ns} node ${nodeFlags}${CLI} -d 1 --no-dns --no-geoip; exec sleep 3600`, 200, 50, { TERM: 'xterm-256color', PATH: process.env.PATH ?? '', HOME: '/nonexistent' });
}

/** A paced event storm (test/helpers/storm.mjs) in namespace `ns`, killed by its PID when the measurement ends. */
function startStorm(ns: string, rate: number, seconds: number): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, STORM, '--paced', String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The line index and plain text of the line that carries the selection colours (black on cyan). */
function selection(lines: string[]): string {
  const h = lines.findIndex((l) => /[▲▼]/.test(l));
  const i = lines.findIndex((l, y) => y > h && /\x1b\[[0-9;]*46m/.test(l) && y < lines.length - 1);
  return i < 0 ? '' : `${i}:${lines[i].replace(/\x1b\[[0-9;]*m/g, '').slice(0, 100)}`;
}
const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
const headerOf = (lines: string[]) => plain(lines.find((l) => /[▲▼]/.test(l)) ?? '');

/** Events per second of the storm that runs during the live key measurements (--storm-rate N; 0: none). */
const STORM_RATE_DEFAULT = 3000;

/** Part 2: live, through tmux, on a namespace of N flows, with a paced event storm running. */
export async function live(stormRate = STORM_RATE_DEFAULT, profDir = '', nodeArgs = ''): Promise<Row[]> {
  const ns = `conntop-tuibench-${process.pid}`;
  const rows: Row[] = [];
  spawnSync(join(KIT, 'mkns.sh'), [ns, String(N), '--quiet'], { stdio: 'inherit' });
  const nodeFlags = `${profDir ? `--cpu-prof --cpu-prof-dir ${profDir} ` : ''}${nodeArgs ? `${nodeArgs} ` : ''}`;
  const pane = viewPane(ns, nodeFlags);
  const ctl = new TmuxControl(pane);
  const keyLog: Array<[string, number, number]> = [];
  let storm: ChildProcess | null = null;
  try {
    const t0 = performance.now();
    await pane.waitFor((l) => l.some((x) => /^Flows /.test(x)), 'the first screen', 30_000);
    const first = performance.now() - t0;
    await pane.waitFor((l) => l.some((x) => /^Flows .*100k\//.test(x)) && !l[0].includes('loading'), 'the loaded table', 60_000);
    const loaded = performance.now() - t0;
    await ctl.ready;
    rows.push(['start to first screen / to the loaded table (ms, one run)', fmt(first), fmt(loaded), '500']);
    if (stormRate > 0) {
      storm = startStorm(ns, stormRate, 3600);
      await sleep(2000); // the storm's flows are in the table and its events flowing
    }
    const stormNote = stormRate > 0 ? `, storm ${stormRate} ev/s` : ', no storm';
    const measure = async (label: string, keys: string[][], changed: (a: string[], b: string[]) => boolean) => {
      const xs: number[] = [];
      for (let i = 0; i < REPS; i++) {
        await sleep(Math.random() * 1000); // a random phase of the 1 s refresh
        const monoMs = Number(process.hrtime.bigint()) / 1e6;
        xs.push(await ctl.keyToScreen(keys[i % keys.length], changed));
        keyLog.push([label, monoMs, xs[xs.length - 1]]);
      }
      rows.push([`${label} (live${stormNote})`, ...stats(xs), '50']);
    };
    const moved = (a: string[], b: string[]) => selection(a) !== selection(b);
    pane.keys('Home');
    await sleep(300);
    await measure('PageDown at the top', [['NPage'], ['PPage']], moved);
    for (let i = 0; i < 5; i++) { pane.keys('End'); await sleep(50); }
    for (let i = 0; i < Math.ceil(10_000 / 46); i++) pane.keys('PPage');
    await sleep(1000);
    await measure('PageDown at row ~90,000', [['NPage'], ['PPage']], moved);
    await measure('sort change > and <', [['>'], ['<']], (a, b) => headerOf(a) !== headerOf(b));
    pane.keys('\\');
    pane.keys('-l', 'dport:');
    await sleep(300);
    const bottom = (l: string[]) => plain(l[l.length - 1]);
    await measure('filter keystroke', [['4'], ['BSpace']], (a, b) => bottom(a) !== bottom(b));
    if (storm) {
      storm.kill();
      storm = null;
    }
    if (process.env.KEYLOG) writeFileSync(process.env.KEYLOG, JSON.stringify(keyLog));
    pane.keys('Escape', 'q');
    if (profDir || nodeArgs) await pane.waitFor((l) => !l.some((x) => /^Flows /.test(x)), 'conntop to quit (writing its profile)', 30_000).catch(() => undefined);
  } finally {
    storm?.kill();
    ctl.close();
    pane.kill();
    spawnSync(join(KIT, 'rmns.sh'), [ns]);
  }
  return rows;
}

const IDLE_N = 50_000;
/**
 * The idle view's window: IDLE_S seconds from 3 s after the table loaded. Its first IDLE_FIRST_S seconds are
 * reported apart: they hold V8's memory reducer, which collects the whole heap once, 8 s after start-up's last
 * full collection, when the loaded table goes quiet (a one-off of about 100 ms of CPU at 50k flows, mostly on
 * V8's helper threads; a 30 s GC log from start showed no other full collection after it). A user's `top` over half a minute sees the window.
 */
const IDLE_S = 30;
const IDLE_FIRST_S = 10;
/** The bare dump's window (it has no start-up in its figure: load-child.js counts from its first dump). */
const BARE_S = 10;

/** CPU s/s of a bare kernel dump every second (./load-child.js bare) in namespace `ns`, over BARE_S seconds after its first dump. */
function bareCpuPerS(ns: string): number {
  const bare = JSON.parse(spawnSync('ip', ['netns', 'exec', ns, process.execPath, join(ROOT, 'dist/test/bench/load-child.js'), 'bare', '--repeat', String(BARE_S + 1), '--interval-ms', '1000'], { encoding: 'utf8' }).stdout) as { steadyCpuS: number; steadyWallS: number };
  return bare.steadyCpuS / bare.steadyWallS;
}

/** Rounds of the idle view, each between two bare-dump windows (the host drifts by a fifth within a minute). */
const IDLE_ROUNDS = 3;

/**
 * One idle view in namespace `ns`: its CPU s/s over IDLE_S seconds once loaded and settled, over the first
 * IDLE_FIRST_S of them, and its highest VmRSS (KiB).
 */
async function idleView(ns: string): Promise<{ cpu: number; cpuFirst: number; rss: number }> {
  const pane = viewPane(ns);
  try {
    await pane.waitFor((l) => l.some((x) => /^Flows .*50k\//.test(x)) && !l[0].includes('loading'), 'the loaded table', 60_000);
    // The pane's shell runs `ip netns exec … node`, which execs node: the shell's child is the view.
    const sh = Number(pane.variable('pane_pid'));
    const pid = Number(spawnSync('pgrep', ['-P', String(sh)], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
    await sleep(3000); // past start-up's first refreshes
    const t0 = performance.now();
    const cpu0 = procCpuS(pid);
    let rss = 0;
    let cpuFirst = NaN;
    for (let i = 1; i <= IDLE_S; i++) {
      // Paced from the window's start, so that IDLE_S samples take IDLE_S seconds whatever the reads cost.
      await sleep(Math.max(0, t0 + i * 1000 - performance.now()));
      rss = Math.max(rss, procMemKiB(pid).VmRSS ?? 0);
      if (i === IDLE_FIRST_S) cpuFirst = (procCpuS(pid) - cpu0) / ((performance.now() - t0) / 1000);
    }
    const cpu = (procCpuS(pid) - cpu0) / ((performance.now() - t0) / 1000);
    pane.keys('q');
    return { cpu, cpuFirst, rss };
  } finally {
    pane.kill();
  }
}

/**
 * Part 3: idle CPU and RSS of the view at IDLE_N flows against a bare dump every second. IDLE_ROUNDS views
 * alternate with bare-dump windows; each view is compared with the mean of the windows just before and just
 * after it, and the median of the rounds' ratios is the figure (one view between two windows moved from 1.45×
 * to 1.82× between two runs of the same code, the bare dump drifting by a fifth within the section).
 */
export async function idle(): Promise<Row[]> {
  const ns = `conntop-tuiidle-${process.pid}`;
  spawnSync(join(KIT, 'mkns.sh'), [ns, String(IDLE_N), '--quiet'], { stdio: 'inherit' });
  try {
    const bare = [bareCpuPerS(ns)];
    const views: number[] = [];
    const firsts: number[] = [];
    let rss = 0;
    for (let r = 0; r < IDLE_ROUNDS; r++) {
      const v = await idleView(ns);
      views.push(v.cpu);
      firsts.push(v.cpuFirst);
      rss = Math.max(rss, v.rss);
      bare.push(bareCpuPerS(ns));
    }
    const ratiosOf = (xs: number[]): number[] => xs.map((v, r) => v / ((bare[r] + bare[r + 1]) / 2));
    const ratios = ratiosOf(views), firstRatios = ratiosOf(firsts);
    const ratio = median(ratios);
    const bareMid = median(bare);
    return [
      [`idle view at 50k flows, -d 1: CPU s/s over ${IDLE_S} s from 3 s after loading, median of ${IDLE_ROUNDS} (${views.map((x) => fmt(x)).join(', ')}); bare dump every second ${bare.map((x) => fmt(x)).join(', ')}; ratios ${ratios.map((x) => fmt(x)).join(', ')}, median ${fmt(ratio)}`, fmt(median(views)), '-', `${fmt(1.5 * bareMid)}`],
      [`  the window's first ${IDLE_FIRST_S} s alone (V8's one memory-reducing collection after start-up): ${firsts.map((x) => fmt(x)).join(', ')}; ratios ${firstRatios.map((x) => fmt(x)).join(', ')}, median ${fmt(median(firstRatios))}`, fmt(median(firsts)), '-', 'info'],
      [`idle view at 50k flows: highest VmRSS, MiB (${IDLE_ROUNDS} runs)`, fmt(rss / 1024), '-', '150'],
    ];
  } finally {
    spawnSync(join(KIT, 'rmns.sh'), [ns]);
  }
}

/** Prints both parts (the live one when root, the kit and tmux are there). */
export async function main(argv: string[]): Promise<void> {
  const rows = argv.includes('--idle-only') || argv.includes('--keys-only') ? [] : inProcess();
  const canLive = process.getuid?.() === 0 && existsSync(join(KIT, 'mkns.sh')) && spawnSync('tmux', ['-V']).status === 0;
  if (canLive && !argv.includes('--no-live')) {
    if (!argv.includes('--idle-only')) {
      rows.push(...(await instrumentFloor()));
      const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
      rows.push(...(await live(Number(opt('--storm-rate') ?? STORM_RATE_DEFAULT), opt('--cpu-prof') ?? '', opt('--node-args') ?? '')));
    }
    if (!argv.includes('--keys-only')) rows.push(...(await idle()));
  }
  else rows.push(['live part skipped (needs root, the kit and tmux)', '-', '-', '-']);
  console.log(`\nThe interactive view at ${N.toLocaleString('en-US')} flows (ms, median and worst of ${REPS}):`);
  console.log(table(['measure', 'median', 'worst', 'target'], rows));
  console.log(`load average after the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  withoutExtraCaCerts();
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`tui-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
