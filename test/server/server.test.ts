// Tests for server/server.ts and server/connection.ts over real TCP on loopback ephemeral ports: clients
// follow the server's table exactly; misbehaving clients (garbage, huge lines, never reading, never finishing
// the handshake, leaving mid-snapshot) get an error and a close while the well-behaved ones keep being served.
import t from 'tap';
import { Mirror, RawClient, Served, helloLine, mkFlow, until, view } from '../helpers/serve-harness.js';

/** Waits until the client has replayed the server's latest refresh, then its table must equal the server's. */
async function synced(served: Served, m: Mirror, what: string): Promise<void> {
  await until(() => m.lastDumpAtMs >= served.clock, what);
  const got = view(m.table.snapshot());
  const want = view(served.table.snapshot());
  if (got.join('\n') !== want.join('\n')) throw new Error(`${what}: tables differ (${got.length} vs ${want.length} flows)`);
}

t.test('a client holds the server table after the snapshot and follows new, update and destroy', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  const flows = Array.from({ length: 300 }, (_, i) => mkFlow(i));
  s.refresh(flows);
  const m = new Mirror(s.port);
  t.teardown(() => m.close());
  await m.start();
  t.same(view(m.table.snapshot()), view(s.table.snapshot()), 'equal after the snapshot');
  t.equal(m.source.serverName, 'test-server');
  // counters move on 100 flows, 50 close, 20 appear
  const next = flows.slice(50).map((f, i) => (i < 100 ? { ...f, counters: { orig: { packets: 99, bytes: 9999 }, reply: { packets: 50, bytes: 5000 } } } : f));
  for (let i = 300; i < 320; i++) next.push(mkFlow(i));
  s.apply({ kind: 'update', flow: { ...structuredClone(next[0]), counters: undefined, use: null, state: 'FIN_WAIT' }, atMs: s.clock });
  next[0] = { ...next[0], state: 'FIN_WAIT' };
  s.apply({ kind: 'destroy', flow: { ...structuredClone(flows[0]), use: null }, atMs: s.clock });
  s.refresh(next.filter((f) => f.id !== flows[0].id));
  await synced(s, m, 'the mirror to follow a refresh');
  t.equal(m.table.snapshot().length, 270);
  const st = m.table.stats();
  t.equal(st.total, 270);
  const f0 = m.table.snapshot().find((l) => l.flow.id === next[0].id);
  t.equal(f0?.flow.state, 'FIN_WAIT', 'state change carried by an update event');
  const moved = m.table.snapshot().find((l) => l.flow.id === next[1].id)!;
  t.ok(moved.rates.orig.bytesPerSec > 0, 'rates computed from the replayed dumps');
});

t.test('many clients at once; one leaving mid-snapshot disturbs nobody; a 2,000-flow burst', async (t) => {
  const s = new Served({ highWaterBytes: 64 * 1024 });
  await s.listen();
  t.teardown(() => s.close());
  const flows = Array.from({ length: 20000 }, (_, i) => mkFlow(i));
  s.refresh(flows);
  const leaver = new RawClient(s.port);
  leaver.send(helloLine({ name: 'leaver' }));
  await until(() => leaver.lines.length > 3, 'the leaver to get snapshot chunks');
  leaver.destroy();
  const mirrors = Array.from({ length: 10 }, () => new Mirror(s.port));
  t.teardown(() => mirrors.forEach((m) => m.close()));
  await Promise.all(mirrors.map((m) => m.start()));
  for (const m of mirrors) t.equal(m.table.snapshot().length, 20000);
  const burst = Array.from({ length: 2000 }, (_, i) => mkFlow(100000 + i));
  s.apply(...burst.map((f) => ({ kind: 'new' as const, flow: { ...structuredClone(f), counters: undefined, use: null }, atMs: s.clock })));
  s.refresh([...flows, ...burst]);
  for (const m of mirrors) await synced(s, m, 'each mirror to hold the burst');
  t.equal(s.server.clientCount, 10);
});

t.test('bad clients get an error and a close; a well-behaved client keeps being served', async (t) => {
  const s = new Served({ handshakeMs: 300 });
  await s.listen();
  t.teardown(() => s.close());
  s.refresh(Array.from({ length: 50 }, (_, i) => mkFlow(i)));
  const good = new Mirror(s.port);
  t.teardown(() => good.close());
  await good.start();
  const cases: [string, string | Buffer, string][] = [
    ['4 KB name', helloLine({ name: 'x'.repeat(4096) }), 'bad-message'],
    ['10 MB name', helloLine({ name: 'x'.repeat(10 * 1024 * 1024) }), 'line-too-long'],
    ['2 MB without newline', 'y'.repeat(2 * 1024 * 1024), 'line-too-long'],
    ['malformed JSON', '{"type":"hello",\n', 'bad-json'],
    ['wrong types', helloLine({ versions: 'two' }), 'bad-message'],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x80, 10]), 'bad-json'],
    ['an array', '[1,2,3]\n', 'bad-message'],
    ['unknown type', '{"type":"gimme"}\n', 'bad-message'],
    ['auth before hello', `{"type":"auth","hmac":"${'00'.repeat(32)}"}\n`, 'unexpected-message'],
    ['old version only', helloLine({ versions: [1] }), 'unsupported-version'],
    ['never finishes the handshake', '', 'handshake-timeout'],
    ['truncated hello', '{"type":"hello","protocol":"conn', 'handshake-timeout'],
  ];
  const clients = cases.map(([, input]) => {
    const c = new RawClient(s.port);
    if (input.length > 0) c.send(input);
    return c;
  });
  for (const [i, [name, , code]] of cases.entries()) {
    const err = await clients[i].waitFor('error');
    t.equal(err.code, code, name);
    await until(() => clients[i].ended, `${name}: closed`);
  }
  const split = new RawClient(s.port);
  const glued = new RawClient(s.port);
  const hello = helloLine({ name: 'split' });
  for (const ch of hello) split.send(ch); // one byte at a time
  glued.send(hello + '{"type":"heartbeat","atMs":1}\n{"type":"heartbeat","atMs":2}\n');
  await split.waitFor('snapshot-end');
  await glued.waitFor('snapshot-end');
  t.notOk(split.ended || glued.ended, 'split and glued lines are fine');
  split.destroy();
  glued.destroy();
  s.refresh(Array.from({ length: 60 }, (_, i) => mkFlow(i)));
  await synced(s, good, 'the good client after all that');
  t.equal(good.source.state, 'live');
});

t.test('a client that never reads: output bounded, then dropped; the others are unaffected', async (t) => {
  const s = new Served({ highWaterBytes: 256 * 1024, stallMs: 800 });
  await s.listen();
  t.teardown(() => s.close());
  let flows = Array.from({ length: 15000 }, (_, i) => mkFlow(i));
  s.refresh(flows);
  const sleeper = new RawClient(s.port, { read: false });
  sleeper.send(helloLine({ name: 'sleeper' }));
  const good = new Mirror(s.port);
  t.teardown(() => good.close());
  await good.start();
  await until(() => s.server.clientCount === 2, 'both clients open');
  let maxBuffered = 0;
  let maxPending = 0;
  const conns = () => [...(s.server as unknown as { live: Set<{ bufferedBytes: number; pendingCount: number; name: string }> }).live];
  for (let r = 0; r < 6; r++) {
    flows = flows.map((f) => ({ ...f, counters: { orig: { packets: r, bytes: r * 100 }, reply: { packets: r, bytes: r } } }));
    s.refresh(flows);
    for (const c of conns()) if (c.name === 'sleeper') {
      maxBuffered = Math.max(maxBuffered, c.bufferedBytes);
      maxPending = Math.max(maxPending, c.pendingCount);
    }
    await synced(s, good, `the good client at refresh ${r}`);
  }
  t.ok(maxBuffered < 256 * 1024 + 2 * 64 * 1024 * 3, `socket output stays bounded (${maxBuffered} bytes)`);
  t.ok(maxPending <= s.server.maxPending(), `pending changes bounded (${maxPending})`);
  await until(() => s.server.clientCount === 1, 'the sleeper dropped');
  t.ok(s.logs.length >= 0);
});

t.test('200 concurrent connections', async (t) => {
  const s = new Served({ maxClients: 300 });
  await s.listen();
  t.teardown(() => s.close());
  s.refresh(Array.from({ length: 20 }, (_, i) => mkFlow(i)));
  const cs = Array.from({ length: 200 }, () => new RawClient(s.port));
  t.teardown(() => cs.forEach((c) => c.destroy()));
  for (const c of cs) c.send(helloLine());
  await until(() => cs.every((c) => c.lines.some((l) => l.includes('snapshot-end'))), 'all 200 snapshots');
  t.equal(s.server.clientCount, 200);
});

t.test('too many clients: the extra one gets too-many-clients', async (t) => {
  const s = new Served({ maxClients: 2 });
  await s.listen();
  t.teardown(() => s.close());
  const a = new RawClient(s.port);
  const b = new RawClient(s.port);
  await until(() => s.server.connectionCount === 2, 'two connections');
  const c = new RawClient(s.port);
  t.teardown(() => [a, b, c].forEach((x) => x.destroy()));
  t.equal((await c.waitFor('error')).code, 'too-many-clients');
});

t.test('the server restarts on the same port: the client reconnects and resynchronises', async (t) => {
  const s1 = new Served();
  const port = await s1.listen();
  s1.refresh(Array.from({ length: 100 }, (_, i) => mkFlow(i)));
  const m = new Mirror(port);
  t.teardown(() => m.close());
  await m.start();
  const changes: string[] = [];
  await s1.close();
  await until(() => m.source.state === 'disconnected' || m.source.state === 'connecting', 'the client to notice');
  t.ok(m.table.needsResync, 'stale while disconnected');
  const s2 = new Served();
  t.teardown(() => s2.close());
  // SO_REUSEADDR: binding the port again at once never fails with EADDRINUSE
  await s2.server.listen([{ host: '127.0.0.1', port }]);
  s2.port = port;
  s2.refresh(Array.from({ length: 80 }, (_, i) => mkFlow(i + 10)));
  await until(() => m.source.state === 'live', 'reconnected');
  s2.refresh(Array.from({ length: 80 }, (_, i) => mkFlow(i + 10)));
  await synced(s2, m, 'resynchronised with the new server');
  for (const c of m.table.drainChanges()) changes.push(c.kind);
  t.ok(changes.includes('resync'), 'the local table reports a resync');
  t.notOk(m.table.needsResync);
});

t.test('client-requested filter: only matching flows reach the client', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  const flows = Array.from({ length: 100 }, (_, i) => mkFlow(i, { mark: i % 4, family: i % 2 ? 'ipv4' : 'ipv4' }));
  s.refresh(flows);
  const m = new Mirror(s.port, { filter: { marks: [{ mark: 1 }, { mark: 2 }], ports: [1024 + 1, 1024 + 2, 1024 + 5, 1024 + 6] } });
  t.teardown(() => m.close());
  await m.start();
  t.same(m.table.snapshot().map((l) => l.flow.id).sort(), [1001, 1002, 1005, 1006]);
});

t.test('a silent client is closed after three missed heartbeats; one that heartbeats stays', async (t) => {
  const s = new Served({ heartbeatMs: 100, now: Date.now }); // heartbeats follow real time
  await s.listen();
  t.teardown(() => s.close());
  s.refresh([mkFlow(1)]);
  const silent = new RawClient(s.port);
  const alive = new Mirror(s.port);
  t.teardown(() => { silent.destroy(); alive.close(); });
  silent.send(helloLine({ name: 'silent' }));
  await alive.start();
  t.equal((await silent.waitFor('error')).code, 'heartbeat-timeout');
  t.ok(silent.messages().some((m) => m.type === 'heartbeat'), 'the server sent heartbeats');
  await until(() => alive.source.state === 'live' && s.server.clientCount === 1, 'the heartbeating client stays');
  s.refresh([mkFlow(1), mkFlow(2)]);
  await until(() => alive.table.snapshot().length === 2, 'and is served');
});

t.test('asleep, a client waits after its handshake; woke() sends its snapshot', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  s.server.sleep();
  const abort = new AbortController();
  const arrived = s.server.nextClient(abort.signal);
  const m = new Mirror(s.port);
  t.teardown(() => m.close());
  const started = m.start();
  await arrived;
  t.equal(s.server.clientCount, 1, 'the handshake completed');
  t.equal(m.source.state, 'connecting', 'no snapshot while asleep');
  s.refresh(Array.from({ length: 25 }, (_, i) => mkFlow(i)));
  s.server.woke();
  await started;
  t.equal(m.table.snapshot().length, 25);
});

t.test('--share-processes: a found process reaches clients that take processes, as an update and in later snapshots', async (t) => {
  const s = new Served({ shareProcesses: true });
  await s.listen();
  t.teardown(() => s.close());
  const flows = [mkFlow(1), mkFlow(2)];
  s.refresh(flows);
  const m = new Mirror(s.port);
  t.teardown(() => m.close());
  await m.start();
  const plain = new RawClient(s.port);
  t.teardown(() => plain.destroy());
  plain.send(helloLine()); // offers no `processes`
  await plain.waitFor('snapshot-end');
  const live = s.table.snapshot().find((l) => l.flow.id === flows[0].id)!;
  const label = { kind: 'process', pid: 42, name: 'curl', uid: 1000, user: 'alice', cmdline: `curl ${'x'.repeat(5000)}` } as const;
  s.server.processes([[live, label]]);
  const key = m.table.snapshot().find((l) => l.flow.id === flows[0].id)!.key;
  await until(() => m.source.processOf(key) !== undefined, 'the process at the client');
  t.match(m.source.processOf(key), { kind: 'process', pid: 42, name: 'curl' }, 'the client knows the process by flow key');
  t.equal((m.source.processOf(key) as { cmdline: string }).cmdline.length, 4096, 'a command line is cut to the wire cap');
  t.ok(m.source.sharesProcesses, 'the hello said so');
  s.refresh(flows);
  await synced(s, m, 'a refresh after the process');
  const late = new Mirror(s.port);
  t.teardown(() => late.close());
  await late.start();
  t.match(late.source.processOf(key), { pid: 42 }, 'a later client gets it in its snapshot');
  await until(() => plain.messages().some((x) => x.type === 'refresh'), 'the plain client\'s refresh');
  t.notOk(plain.lines.some((l) => l.includes('"process"')), 'a client that did not offer processes gets none');
});

t.test('without shareProcesses the server ignores processes and offers no capability', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  s.refresh([mkFlow(1)]);
  const raw = new RawClient(s.port);
  t.teardown(() => raw.destroy());
  raw.send(helloLine({ capabilities: ['processes'] }));
  const hello = await raw.waitFor('hello');
  t.notOk((hello.capabilities as string[]).includes('processes'));
  await raw.waitFor('snapshot-end');
  s.server.processes([[s.table.snapshot()[0], { kind: 'no-socket' }]]);
  s.refresh([mkFlow(1)]);
  await until(() => raw.messages().filter((x) => x.type === 'refresh').length > 0, 'a refresh');
  t.notOk(raw.lines.some((l) => l.includes('"process"')));
});
