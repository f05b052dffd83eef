// Tests for lib/multi-source.ts over real TCP on loopback: two servers (test harness tables) feed one client
// table through RemoteSources merged by MultiSource. One tuple on both servers stays two rows, tagged with
// each server's name (HOST:PORT when the names clash); each server's refresh sweeps only what it lost; a
// server that goes away leaves the other followed, and its rows come back exact when it returns.
import t from 'tap';
import { FlowTable } from '../../lib/flow-table.js';
import { MultiSource, hostTagger, statusText, versionCounter } from '../../lib/multi-source.js';
import { RemoteSource } from '../../server/client.js';
import { Served, mkFlow, until } from '../helpers/serve-harness.js';

function multi(ports: number[]): { table: FlowTable; source: MultiSource; dumps: () => number; lines: string[] } {
  const tagger = hostTagger();
  const nextVersion = versionCounter();
  const source = new MultiSource(ports.map((port) => {
    const label = `127.0.0.1:${port}`;
    return { label, source: new RemoteSource({ host: '127.0.0.1', port, name: 'multi', software: 'conntop test', backoff: { minMs: 20, maxMs: 100 }, tag: tagger(label), nextVersion, keepTrying: true }) };
  }));
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  let dumps = 0;
  const lines: string[] = [];
  void source.start((ev) => {
    table.apply(ev);
    if (ev.kind === 'dumpEnd' && ev.complete) dumps++;
    if (ev.kind === 'notice') lines.push(ev.message);
  }, table);
  return { table, source, dumps: () => dumps, lines };
}

/** `host id` of every open flow, sorted. */
function rows(table: FlowTable): string[] {
  return table.snapshot().map((l) => `${l.flow.host} ${l.flow.id} ${l.flow.counters?.orig.bytes}`).sort();
}

t.test('two servers, one table: identical tuples stay two rows, each server sweeps only its own', async (t) => {
  const a = new Served({ name: 'alpha' });
  const b = new Served({ name: 'beta' });
  await a.listen();
  await b.listen();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const shared = mkFlow(1);
  a.refresh([shared, mkFlow(2)]);
  b.refresh([shared, mkFlow(3, { counters: { orig: { packets: 1, bytes: 7 }, reply: { packets: 1, bytes: 7 } } })]);
  const m = multi([a.port, b.port]);
  t.teardown(() => m.source.close());
  await until(() => m.table.snapshot().length === 4, 'both snapshots');
  t.same(rows(m.table), ['alpha 1001 1001', 'alpha 1002 1002', 'beta 1001 1001', 'beta 1003 7'], 'one tuple on two servers is two rows');
  t.same(m.source.status().map((s) => [s.name, s.state, s.flows]), [['alpha', 'live', 2], ['beta', 'live', 2]]);
  t.match(statusText(m.source.status(), String), /^2 servers: alpha 2 flows · beta 2 flows$/);
  // alpha loses flow 2: only alpha's copy of the table changes at its refresh
  a.refresh([shared]);
  await until(() => m.table.snapshot().length === 3, 'alpha\'s refresh');
  t.same(rows(m.table), ['alpha 1001 1001', 'beta 1001 1001', 'beta 1003 7']);
  // beta's refresh sweeps nothing of alpha's
  b.refresh([shared, mkFlow(3, { counters: { orig: { packets: 2, bytes: 70 }, reply: { packets: 1, bytes: 7 } } })]);
  await until(() => rows(m.table).includes('beta 1003 70'), 'beta\'s refresh');
  t.same(rows(m.table), ['alpha 1001 1001', 'beta 1001 1001', 'beta 1003 70']);
  const key = m.table.snapshot().find((l) => l.flow.host === 'beta' && l.flow.id === 1003)!.key;
  t.ok(key.endsWith('|beta'), 'the host is part of the flow key');
});

t.test('servers with the same name are told apart by HOST:PORT; one server down leaves the other followed', async (t) => {
  const a = new Served({ name: 'router' });
  const b = new Served({ name: 'router' });
  await a.listen();
  await b.listen();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.refresh([mkFlow(1)]);
  b.refresh([mkFlow(2)]);
  const m = multi([a.port, b.port]);
  t.teardown(() => m.source.close());
  await until(() => m.table.snapshot().length === 2, 'both snapshots');
  const hosts = m.table.snapshot().map((l) => l.flow.host).sort();
  t.equal(new Set(hosts).size, 2, 'two tags');
  t.ok(hosts.includes('router'), 'the first keeps its name');
  t.ok(hosts.some((h) => /^127\.0\.0\.1:\d+$/.test(h!)), 'the second is HOST:PORT');
  await b.close();
  await until(() => m.source.status().some((s) => s.state === 'disconnected' || s.state === 'connecting'), 'the second seen down');
  a.refresh([mkFlow(1), mkFlow(4)]);
  await until(() => m.table.snapshot().some((l) => l.flow.id === 1004), 'the first still followed');
  t.match(statusText(m.source.status(), String), /down, reconnecting|connecting/);
});

t.test('a server down at start: the other is followed, and the first joins once it is up', async (t) => {
  const a = new Served({ name: 'up' });
  await a.listen();
  t.teardown(() => a.close());
  a.refresh([mkFlow(1)]);
  const late = new Served({ name: 'late' });
  const port = await late.listen();
  await late.close(); // a port nobody listens on, for now
  const m = multi([a.port, port]);
  t.teardown(() => m.source.close());
  await until(() => m.table.snapshot().length === 1, 'the live server');
  const again = new Served({ name: 'late' });
  t.teardown(() => again.close());
  await again.server.listen([{ host: '127.0.0.1', port }]);
  again.refresh([mkFlow(5)]);
  await until(() => m.table.snapshot().some((l) => l.flow.host === 'late' && l.flow.id === 1005), 'the late server joined', 15000);
  t.same(rows(m.table), ['late 1005 1005', 'up 1001 1001']);
});
