// Enrichment benchmark (test/bench only, never unit tests): the CPU each refresh costs with every enrichment part on
// (GeoIP from the embedded defaults, services, processes over sock_diag, reverse DNS against a slow server), and the
// longest event-loop stall, next to the same live pipeline without enrichment, at 50k flows.
// Run as root: `node dist/test/bench/enrich-bench.js [--flows 50000] [--public 10000] [--refreshes 13] [--rounds 1]
// [--json FILE]`, or import { main }. Uses the kit in ../shared/bench (mkns.sh, rmns.sh); exits 0 with a message when the
// kit, root or a tool is missing. Children (./enrich-child.js) run in the namespace through `ip netns exec`.
// Imports lib/enrich/addr-class.ts (to keep the injected remote addresses public) and node: modules.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { classifyAddress } from '../../lib/enrich/addr-class.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const KIT = resolve(process.env.CONNTOP_BENCH_KIT ?? join(ROOT, '../shared/bench'));
const CHILD = join(ROOT, 'dist/test/bench/enrich-child.js');
const NODE = process.execPath;
/** Refreshes skipped as warm-up: the ASN CSV loads in the background for about the first second or two. */
const WARMUP = 3;
const STALL_TARGET_MS = 20;
const CORE_TARGET_PCT = 5;

interface Interval { cpuMs: number; stallMs: number; stallOutMs: number; gcMaxMs: number; enrichMs: number; dumpMs: number; flows: number; changes: number; enriched: number }
interface ChildOut {
  mode: 'off' | 'visible' | 'all';
  startup: { wallMs: number; cpuMs: number; stallMs: number; enrichMs: number; flows: number };
  intervals: Interval[];
  found: Record<string, number | string> | null;
  maxRssKiB: number;
}

const log = (s: string): void => void process.stderr.write(`[enrich-bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

function run(argv: string[], okFail = false): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !okFail) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `conntrack -R` lines for `n` flows with public far ends (the kit's own mix has loopback and documentation addresses
 * only, which GeoIP and reverse DNS skip): 60% outbound from 127.9/16 (some IPv6 from ::1), 20% inbound to 127.0.0.1,
 * 20% forwarded from 192.168/16. Far ends come from a pool of `pool` distinct addresses, more than the GeoIP and DNS
 * caches hold (4096 each): the worst case for both.
 */
export function publicFlows(n: number, pool: number): string[] {
  const rnd = prng(42);
  const int = (k: number): number => Math.floor(rnd() * k);
  const v4: string[] = [];
  const seen = new Set<string>();
  while (v4.length < pool) {
    const a = `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}`;
    if (!seen.has(a) && classifyAddress(a) === 'public') { seen.add(a); v4.push(a); }
  }
  const v6 = Array.from({ length: Math.max(1, pool >> 4) }, () => `2a0${int(10)}:${int(65536).toString(16)}:${int(65536).toString(16)}::${(1 + int(65535)).toString(16)}`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const tcp = rnd() < 0.7;
    const proto = tcp ? 'tcp' : 'udp';
    const dport = tcp ? [443, 443, 80, 22, 993, 5222][int(6)] : [53, 123, 443, 3478][int(4)];
    const sport = 32768 + int(28000);
    const state = tcp ? '--state ESTABLISHED -t 86400 -u SEEN_REPLY,ASSURED' : '-t 86400 -u SEEN_REPLY,ASSURED';
    const far = v4[int(v4.length)];
    const u = rnd();
    if (u < 0.05) lines.push(`-I -p ${proto} -s ::1 -d ${v6[int(v6.length)]} --sport ${sport} --dport ${dport} ${state}`);
    else if (u < 0.6) lines.push(`-I -p ${proto} -s 127.9.${(i >> 8) & 255}.${i & 255} -d ${far} --sport ${sport} --dport ${dport} ${state}`);
    else if (u < 0.8) lines.push(`-I -p ${proto} -s ${far} -d 127.0.0.1 --sport ${sport} --dport ${tcp ? [443, 22, 80][int(3)] : 53} ${state}`);
    else lines.push(`-I -p ${proto} -s 192.168.${int(256)}.${1 + int(254)} -d ${far} --sport ${sport} --dport ${dport} ${state}`);
  }
  return lines;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, k) => {
    const line = `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
    return k === 0 ? `${line}\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|` : line;
  }).join('\n');
}

/** Runs one child in the namespace; resolves with its JSON line. */
function child(ns: string, args: string[], kids: Set<ChildProcess>): Promise<ChildOut> {
  return new Promise((resolveOut, reject) => {
    const c = spawn('ip', ['netns', 'exec', ns, NODE, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    kids.add(c);
    let out = '', err = '';
    c.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    c.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    c.on('error', reject);
    c.on('close', (code) => {
      kids.delete(c);
      if (err.trim()) log(`child ${args.join(' ')}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
      if (code !== 0) return reject(new Error(`enrich-child ${args.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      try {
        resolveOut(JSON.parse(out.trim().split('\n').pop()!) as ChildOut);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Starts the slow DNS server in the namespace and waits for its `ready` line. */
function dnsServer(ns: string, port: number, delayMs: number, kids: Set<ChildProcess>): Promise<ChildProcess> {
  return new Promise((res, reject) => {
    const c = spawn('ip', ['netns', 'exec', ns, NODE, CHILD, 'dns-server', '--port', String(port), '--delay-ms', String(delayMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    kids.add(c);
    c.on('error', reject);
    c.on('exit', () => kids.delete(c));
    c.stderr!.setEncoding('utf8').on('data', (s: string) => log(`dns-server: ${s.trim()}`));
    c.stdout!.setEncoding('utf8').on('data', (s: string) => { if (s.includes('ready')) res(c); });
    setTimeout(() => reject(new Error('the DNS server did not start')), 10_000).unref();
  });
}

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const N = opt('--flows', 50_000);
  const PUBLIC = Math.min(N, opt('--public', Math.round(N / 5)));
  const REFRESHES = opt('--refreshes', 13);
  const ROUNDS = opt('--rounds', 1);
  const VISIBLE = opt('--visible', 200);
  const ji = args.indexOf('--json');
  const JSON_OUT = ji >= 0 ? args[ji + 1] : undefined;

  const missing = [
    typeof process.getuid === 'function' && process.getuid() !== 0 ? 'root' : '',
    existsSync(join(KIT, 'mkns.sh')) ? '' : `the measurement kit (${KIT})`,
    existsSync(CHILD) ? '' : `${CHILD} (npm run build)`,
    ...['ip', 'conntrack', 'nft'].map((c) => (have(c) ? '' : c)),
  ].filter((m) => m !== '');
  if (missing.length > 0) {
    process.stdout.write(`enrich-bench: skipped, missing: ${missing.join(', ')}\n`);
    return;
  }

  const ns = `conntop-enrich-${process.pid}`;
  const kids = new Set<ChildProcess>();
  const tmp = mkdtempSync(join(tmpdir(), 'conntop-enrich-'));
  let made = false;
  const cleanup = (): void => {
    for (const k of kids) if (k.pid !== undefined) try { process.kill(k.pid, 'SIGTERM'); } catch { /* gone */ }
    if (made) run([join(KIT, 'rmns.sh'), ns], true);
    made = false;
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: ChildOut[] = [];
  try {
    const t0 = Date.now();
    made = true;
    run([join(KIT, 'mkns.sh'), ns, String(N - PUBLIC), '--real', '1', '--quiet']);
    const file = join(tmp, 'public.txt');
    writeFileSync(file, `${publicFlows(PUBLIC, 6000).join('\n')}\n`);
    run(['ip', 'netns', 'exec', ns, 'conntrack', '-R', file], true);
    const count = Number(run(['ip', 'netns', 'exec', ns, 'cat', '/proc/sys/net/netfilter/nf_conntrack_count']).trim());
    log(`namespace ${ns}: ${count} flows (${N - PUBLIC} from mkns.sh with 1% real UDP, ${PUBLIC} with public far ends) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (count < N * 0.98) throw new Error(`the namespace holds ${count} flows, wanted ${N}`);

    const dns = await dnsServer(ns, 5353, 800, kids);
    const base = ['run', '--refreshes', String(REFRESHES), '--visible', String(VISIBLE), '--dns', '127.0.0.1:5353'];
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of ['off', 'visible', 'all'] as const) {
        log(`round ${r + 1}/${ROUNDS}: enrichment ${mode}, ${REFRESHES} refreshes`);
        results.push(await child(ns, [...base, '--enrich', mode], kids));
      }
    }
    if (dns.pid !== undefined) process.kill(dns.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify(results, null, 1)}\n`);
  report(results, VISIBLE);
}

function report(results: ChildOut[], visible: number): void {
  const of = (m: string): ChildOut[] => results.filter((r) => r.mode === m);
  const warm = (m: string): Interval[] => of(m).flatMap((r) => r.intervals.slice(WARMUP));
  const offCpu = median(warm('off').map((i) => i.cpuMs));
  const rows: string[][] = [[
    'enrichment', 'flows', 'CPU/refresh ms, median (p90)', 'extra ms', 'extra % core', 'enrich sync ms',
    'stall warm ms: all / outside dump', 'stall warm-up ms', 'GC pause ms', 'first emit: enrich ms / stall ms', 'peak RSS MiB', 'targets (warm)',
  ]];
  for (const mode of ['off', 'visible', 'all'] as const) {
    const w = warm(mode);
    if (w.length === 0) continue;
    const cpu = median(w.map((i) => i.cpuMs));
    const extra = mode === 'off' ? NaN : cpu - offCpu;
    const maxOf = (xs: number[]): number => Math.max(...xs);
    const outWarm = maxOf(w.map((i) => i.stallOutMs));
    const starts = of(mode).map((r) => r.startup);
    const met = mode === 'off' ? '-' : `stall ${outWarm <= STALL_TARGET_MS ? 'met' : 'NOT met'}, CPU ${extra / 10 < CORE_TARGET_PCT ? 'met' : 'NOT met'}`;
    rows.push([
      mode === 'visible' ? `on, ${visible} rows + changes` : mode === 'all' ? 'on, every flow' : 'off', String(w[0].flows),
      `${f1(cpu)} (${f1(quantile(w.map((i) => i.cpuMs), 0.9))})`, f1(extra), f1(extra / 10), f1(median(w.map((i) => i.enrichMs))),
      `${f1(maxOf(w.map((i) => i.stallMs)))} / ${f1(outWarm)}`, f1(maxOf(of(mode).flatMap((r) => r.intervals.slice(0, WARMUP)).map((i) => i.stallMs))),
      f1(maxOf(w.map((i) => i.gcMaxMs))),
      `${f1(maxOf(starts.map((s) => s.enrichMs)))} / ${f1(maxOf(starts.map((s) => s.stallMs)))}`,
      String(Math.round(median(of(mode).map((r) => r.maxRssKiB)) / 1024)), met,
    ]);
  }
  process.stdout.write(`\nEnrichment at ${rows[1]?.[1] ?? '?'} flows, 1 refresh/s, ${results.length / 3} round(s); warm = after the first ${WARMUP} refreshes. `
    + `Targets: no stall over ${STALL_TARGET_MS} ms outside the dump, extra CPU under ${CORE_TARGET_PCT}% of a core (extra ms / 10 at 1 refresh/s).\n`);
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write('stall outside dump: from the end of each dump and table.tick to the next refresh; first emit: every flow is a change then, '
    + 'enriched once as --events does per line; GC pause: the longest garbage-collector pause in a warm interval.\n');
  for (const r of results) if (r.found) process.stdout.write(`found (${r.mode}): ${Object.entries(r.found).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`enrich-bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
