// Benchmark helpers (test/bench only, never unit tests): run commands, in or out of the benchmark namespace,
// time whole processes with the kit's `ctkit run` (wall, user, sys, peak RSS from wait4), read a live one's CPU and memory from /proc,
// and summarise. Imports only node: modules.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Whole-process figures of one run, as `ctkit run` prints them (seconds, KiB). */
export interface ProcRun {
  wall: number;
  user: number;
  sys: number;
  maxrss_kb: number;
  rc: number;
}

/**
 * Removes NODE_EXTRA_CA_CERTS from this process's environment, so that every process the benchmark starts
 * (conntop and the node references alike) runs without it. Why: this machine sets it for every process, and
 * node 20 then reads and parses the whole CA bundle at start, before any script runs: 40 ms a start here
 * (`node -e 0` 20 ms without it, 60 ms with it), counted in every whole-process figure against the C tools.
 * conntop opens no TLS connection, and `sudo conntop` never sees the variable (sudo's env_reset drops it).
 */
export function withoutExtraCaCerts(): void {
  delete process.env.NODE_EXTRA_CA_CERTS;
}

/** Children started by the benchmark, killed by PID on an early exit. */
export const children = new Set<ChildProcess>();

/** Runs argv to completion; returns stdout. Throws with stderr on a non-zero exit unless `okFail`. */
export function run(argv: string[], opts: { okFail?: boolean; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, env: opts.env ?? process.env, input: opts.input });
  if (r.error) throw r.error;
  if (r.status !== 0 && !opts.okFail) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/** Runs argv asynchronously (the event loop keeps turning, e.g. to read another child's pipe); resolves with stdout. */
export function runAsync(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(c);
    let out = '', err = '';
    c.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    c.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    c.on('error', reject);
    c.on('close', (code) => {
      children.delete(c);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of each figure over runs (each figure separately). */
export function medianRun(runs: ProcRun[]): ProcRun & { cpu: number } {
  return {
    wall: median(runs.map((r) => r.wall)),
    user: median(runs.map((r) => r.user)),
    sys: median(runs.map((r) => r.sys)),
    cpu: median(runs.map((r) => r.user + r.sys)),
    maxrss_kb: median(runs.map((r) => r.maxrss_kb)),
    rc: Math.max(...runs.map((r) => r.rc)),
  };
}

/** Clock ticks per second of /proc/PID/stat's times (getconf CLK_TCK; 100 on every common Linux build). */
let clkTck: number | undefined;
function ticksPerS(): number {
  return (clkTck ??= Number(run(['getconf', 'CLK_TCK'], { okFail: true }).trim()) || 100);
}

/** utime and stime of a live process from /proc/PID/stat, in seconds; NaN once it is gone. */
export function procTimesS(pid: number): { user: number; sys: number } {
  try {
    const stat = require0('/proc/' + pid + '/stat');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / ticksPerS(), sys: Number(f[12]) / ticksPerS() };
  } catch {
    return { user: NaN, sys: NaN };
  }
}

/** user + sys of a live process, in seconds; NaN once it is gone. */
export function procCpuS(pid: number): number {
  const t = procTimesS(pid);
  return t.user + t.sys;
}

/** The memory lines of /proc/PID/status (VmRSS, RssAnon, VmHWM, ...), in KiB; empty once the process is gone. */
export function procMemKiB(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const m of require0(`/proc/${pid}/status`).matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]] = Number(m[2]);
  } catch {
    // gone: no figures
  }
  return out;
}

/** Kernel-side drops summed over PID's netlink sockets that joined groups (/proc/PID/net/netlink, column Drops). */
export function netlinkDrops(pid: number): number {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = '';
      try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]);
    }
    let drops = 0;
    for (const line of require0(`/proc/${pid}/net/netlink`).split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length >= 10 && c[3] !== '00000000' && inodes.has(c[9])) drops += Number(c[8]);
    }
    return drops;
  } catch {
    return NaN;
  }
}

function require0(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Formats a number for the tables: 3 significant digits, thousands separated. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

/** A markdown-ish table: header row, separator, rows; columns padded to their widest cell. */
export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [line(head), `|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|')}|`, ...rows.map(line)].join('\n');
}
