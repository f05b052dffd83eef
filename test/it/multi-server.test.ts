// Real kernel, in throw-away network namespaces: one `conntop` client follows two conntopd servers, each in its
// own namespace (A, where the client runs, over loopback; B over a veth pair). Each server's rows (by `host`)
// equal `conntrack -L` of its namespace, identical tuples in both stay two rows, `--once --json` tags every
// line, and a server killed with SIGKILL does not stop the other; restarted, it is followed again.
// Waits have deadlines that only bound a failure; nothing asserts how long anything took.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { CLI, keyOf, oracle, sortedKeys, startEvents, type EventsChild } from '../helpers/events-child.js';
import { until } from '../helpers/serve-harness.js';

const skip = needRootAnd('conntrack');
const CONNTOPD = fileURLToPath(new URL('../../dist/lib/conntopd.js', import.meta.url));
const PORT = 55555; // namespaces of our own: the default port is free

/** `conntrack -R` lines creating UDP flows 10.9.x.y -> 10.8.0.1:53 numbered from `base` on. */
function udpFlows(base: number, n: number): string {
  let s = '';
  for (let i = base; i < base + n; i++) s += `-I -p udp -s 10.9.${(i >> 8) & 255}.${i & 255} -d 10.8.0.1 --sport ${1024 + i} --dport 53 -t 300 -u ASSURED\n`;
  return s;
}

function load(ns: Netns, lines: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-multi-'));
  try {
    writeFileSync(join(dir, 'flows'), lines);
    ns.exec('conntrack', ['-R', join(dir, 'flows')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startServer(t: Test, ns: Netns, listen: string, name: string): Promise<ChildProcess> {
  const d = ns.spawn(process.execPath, [CONNTOPD, '-l', listen, '-p', String(PORT), '-N', name, '-d', '0.3']);
  t.teardown(() => { d.kill('SIGKILL'); });
  let err = '';
  d.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await until(() => err.includes(`listening on ${listen}`), `conntopd ${name} to listen (${err})`, 15000);
  return d;
}

/** A = 10.7.0.1 (the client and server alpha), B = 10.7.0.2 (server beta), joined by a veth pair. */
function pair(t: Test): { a: Netns; b: Netns } {
  const a = createNetns(t, 'multia');
  const b = createNetns(t, 'multib');
  a.exec('ip', ['link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name]);
  for (const [ns, dev, v4] of [[a, 'va', '10.7.0.1/24'], [b, 'vb', '10.7.0.2/24']] as const) {
    ns.exec('ip', ['addr', 'add', v4, 'dev', dev]);
    ns.exec('ip', ['link', 'set', dev, 'up']);
    ns.exec('ip', ['link', 'set', 'lo', 'up']);
  }
  return { a, b };
}

/** The keys (without host) of the open flows the stream tagged with `host`. */
function rowsOf(ev: EventsChild, host: string): string[] {
  return [...ev.table.open.values()].filter((f) => f.host === host).map((f) => keyOf({ ...f, host: undefined })).sort();
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

t.test('two servers in one table: each host\'s rows equal conntrack -L of its namespace; one down leaves the other', { skip }, async (t) => {
  const { a, b } = pair(t);
  load(a, udpFlows(0, 50));
  load(b, udpFlows(25, 50)); // tuples 25-49 exist in both namespaces
  await startServer(t, a, '127.0.0.1', 'alpha');
  const beta = await startServer(t, b, '10.7.0.2', 'beta');
  const ev = startEvents(a, ['-c', `127.0.0.1:${PORT}`, '-c', `10.7.0.2:${PORT}`, '--events']);
  t.teardown(() => { ev.child.kill('SIGKILL'); });
  // Checked once per stats line (each server refresh), not per line: conntrack -L is not cheap.
  let seen = -1;
  const afterStats = (cond: () => boolean) => (): boolean => {
    if (ev.table.statsLines === seen) return false;
    seen = ev.table.statsLines;
    return cond();
  };
  const bothExact = afterStats(() => same(rowsOf(ev, 'alpha'), sortedKeys(oracle(a))) && same(rowsOf(ev, 'beta'), sortedKeys(oracle(b))));
  await ev.waitFor('each host\'s rows to equal its namespace\'s conntrack -L', bothExact, 20000);
  const udpOf = (host: string) => [...ev.table.open.values()].filter((f) => f.host === host && f.protoNum === 17);
  t.equal(udpOf('alpha').length, 50);
  t.equal(udpOf('beta').length, 50);
  const tuple = (f: { orig: { src: string; sport?: number } }) => `${f.orig.src}:${f.orig.sport}`;
  const inBoth = udpOf('alpha').map(tuple).filter((x) => udpOf('beta').map(tuple).includes(x));
  t.equal(inBoth.length, 25, 'identical tuples from two servers are two rows');
  t.ok(ev.lines.filter((l) => l.flow).every((l) => l.flow!.host === 'alpha' || l.flow!.host === 'beta'), 'every flow line carries its host');

  const once = a.exec(process.execPath, [CLI, '-c', `127.0.0.1:${PORT}`, '-c', `10.7.0.2:${PORT}`, '--once', '--json']).split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as Parameters<typeof keyOf>[0]);
  for (const [host, ns] of [['alpha', a], ['beta', b]] as const) {
    t.same(once.filter((f) => f.host === host).map((f) => keyOf({ ...f, host: undefined })).sort(), sortedKeys(oracle(ns)), `--once --json: ${host}'s lines are its conntrack -L`);
  }
  t.equal(once.filter((f) => f.host !== 'alpha' && f.host !== 'beta').length, 0, 'every --once line carries its host');

  beta.kill('SIGKILL');
  load(a, udpFlows(100, 20));
  a.exec('conntrack', ['-D', '-s', '10.9.0.3']);
  await ev.waitFor('alpha followed while beta is down', afterStats(() => same(rowsOf(ev, 'alpha'), sortedKeys(oracle(a)))), 20000);
  t.equal(udpOf('alpha').length, 69);
  await startServer(t, b, '10.7.0.2', 'beta');
  load(b, udpFlows(200, 10));
  await ev.waitFor('beta followed again after its restart', bothExact, 20000);
  t.equal(udpOf('beta').length, 60);
  t.equal(ev.child.exitCode, null, 'the client kept running');
});
