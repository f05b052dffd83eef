// Test helper (real-kernel tests only): fills a namespace's conntrack table for differential tests.
// Imports node: modules, lib/file-lock.ts, lib/process-identity.ts and test/helpers/netns.ts only. Builds `conntrack -R` load-file lines for injected
// flows of every tracked protocol, prepares the namespace (acct/timestamp sysctls, an nft `ct state` rule,
// connlabel.conf plus a connlabel rule), and drives real loopback TCP/UDP/ICMP traffic.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { withFileLock } from '../../lib/file-lock.js';
import { procProcesses } from '../../lib/process-identity.js';
import { haveTool, type HasTeardown, type Netns } from './netns.js';

/** conntrack-tools reads label names from here (libnetfilter_conntrack's default labelmap path). */
export const CONNLABEL_CONF = '/etc/xtables/connlabel.conf';

/** Where the test processes using connlabel.conf register (ensureConnlabels), with its text before the first. */
export const CONNLABEL_USERS = '/run/conntop-test-connlabel';

/**
 * Makes sure connlabel.conf names each wanted label, appending only missing names (on the wanted bit if free,
 * else the lowest free bit), creating the file (and its directory) when missing. Returns the whole file's
 * name → bit map. Every process that calls it registers in `users` until its teardown, and the last one out
 * puts back the text the first one found (or removes what it created). Why: two suites run at once on one
 * machine each restored the file as they had found it, and one took the other's labels away mid-test.
 * A registered process that died is dropped, and what it left is restored by the next one to come or go.
 * The directory `users` stays, empty (under /run, which a boot clears): removing it could race a newcomer's lock.
 */
export function ensureConnlabels(t: HasTeardown, wanted: readonly (readonly [number, string])[], path = CONNLABEL_CONF, users = CONNLABEL_USERS): Map<string, number> {
  mkdirSync(users, { recursive: true, mode: 0o700 });
  const lock = join(users, 'lock');
  const self = procProcesses.self();
  const mine = join(users, `user-${self.pid}-${self.start}`);
  const saved = join(users, 'original.json');
  const have = withFileLock(lock, procProcesses, () => {
    if (liveUsers(users).length === 0) {
      restoreConnlabels(path, saved); // a user that died left its labels
      const created: string[] = [];
      for (let d = dirname(path); !existsSync(d); d = dirname(d)) created.unshift(d);
      writeFileSync(saved, JSON.stringify({ text: existsSync(path) ? readFileSync(path, 'utf8') : null, created }));
    }
    writeFileSync(mine, '');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : null;
    const have = parseConf(text ?? '');
    const usedBits = new Set(have.values());
    const add: string[] = [];
    for (const [bit, name] of wanted) {
      if (have.has(name)) continue;
      let b = bit;
      if (usedBits.has(b)) for (b = 0; b < 128 && usedBits.has(b); b++);
      if (b >= 128) throw new Error(`${path}: no free label bit for ${name}`);
      usedBits.add(b);
      have.set(name, b);
      add.push(`${b} ${name}`);
    }
    if (add.length > 0) {
      mkdirSync(dirname(path), { recursive: true });
      const head = text ?? "# written by conntop's test/helpers/ctfill.ts; removed after the tests\n";
      writeFileSync(path, `${head}${head.endsWith('\n') || head === '' ? '' : '\n'}${add.join('\n')}\n`);
    }
    return have;
  });
  t.teardown(() => withFileLock(lock, procProcesses, () => {
    rmSync(mine, { force: true });
    if (liveUsers(users).length === 0) restoreConnlabels(path, saved);
  }));
  return have;
}

/** The registered processes still running; the files of those that died are removed. */
function liveUsers(users: string): string[] {
  const live: string[] = [];
  for (const f of readdirSync(users)) {
    const m = /^user-(\d+)-(\S+)$/.exec(f);
    if (!m) continue;
    if (procProcesses.alive({ pid: Number(m[1]), start: m[2] })) live.push(f);
    else rmSync(join(users, f), { force: true });
  }
  return live;
}

/** Puts back the text saved by the first user (removing the file and directories it created), if any is saved. */
function restoreConnlabels(path: string, saved: string): void {
  if (!existsSync(saved)) return;
  const { text, created } = JSON.parse(readFileSync(saved, 'utf8')) as { text: string | null; created: string[] };
  if (text === null) {
    rmSync(path, { force: true });
    for (const d of [...created].reverse()) try { rmdirSync(d); } catch { /* not empty: someone else uses it */ }
  } else writeFileSync(path, text);
  unlinkSync(saved);
}

function parseConf(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const mm = /^(\d+)\s+(\S+)/.exec(raw.replace(/#.*/, '').trim());
    if (mm) m.set(mm[2], Number(mm[1]));
  }
  return m;
}

/**
 * Turns on accounting and timestamps (for entries created afterwards, ctnetlink.md §4.6), adds an nft
 * `ct state` rule so loopback traffic is tracked, and, when `labelRuleName` is given and iptables exists,
 * a connlabel match rule so the kernel allocates the labels extension. Returns false if labels are unusable.
 */
export function prepareNamespace(ns: Netns, labelRuleName?: string): boolean {
  ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
  ns.sysctl('net.netfilter.nf_conntrack_timestamp', 1);
  ns.exec('nft', ['-f', '-'], {
    input: [
      'table inet conntop_test {',
      '  chain out { type filter hook output priority 0; ct state new,established counter; }',
      '  chain in { type filter hook input priority 0; ct state new,established counter; }',
      '}',
      '',
    ].join('\n'),
  });
  if (labelRuleName === undefined || !haveTool('iptables')) return false;
  return ns.run('iptables', ['-A', 'OUTPUT', '-m', 'connlabel', '--label', labelRuleName]).status === 0;
}

/** A scenario: `conntrack -R` lines and how many flows of each kind they create. */
export interface Scenario {
  lines: string[];
  /** Per kind, e.g. "tcp/ipv4", "nat", "label", "zone", "mark". */
  counts: Map<string, number>;
}

const TCP_STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'TIME_WAIT', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE', 'NONE', 'SYN_SENT2'];
// HEARTBEAT_SENT/ACKED are left out: conntrack 1.4.7 -I segfaults on them (seen on 6.18).
const SCTP_STATES = ['CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'NONE'];
const DCCP_STATES = ['REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT'];
/** ICMP types the kernel accepts in a created tuple (it must have an inverse). */
const ICMP_TYPES = [8, 0, 13, 14, 15, 16, 17, 18];
const ICMPV6_TYPES = [128, 129, 139, 140];
/** IPv6 addresses whose text form exercises RFC 5952 and glibc's embedded-IPv4 printing (§7.1). */
const ODD_V6 = ['::ffff:10.9.0.1', '::10.9.0.2', '::2', '2001:db8:0:0:1:0:0:1', '2001:0:0:1::1', 'fe80::1', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', '1::'];

/**
 * Builds ≥300 injected flows: TCP in 10 states, UDP, UDP-Lite, SCTP (8 states), DCCP, ICMP, ICMPv6, GRE and
 * an untracked protocol number, over IPv4 and IPv6, with marks, zones (CTA_ZONE and directional), SNAT/DNAT
 * (reply tuple not the inverse), labels (`labelNames`, empty to leave labels out) and status flag mixes.
 * Tuples are unique by construction (one destination address per flow). Deterministic.
 */
export function buildScenario(labelNames: readonly string[]): Scenario {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  const count = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
  let k = 0;

  const emit = (family: 4 | 6, proto: string, l4: string, opts: { nat?: boolean; status?: boolean } = {}): void => {
    k++;
    const v4 = family === 4;
    const src = v4 ? `10.1.${k >> 8}.${k & 255}` : `2001:db8:1::${k.toString(16)}`;
    const dst = v4 ? `10.2.${k >> 8}.${k & 255}` : `2001:db8:2::${k.toString(16)}`;
    const parts = ['-I', '-s', src, '-d', dst, '-p', proto, l4, '-t', String(600 + (k * 37) % 3000)];
    count(`${proto}/ipv${family}`);
    if (opts.status !== false && k % 3 !== 0) parts.push('-u', k % 3 === 1 ? 'SEEN_REPLY' : 'SEEN_REPLY,ASSURED');
    if (k % 4 === 1) { parts.push('-m', String((k * 2654435761) >>> 0)); count('mark'); }
    const z = k % 9;
    if (z === 2) { parts.push('-w', String(k % 2 ? 65535 : 1 + k)); count('zone'); }
    else if (z === 5) { parts.push('--orig-zone', String(100 + k)); count('zone-orig'); }
    else if (z === 7) { parts.push('--reply-zone', String(200 + k)); count('zone-reply'); }
    if (opts.nat !== false && k % 5 >= 3) {
      const ip = v4 ? `198.51.${100 + (k >> 8)}.${k & 255}` : `2001:db8:ffff::${k.toString(16)}`;
      parts.push(k % 5 === 3 ? '--src-nat' : '--dst-nat', ip);
      if (k % 10 === 3) parts.push('--dst-nat', v4 ? `203.0.${113 + (k >> 8)}.${k & 255}` : `2001:db8:eeee::${k.toString(16)}`);
      count('nat');
    }
    if (labelNames.length > 0 && k % 6 === 0) {
      const n = 1 + ((k / 6) % labelNames.length);
      for (let i = 0; i < n; i++) parts.push('--label-add', labelNames[(k + i) % labelNames.length]);
      count('labels');
    }
    lines.push(parts.join(' '));
  };
  const ports = (): string => `--sport ${1024 + k} --dport ${k % 2 ? 443 : 53}`;

  for (let i = 0; i < 90; i++) emit(4, 'tcp', `${ports()} --state ${TCP_STATES[i % TCP_STATES.length]}`);
  for (let i = 0; i < 30; i++) emit(6, 'tcp', `${ports()} --state ${TCP_STATES[i % TCP_STATES.length]}`);
  for (let i = 0; i < 50; i++) emit(4, 'udp', ports());
  for (let i = 0; i < 15; i++) emit(6, 'udp', ports());
  for (let i = 0; i < 12; i++) emit(4, 'udplite', ports());
  for (let i = 0; i < 6; i++) emit(6, 'udplite', ports());
  for (let i = 0; i < 24; i++) emit(4, 'sctp', `${ports()} --state ${SCTP_STATES[i % SCTP_STATES.length]} --orig-vtag ${0x1000 + i} --reply-vtag ${0x2000 + i}`);
  for (let i = 0; i < 8; i++) emit(6, 'sctp', `${ports()} --state ${SCTP_STATES[i % SCTP_STATES.length]} --orig-vtag ${0x1000 + i} --reply-vtag ${0x2000 + i}`);
  for (let i = 0; i < 10; i++) emit(4, 'dccp', `${ports()} --state ${DCCP_STATES[i % DCCP_STATES.length]} --role ${i % 2 ? 'server' : 'client'}`);
  for (let i = 0; i < 4; i++) emit(6, 'dccp', `${ports()} --state ${DCCP_STATES[i % DCCP_STATES.length]} --role client`);
  for (let i = 0; i < 16; i++) emit(4, 'icmp', `--icmp-type ${ICMP_TYPES[i % ICMP_TYPES.length]} --icmp-code 0 --icmp-id ${(i * 4099) & 0xffff}`, { nat: false });
  for (let i = 0; i < 12; i++) emit(6, 'icmpv6', `--icmpv6-type ${ICMPV6_TYPES[i % ICMPV6_TYPES.length]} --icmpv6-code 0 --icmpv6-id ${(i * 4099) & 0xffff}`, { nat: false });
  for (let i = 0; i < 10; i++) emit(4, 'gre', `--srckey 0x${(i * 0x1111 + 1).toString(16)} --dstkey 0x${(0xffff - i).toString(16)}`, { nat: false });
  for (let i = 0; i < 4; i++) emit(6, 'gre', `--srckey 0x${(i + 0x10).toString(16)} --dstkey 0x${(i + 0x8000).toString(16)}`, { nat: false });
  for (let i = 0; i < 4; i++) emit(4, String([99, 253][i % 2]), '', { nat: false });
  for (let i = 0; i < 2; i++) emit(6, String([99, 253][i % 2]), '', { nat: false });
  // Odd IPv6 text forms, as UDP sources towards one destination (distinct source ports).
  ODD_V6.forEach((a, i) => {
    lines.push(`-I -s ${a} -d 2001:db8:3::1 -p udp --sport ${2000 + i} --dport 5353 -t 900`);
    count('udp/ipv6');
    count('odd-ipv6-text');
  });
  return { lines: lines.map((l) => l.replace(/\s+/g, ' ').trim()), counts };
}

/**
 * Loads scenario lines with `conntrack -R FILE` (it stops at the first failing line, so any failure throws).
 * A file, not `-R -`: node's child stdin is a socketpair, which the tool cannot reopen as /dev/stdin.
 * Lines with labels run as separate `conntrack` commands: 1.4.7's -R segfaults on the second line that uses
 * --label-add (seen on 6.18; each line alone works).
 */
export function loadScenario(ns: Netns, sc: Scenario): void {
  const withLabels = sc.lines.filter((l) => l.includes('--label'));
  const rest = sc.lines.filter((l) => !l.includes('--label'));
  const dir = mkdtempSync(join(tmpdir(), 'conntop-ctfill-'));
  const file = join(dir, 'flows.txt');
  try {
    writeFileSync(file, rest.join('\n') + '\n');
    const r = ns.run('conntrack', ['-R', file], { timeoutMs: 30_000 });
    if (r.status !== 0) throw new Error(`conntrack -R failed (exit ${r.status ?? 'signal'}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const l of withLabels) ns.exec('conntrack', l.split(' '));
}

/** What the traffic child reports once its exchanges are done (all connections idle from then on). */
export interface TrafficReport {
  tcp: { family: 4 | 6; client: number; server: number; sent: number; received: number; closed: boolean }[];
  udp: { family: 4 | 6; client: number; server: number | null; datagrams: number[] }[];
}

// CommonJS source run with `node -e` inside the namespace: TCP (kept open and closed) and UDP (echoed and
// unanswered) over 127.0.0.1 and ::1 with known sizes, then one JSON line, then idle until killed.
const TRAFFIC_CHILD = String.raw`
const net = require('node:net'), dgram = require('node:dgram');
const report = { tcp: [], udp: [] };
const keep = [];
function tcp(host, family, size, close) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => {
      let got = 0;
      s.on('data', (d) => { got += d.length; if (got === size) s.write(Buffer.alloc(size * 2, 0x62)); });
      s.on('end', () => s.end());
      s.on('error', () => {});
    });
    server.listen(0, host, () => {
      const c = net.connect(server.address().port, host, () => c.write(Buffer.alloc(size, 0x61)));
      let got = 0;
      c.on('data', (d) => {
        got += d.length;
        if (got !== size * 2) return;
        const entry = { family, client: c.localPort, server: server.address().port, sent: size, received: got, closed: close };
        report.tcp.push(entry);
        if (close) { c.end(); c.on('close', () => { server.close(); resolve(); }); }
        else { keep.push(c, server); resolve(); }
      });
      c.on('error', reject);
    });
  });
}
function udp(host, family, sizes, answer) {
  return new Promise((resolve, reject) => {
    const type = family === 4 ? 'udp4' : 'udp6';
    const server = dgram.createSocket(type);
    const client = dgram.createSocket(type);
    server.on('message', (m, r) => { if (answer) server.send(Buffer.alloc(m.length + 10, 0x63), r.port, r.address); });
    server.bind(0, host, () => client.bind(0, host, () => {
      const port = server.address().port;
      let replies = 0;
      const done = () => { keep.push(client); if (!answer) server.close(); else keep.push(server);
        report.udp.push({ family, client: client.address().port, server: answer ? port : null, datagrams: sizes }); resolve(); };
      client.on('message', () => { if (++replies === sizes.length) done(); });
      client.on('error', reject);
      let i = 0;
      const next = () => { if (i < sizes.length) client.send(Buffer.alloc(sizes[i++], 0x64), port, host, next); else if (!answer) setTimeout(done, 50); };
      next();
    }));
  });
}
(async () => {
  for (const [host, family] of [['127.0.0.1', 4], ['::1', 6]]) {
    await tcp(host, family, 1000, false);
    await tcp(host, family, 3000, true);
    await tcp(host, family, 70000, false);
    await udp(host, family, [100, 200, 300], true);
    await udp(host, family, [50], false);
  }
  process.stdout.write(JSON.stringify(report) + '\n');
  setInterval(() => {}, 1 << 30);
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
`;

/**
 * Starts the traffic child in the namespace and resolves with its report once every exchange is done.
 * The child stays alive (holding the open connections) until netns teardown kills it by PID.
 */
export function startTraffic(ns: Netns, timeoutMs = 20_000): Promise<{ child: ChildProcess; report: TrafficReport }> {
  const child = ns.spawn(process.execPath, ['-e', TRAFFIC_CHILD]);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => reject(new Error(`traffic child gave no report in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      clearTimeout(timer);
      try { resolve({ child, report: JSON.parse(line) as TrafficReport }); } catch (e) { reject(e as Error); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`traffic child exited (${code}): ${stderr}`)); });
  });
}

/** Pings 127.0.0.1 and ::1 twice each when `ping` exists; returns what was skipped, if anything. */
export function pingLoopback(ns: Netns): string | null {
  if (!haveTool('ping')) return 'ping not installed: no live ICMP/ICMPv6 flows';
  ns.exec('ping', ['-n', '-q', '-c', '2', '-i', '0.2', '-W', '2', '127.0.0.1'], { timeoutMs: 10_000 });
  ns.exec('ping', ['-6', '-n', '-q', '-c', '2', '-i', '0.2', '-W', '2', '::1'], { timeoutMs: 10_000 });
  return null;
}

/** Kernel release as [major, minor] (for version-dependent oracle quirks such as generic DCCP on 6.17+). */
export function kernelVersion(): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}
