// Benchmark (never run by unit tests; root needed): what an event costs conntop --events, and its memory with a
// reader that never reads. Needs only the project itself (test/helpers/storm.mjs makes the events), not ../shared.
//   node dist/test/bench/event-cost.js [--flows 20000] [--rates 3000,30000] [--seconds 10] [--rounds 3] [--warmup 2] [--stuck-seconds 60]
//     [--cpu-prof DIR] (the measured conntop writes a V8 CPU profile into DIR when it stops)
// In a throw-away namespace: fills the table with FLOWS entries, runs `conntop --events -d 0.5` (its stdout read
// and its stats lines counted), takes its CPU time (/proc/PID/stat) over idle windows and paced storms of each
// rate, alternated --rounds times (SECONDS in all for each). On a shared host a starved process refreshes less often, so CPU is compared per refresh: the added
// cost per event is (storm CPU - storm refreshes x idle CPU per refresh) / events. Then `--events` into a pipe nobody reads during a
// storm: RSS sampled every second. Prints one JSON line.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withoutExtraCaCerts } from './proc.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const FLOWS = Number(opt('--flows', '20000'));
const RATES = opt('--rates', '3000,30000').split(',').map(Number);
const SECONDS = Number(opt('--seconds', '10'));
const STUCK_S = Number(opt('--stuck-seconds', '60'));
const ROUNDS = Number(opt('--rounds', '3'));
/** Seconds of storm before the first window, not measured (--warmup 0: none). */
const WARMUP_S = Number(opt('--warmup', '2'));
const PROF_DIR = opt('--cpu-prof', '');
const CLI = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));
const STORM = fileURLToPath(new URL('../../../test/helpers/storm.mjs', import.meta.url));
const NS = `conntop-evcost-${process.pid}`;
const TICKS = 100; // USER_HZ on Linux
const log = (s: string): void => void process.stderr.write(`[event-cost] ${s}\n`);

const inNs = (cmd: string, args: string[]): [string, string[]] => ['ip', ['netns', 'exec', NS, cmd, ...args]];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in seconds, and its RSS in KiB. */
function usage(pid: number): { cpuS: number; userS: number; sysS: number; rssKiB: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const userS = Number(f[11]) / TICKS, sysS = Number(f[12]) / TICKS; // fields 14 and 15 of stat, counted after "pid (comm)"
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS: userS + sysS, userS, sysS, rssKiB: rss ? Number(rss[1]) : 0 };
}

/** Wall time, CPU (all, user, system) and refreshes summed over the windows of one kind (idle or storm). */
interface Window { wallS: number; cpuS: number; userS: number; sysS: number; refreshes: number }
const emptyWindow = (): Window => ({ wallS: 0, cpuS: 0, userS: 0, sysS: 0, refreshes: 0 });

/** Adds window `b` into `a`. */
function addWindow(a: Window, b: Window): void {
  a.wallS += b.wallS;
  a.cpuS += b.cpuS;
  a.userS += b.userS;
  a.sysS += b.sysS;
  a.refreshes += b.refreshes;
}

/**
 * CPU (all, user or system) a storm window added per event, in µs (one decimal): the storm's CPU less its
 * refreshes at the idle window's cost per refresh (a starved process refreshes less often), over its events.
 */
function addedUs(idle: Window, storm: Window, events: number, k: 'cpuS' | 'userS' | 'sysS'): number {
  return Math.round(((storm[k] - (storm.refreshes * idle[k]) / Math.max(1, idle.refreshes)) * 1e6) / Math.max(1, events) * 10) / 10;
}

/** Runs `run` and adds what process `pid` spent meanwhile (and the refreshes `count` saw) to `w`. */
async function measured<T>(w: Window, pid: number, count: () => number, run: () => Promise<T>): Promise<T> {
  const u0 = usage(pid), r0 = count(), t0 = performance.now();
  const out = await run();
  const u1 = usage(pid);
  w.wallS += (performance.now() - t0) / 1000;
  w.cpuS += u1.cpuS - u0.cpuS;
  w.userS += u1.userS - u0.userS;
  w.sysS += u1.sysS - u0.sysS;
  w.refreshes += count() - r0;
  return out;
}

function stormJson(args: string[]): { events?: number; created?: number } {
  const [cmd, a] = inNs(process.execPath, [STORM, ...args]);
  return JSON.parse(execFileSync(cmd, a, { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').pop()!) as { events?: number; created?: number };
}

/** Runs a paced storm in the background and resolves with its event count. */
function pacedStorm(rate: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const [cmd, a] = inNs(process.execPath, [STORM, '--paced', String(rate), String(seconds)]);
    const c = spawn(cmd, a, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.once('exit', (code) => (code === 0 ? resolve((JSON.parse(out.trim()) as { events: number }).events) : reject(new Error(`storm exited ${code}`))));
  });
}

function startConntop(stdout: 'ignore' | 'pipe', prof = false): ChildProcess {
  const node = prof && PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : [];
  const [cmd, a] = inNs(process.execPath, [...node, CLI, '--events', '-d', '0.5', '-n', '--no-geoip', '--no-services', '--no-processes']);
  return spawn(cmd, a, { stdio: ['ignore', stdout, 'inherit'] });
}

async function stop(c: ChildProcess): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', NS]);
  try {
    const [cmd, a] = inNs('ip', ['link', 'set', 'lo', 'up']);
    execFileSync(cmd, a);
    stormJson([String(FLOWS), String(FLOWS), '200']);
    log(`table filled with ${FLOWS} flows`);
    const costs: { rate: number; events: number; eventsPerS: number; idleCpuPct: number; stormCpuPct: number; addedUsPerEvent: number }[] = [];
    const c = startConntop('pipe', true);
    let refreshes = 0;
    createInterface({ input: c.stdout! }).on('line', (l) => {
      if (l.startsWith('{"event":"stats"')) refreshes++;
    });
    await sleep(3000); // start-up and the first refreshes
    // A first storm compiles the event path (about 50 functions optimised on V8's worker threads, 0.1-0.2 s of
    // CPU once per process): without it that one-off cost lands on whichever rate is measured first.
    if (WARMUP_S > 0) {
      await pacedStorm(RATES[0], WARMUP_S);
      await sleep(1000);
    }
    for (const rate of RATES) {
      // Idle and storm windows alternate ROUNDS times and are summed: the host's speed drifts over a minute (the
      // idle refresh's CPU moved 80-100 ms between runs), and alternation cancels most of that drift.
      const idle = emptyWindow(), storm = emptyWindow();
      let events = 0;
      const count = (): number => refreshes;
      // Each round's own figure too: on this kind of shared host they spread widely (3k events/s: 12-26 µs an
      // event between runs minutes apart), and the spread says how far one run's total can be trusted.
      const rounds: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const i = emptyWindow(), s = emptyWindow();
        await measured(i, c.pid!, count, () => sleep((SECONDS / ROUNDS) * 1000));
        const n = await measured(s, c.pid!, count, () => pacedStorm(rate, SECONDS / ROUNDS));
        rounds.push(addedUs(i, s, n, 'cpuS'));
        addWindow(idle, i);
        addWindow(storm, s);
        events += n;
      }
      const perRefresh = idle.cpuS / Math.max(1, idle.refreshes);
      const added = (k: 'cpuS' | 'userS' | 'sysS'): number => addedUs(idle, storm, events, k);
      const row = {
        rate, events, eventsPerS: Math.round(events / storm.wallS), idleCpuPct: Math.round((idle.cpuS / idle.wallS) * 1000) / 10, stormCpuPct: Math.round((storm.cpuS / storm.wallS) * 1000) / 10,
        idleRefreshes: idle.refreshes, stormRefreshes: storm.refreshes, idleCpuMsPerRefresh: Math.round(perRefresh * 1e4) / 10,
        addedUsPerEvent: added('cpuS'),
        // The same split into user and system time (the kernel's dump runs in our recvmsg, so it is system time).
        addedUserUs: added('userS'),
        addedSysUs: added('sysS'),
        addedUsPerRound: rounds,
      };
      log(JSON.stringify(row));
      costs.push(row);
    }
    await stop(c);

    // A reader that never reads: stdout is a pipe this process never drains.
    const stuck = startConntop('pipe');
    await sleep(3000);
    const rss: number[] = [];
    const storm = pacedStorm(RATES[0], STUCK_S);
    for (let s = 0; s < STUCK_S; s++) {
      await sleep(1000);
      rss.push(Math.round(usage(stuck.pid!).rssKiB / 1024));
    }
    await storm;
    const t0 = performance.now();
    await stop(stuck);
    const stopMs = Math.round(performance.now() - t0);
    const half = Math.floor(rss.length / 2);
    const stuckRow = { rate: RATES[0], seconds: STUCK_S, rssMiBFirst: rss[0], rssMiBMid: rss[half], rssMiBLast: rss[rss.length - 1], rssMiBMax: Math.max(...rss), rssMiBEvery10s: rss.filter((_, i) => i % 10 === 9), stopMs, exit: stuck.exitCode ?? stuck.signalCode };
    log(JSON.stringify(stuckRow));
    process.stdout.write(`${JSON.stringify({ flows: FLOWS, costs, stuck: stuckRow })}\n`);
  } finally {
    spawnSync('ip', ['netns', 'del', NS]);
  }
}

withoutExtraCaCerts();
main().catch((e: unknown) => {
  process.stderr.write(`event-cost: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
