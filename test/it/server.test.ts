// Real kernel, in a fresh network namespace: conntopd follows the namespace's conntrack table and serves it;
// `conntop -c --events` and `--once --json` in the same namespace hold exactly what `conntrack -L` lists,
// through a 2,000-flow burst and a conntopd killed with SIGKILL and restarted on the same port.
// Waits have deadlines that only bound a failure; nothing asserts how long anything took.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { CLI, oracle, sortedKeys, startEvents, keyOf } from '../helpers/events-child.js';
import { until } from '../helpers/serve-harness.js';

const skip = needRootAnd('conntrack', 'nft');
const CONNTOPD = fileURLToPath(new URL('../../dist/lib/conntopd.js', import.meta.url));
const PORT = 55555; // a namespace of our own: the default port is free

/** `conntrack -R` lines creating `n` UDP flows 10.9.x.y -> 10.8.0.1:53 from `base` on. */
function udpFlows(base: number, n: number): string {
  let s = '';
  for (let i = base; i < base + n; i++) {
    const src = `10.9.${(i >> 8) & 255}.${i & 255}`;
    s += `-I -p udp -s ${src} -d 10.8.0.1 --sport ${1024 + (i % 50000)} --dport 53 -t 300 -u ASSURED\n`;
  }
  return s;
}

/** Runs `conntrack -R` on a file of command lines (it does not read a pipe). */
function load(ns: Netns, lines: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-srv-'));
  try {
    writeFileSync(join(dir, 'flows'), lines);
    ns.exec('conntrack', ['-R', join(dir, 'flows')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function startServer(ns: Netns): Promise<void> {
  const d = ns.spawn(process.execPath, [CONNTOPD, '-p', String(PORT), '-d', '0.3']);
  let err = '';
  d.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return until(() => /listening on 127\.0\.0\.1/.test(err), `conntopd to listen (${err})`, 15000);
}

t.test('a client table equals conntrack -L in the server namespace, through a burst and a server restart', { skip }, async (t) => {
  const ns = createNetns(t, 'srv');
  ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
  ns.exec('nft', ['-f', '-'], { input: 'table inet conntop_it {\n  chain out { type filter hook output priority 0; ct state new,established counter; }\n}\n' });
  load(ns, udpFlows(0, 200));
  await startServer(ns);
  const ev = startEvents(ns, ['-c', `127.0.0.1:${PORT}`, '--events']);
  const same = (): boolean => {
    const want = sortedKeys(oracle(ns));
    const got = sortedKeys(ev.table.open);
    return want.length === got.length && want.every((k, i) => k === got[i]);
  };
  let lastStats = -1;
  const sameAfterStats = (): boolean => {
    if (ev.table.statsLines === lastStats) return false;
    lastStats = ev.table.statsLines;
    return same();
  };
  // The table also holds the client's own TCP connection to the server (the nft rule tracks loopback).
  const udp = (): number => [...ev.table.open.values()].filter((f) => f.protoNum === 17).length;
  await ev.waitFor('the client to equal conntrack -L', sameAfterStats, 15000);
  t.equal(udp(), 200);
  load(ns, udpFlows(1000, 2000));
  await ev.waitFor('the 2,000-flow burst', sameAfterStats, 20000);
  t.equal(udp(), 2200);
  const once = ns.exec(process.execPath, [CLI, '-c', `127.0.0.1:${PORT}`, '--once', '--json']).split('\n').filter(Boolean)
    .map((l) => keyOf(JSON.parse(l) as Parameters<typeof keyOf>[0])).sort();
  t.same(once, sortedKeys(oracle(ns)), '--once --json remotely lists what conntrack -L lists');
  // SIGKILL the server (by PID, through `ip netns exec`'s exec) and start another on the same port
  const pid = ns.exec('sh', ['-c', `ss -Hltnp 'sport = :${PORT}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`]).trim();
  t.ok(/^\d+$/.test(pid), `found conntopd's pid (${pid})`);
  process.kill(Number(pid), 'SIGKILL');
  ns.exec('conntrack', ['-D', '-s', '10.9.3.232']);
  await startServer(ns); // never "address in use"
  await ev.waitFor('a resync line after the restart', () => ev.lines.some((l) => l.event === 'resync'), 20000);
  await ev.waitFor('the client to equal conntrack -L again', sameAfterStats, 20000);
  t.equal(udp(), 2199);
});

t.test('a snapshot of 5,000 flows (many chunks): the client holds exactly what conntrack -L lists, flow for flow', { skip }, async (t) => {
  const ns = createNetns(t, 'snap');
  ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
  load(ns, udpFlows(0, 5000));
  await startServer(ns);
  const remote = ns.exec(process.execPath, [CLI, '-c', `127.0.0.1:${PORT}`, '--once', '--json']).split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as Parameters<typeof keyOf>[0] & { timeoutSec?: number | null });
  t.same(remote.map((f) => keyOf(f)).sort(), sortedKeys(oracle(ns)), 'the same flows as conntrack -L');
  t.equal(remote.filter((f) => f.protoNum === 17).length, 5000);
  // Field for field as a local --once --json prints them (timeouts tick between the two reads).
  const local = ns.exec(process.execPath, [CLI, '--once', '--json']).split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as Parameters<typeof keyOf>[0] & { timeoutSec?: number | null });
  const strip = (fs: typeof remote): Map<string, string> => new Map(fs.filter((f) => f.protoNum === 17).map((f) => [keyOf(f), JSON.stringify({ ...f, timeoutSec: 0 })]));
  const l = strip(local);
  const r = strip(remote);
  t.equal(r.size, l.size);
  t.equal([...r].filter(([k, v]) => l.get(k) !== v).length, 0, 'every UDP flow equal to the local view but for its timeout');
});

t.test('sleep mode: no client, no sysctls changed; a client wakes the server; they are restored when it leaves', { skip }, async (t) => {
  const ns = createNetns(t, 'sleep');
  const ts = (): string => ns.exec('sysctl', ['-n', 'net.netfilter.nf_conntrack_timestamp']).trim();
  t.equal(ts(), '0', 'a fresh namespace has timestamps off');
  await startServer(ns);
  t.equal(ts(), '0', 'asleep: untouched');
  const ev = startEvents(ns, ['-c', `127.0.0.1:${PORT}`, '--events']);
  await ev.waitFor('a first stats line', () => ev.table.statsLines > 0, 15000);
  t.equal(ts(), '1', 'awake: timestamps on');
  ev.child.kill('SIGTERM');
  await ev.exited;
  await until(() => ts() === '0', 'the sysctl restored once the client left', 15000);
  t.pass('restored while asleep');
});
