// Tests for server/client-v1.ts (with its hooks in server/client.ts) and server/v1-items.ts: our client against
// a scripted conntop 1.0 server (test/helpers/v1-script.ts, written from peers.md) over loopback TCP, in process
// (RemoteSource feeding a FlowTable) and through the built CLI (--once --json, --events).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FlowTable } from '../../lib/flow-table.js';
import { MultiSource, hostTagger, versionCounter } from '../../lib/multi-source.js';
import type { SourceEvent } from '../../lib/source.js';
import { RemoteSource, type RemoteOptions } from '../../server/client.js';
import { V1_NOTICE } from '../../server/client-v1.js';
import { decodeV1Item, v1Changes, v1Flow, v1Id, v1Key } from '../../server/v1-items.js';
import { until } from '../helpers/serve-harness.js';
import { TmuxPane, haveTmux } from '../helpers/tmux.js';
import { V1Script, create, keyOf, type DataFn } from '../helpers/v1-script.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/lib/cli.js');

const A = create('tcp4', '10.0.0.1', '10.0.0.2', 40000, 443);
const B = create('udp6', '2001:db8::1', '2001:db8::53', 5353, 53, { rxPackets: 3, txPackets: 4, rxBytes: 300, txBytes: 400 });
const C = create('tcp6', '2001:db8::1', '2001:db8::2', 40001, 22, { state: 'SYN_SENT' });

/** A RemoteSource feeding a FlowTable, with every event and notice kept. */
class V1Mirror {
  readonly table = new FlowTable({ lingerMs: 0, trackChanges: true });
  readonly source: RemoteSource;
  readonly notices: string[] = [];
  dumps = 0;

  constructor(port: number, opts: Partial<RemoteOptions> = {}) {
    this.source = new RemoteSource({ host: '127.0.0.1', port, name: 'mirror', software: 'conntop 9.9.9', backoff: { minMs: 20, maxMs: 200 }, ...opts });
  }

  start(): Promise<void> {
    return this.source.start((ev: SourceEvent) => {
      if (ev.kind === 'notice') return void this.notices.push(ev.message);
      this.table.apply(ev);
      if (ev.kind === 'dumpEnd') this.dumps++;
    }, this.table);
  }

  flow(i: Record<string, unknown>) {
    return this.table.snapshot().find((l) => l.flow.orig.src === i.srcAddress && l.flow.orig.sport === i.srcPort)?.flow;
  }
}

/** Serves `full` as the whole table, then the queued deltas one per DATA (an empty one when none is queued). */
function scripted(full: () => unknown[], deltas: unknown[][]): DataFn {
  return (isFull) => (isFull ? full() : (deltas.shift() ?? []));
}

/** A scripted 1.0 server ticking every 20 ms and a client synchronised with it (both closed at teardown). */
async function followed(t: { teardown(fn: () => void): void }, data: DataFn): Promise<{ s: V1Script; m: V1Mirror }> {
  const s = new V1Script(data);
  await s.listen();
  t.teardown(() => s.close());
  s.autoTick(20);
  const m = new V1Mirror(s.port);
  t.teardown(() => m.source.close());
  await m.start();
  return { s, m };
}

t.test('the item decoder and the mapping onto the JSON flow schema', async (t) => {
  const d = decodeV1Item(A);
  t.ok(d.ok);
  if (!d.ok) return;
  const f = v1Flow(d.item);
  t.same(f, {
    id: v1Id('tcp4|10.0.0.1|40000|10.0.0.2|443'), family: 'ipv4', proto: 'tcp', protoNum: 6,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 443 }, reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 40000 },
    state: 'ESTABLISHED', status: [], timeoutSec: null, mark: 0, zone: 0, use: null,
    counters: { orig: { packets: 2, bytes: 200 }, reply: { packets: 1, bytes: 100 } }, labels: [], helper: null,
  }, 'tx is the original direction, rx the reply; unknown fields at their schema values');
  t.equal(v1Key(d.item), 'tcp4|10.0.0.1|40000|10.0.0.2|443');
  const u = decodeV1Item({ ...B, state: '?' });
  t.equal(u.ok && v1Flow(u.item).state, null, 'UDP has no state');
  const q = decodeV1Item({ ...A, state: '?' });
  t.equal(q.ok && v1Flow(q.item).state, null, "1.0's unknown state '?' is null");
  const big = decodeV1Item({ ...A, txBytes: 2 ** 60 });
  t.same(big.ok && v1Flow(big.item).counters, { orig: { packets: 2, bytes: Number.MAX_SAFE_INTEGER }, reply: { packets: 1, bytes: 100 }, saturated: true }, 'saturated past 2^53 - 1');
  // Shrunk by fuzz/v1-items.prop.ts: saturation is for good, and a counter held at the cap that passes it is one.
  const upd1 = decodeV1Item({ ...keyOf(A), action: 'UPDATE', updateFlags: 128, txPackets: 3 });
  const satFlow = big.ok ? v1Flow(big.item) : null;
  t.same(upd1.ok && satFlow && v1Changes(satFlow, upd1.item)?.counters?.saturated, true, 'saturated stays after another counter moves');
  const atCap = decodeV1Item({ ...A, rxBytes: Number.MAX_SAFE_INTEGER });
  const upd2 = decodeV1Item({ ...keyOf(A), action: 'UPDATE', updateFlags: 256, rxBytes: 2 ** 60 });
  t.same(atCap.ok && upd2.ok && v1Changes(v1Flow(atCap.item), upd2.item)?.counters?.saturated, true, 'a counter at the cap passing it is saturated');
  const v6 = decodeV1Item({ ...B, srcAddress: '2001:DB8:0:0:0:0:0:1' });
  t.equal(v6.ok && v6.item.srcAddress, '2001:db8::1', 'IPv6 in RFC 5952 form');
  for (const [what, item] of [
    ['an icmp type', { ...A, type: 'icmp4' }], ['an IPv6 address in tcp4', { ...A, srcAddress: '::1' }], ['a port past 65535', { ...A, dstPort: 70000 }],
    ['a negative counter', { ...A, rxBytes: -1 }], ['a flagged field missing', { ...keyOf(A), action: 'UPDATE', updateFlags: 256 }],
    ['no action', keyOf(A)], ['a string', 'CREATE'], ['updateFlags past 4095', { ...keyOf(A), action: 'UPDATE', updateFlags: 4096 }],
  ] as const) t.notOk(decodeV1Item(item).ok, `refused: ${what}`);
  const upd = decodeV1Item({ ...keyOf(A), action: 'UPDATE', updateFlags: 256 | 2, rxBytes: 5, state: 'FIN_WAIT', txBytes: 'ignored: its bit is not set' });
  t.same(upd.ok && upd.item.set, { state: 'FIN_WAIT', rxBytes: 5 }, 'UPDATE carries only the flagged fields');
});

t.test('our client detects a 1.0 server, takes its snapshot and follows CREATE, UPDATE and REMOVE', async (t) => {
  const deltas: unknown[][] = [];
  const s = new V1Script(scripted(() => [A, B], deltas));
  await s.listen();
  t.teardown(() => s.close());
  const m = new V1Mirror(s.port);
  t.teardown(() => m.source.close());
  const started = m.start();
  await until(() => s.sessions()[0]?.asked === 0, 'the client to ask for the whole table');
  t.equal(s.probes, 1, 'our hello probe was closed by the 1.0 server');
  const hello = s.sessions()[0].got[0];
  t.same(hello, { message: 'HELLO', name: 'mirror', version: '9.9.9', platform: 'Linux' }, "1.0's HELLO with our name and version");
  s.tick();
  await started;
  t.equal(m.source.serverName, 'router10');
  t.equal(m.table.snapshot().length, 2);
  t.same(m.notices, [`router10 ${V1_NOTICE}`], 'told once that the server speaks 1.0 and what is missing');
  await until(() => s.sessions()[0].asked === 1, 'the client to ask for changes after the DATA');
  t.same(s.sessions()[0].got.slice(1).map((x) => x.dataUpdateFlags), [0, 1], 'whole table first, then changes');

  deltas.push([
    { ...keyOf(A), action: 'UPDATE', updateFlags: 256 | 512 | 2, rxBytes: 1100, txBytes: 2200, state: 'FIN_WAIT' },
    C,
    { ...keyOf(B), action: 'REMOVE' },
  ]);
  const dumps = m.dumps;
  s.tick();
  await until(() => m.dumps > dumps, 'the refresh after the changes');
  t.same(m.table.snapshot().map((l) => l.flow.orig.sport).sort(), [40000, 40001], 'B removed, C created');
  const a = m.flow(A)!;
  t.equal(a.state, 'FIN_WAIT');
  t.same(a.counters, { orig: { packets: 2, bytes: 2200 }, reply: { packets: 1, bytes: 1100 } }, 'only the flagged counters changed');
  t.equal(m.flow(C)!.state, 'SYN_SENT');
  t.equal(m.source.health.badMessages, 0);
  t.equal(m.source.state, 'live');
});

t.test('a 1.0 server that answers the probe with DISCONNECT, and one that never sent its banner first', async (t) => {
  for (const opts of [{ answerProbe: 'disconnect' as const }, { sendBannerFirst: false }]) {
    const s = new V1Script(scripted(() => [A], []), opts);
    await s.listen();
    t.teardown(() => s.close());
    s.autoTick(30);
    const m = new V1Mirror(s.port);
    t.teardown(() => m.source.close());
    if (opts.sendBannerFirst === false) {
      // No banner: the probe still ends in a close, but the 1.0 connection waits for one (a sent banner is required).
      const p = m.start();
      await until(() => s.conns.length >= 2, 'the 1.0 connection');
      s.conns[1].sock.write('{"conntop_server":1}\n');
      await p;
    } else await m.start();
    t.equal(m.table.snapshot().length, 1, JSON.stringify(opts));
  }
});

t.test('bad lines, bad items, DISCONNECT reasons, and refusals', async (t) => {
  const deltas: unknown[][] = [];
  const { s, m } = await followed(t, scripted(() => [A, B], deltas));

  // A bad item in a delta: counted, and the next request asks for the whole table again (no reconnect).
  deltas.push([{ action: 'UPDATE', type: 'tcp4' }, { ...keyOf(A), action: 'UPDATE', updateFlags: 64, rxPackets: 7 }]);
  const requests = () => s.sessions()[0].got.filter((x) => x.message === 'REQUEST_DATA').map((x) => x.dataUpdateFlags).join('');
  await until(() => /^0+1+0+1/.test(requests()), 'a full request after the bad item, and changes after that');
  t.equal(m.source.health.badMessages, 1);
  t.match(m.source.health.lastProblem, /item/);
  t.equal(m.flow(A)!.counters!.reply.packets, 1, 'after the whole table, A is as the server has it');
  t.equal(s.sessions().length, 1, 'no reconnect for a bad item');

  // A line that is not JSON: a protocol error; the client reconnects (probing our protocol first again).
  s.broadcast('{"message":"DATA",\n');
  await until(() => s.sessions().length === 2 && s.sessions()[1].asked !== null, 'a reconnect after the bad line');
  t.equal(m.source.health.badMessages, 2);
  t.equal(s.probes, 2, 'every connection probes our protocol first');

  // DISCONNECT SERVER_QUIT: reconnect; VERSION_MISMATCH: give up for good.
  s.broadcast('{"message":"DISCONNECT","reason":"SERVER_QUIT"}\n');
  await until(() => s.sessions().length === 3, 'a reconnect after SERVER_QUIT');
  await until(() => m.source.state === 'live', 'live again');
  s.broadcast('{"message":"DISCONNECT","reason":"VERSION_MISMATCH"}\n');
  await t.rejects(m.source.ended, { code: 'unsupported-version' });
  t.equal(m.source.state, 'closed');
  t.same(m.notices.filter((n) => n.includes('conntop 1.0')).length, 1, 'the 1.0 notice is given once, not per connection');

  // A shared secret cannot be used with 1.0: refused, not downgraded. A mark filter cannot apply.
  const auth = new V1Mirror(s.port, { secret: Buffer.from('s3cret') });
  await t.rejects(auth.start(), { code: 'v1-insecure' });
  const marks = new V1Mirror(s.port, { filter: { marks: [{ mark: 1 }] } });
  await t.rejects(marks.start(), { code: 'v1-filter' });
  // A family filter is applied on the client.
  const v6 = new V1Mirror(s.port, { filter: { families: ['ipv6'] } });
  t.teardown(() => v6.source.close());
  await v6.start();
  t.same(v6.table.snapshot().map((l) => l.flow.family), ['ipv6']);
});

t.test('a 1.0 server restarted: the client marks its table stale, reconnects with backoff and resynchronises', async (t) => {
  const s1 = new V1Script(scripted(() => [A, B], []));
  await s1.listen();
  s1.autoTick(20);
  const m = new V1Mirror(s1.port);
  t.teardown(() => m.source.close());
  await m.start();
  t.equal(m.table.snapshot().length, 2);
  s1.close();
  await until(() => m.source.state === 'disconnected' || m.source.state === 'connecting', 'the loss to be seen');
  t.ok(m.table.stats().stale, 'stale while the server is away');
  const s2 = new V1Script(scripted(() => [A, C], []));
  await s2.listen(s1.port);
  t.teardown(() => s2.close());
  s2.autoTick(20);
  await until(() => m.source.state === 'live' && !m.table.stats().stale && m.flow(C) !== undefined, 'the new snapshot', 15000);
  t.same(m.table.snapshot().map((l) => l.flow.orig.sport).sort(), [40000, 40001], 'B gone, C there, A kept');
  t.ok(m.notices.some((n) => /again, table resynchronised/.test(n)), 'says it is connected again');
});

t.test('a line over the 64 MiB cap closes the connection; the client reconnects', async (t) => {
  const { s, m } = await followed(t, scripted(() => [A], []));
  const c = s.sessions()[0];
  s.stopTicks(); // nothing else on the wire: the line must end at the cap, not at a tick's newline
  await until(() => c.asked === 1, 'the request (and its DATA_STATUS) before the long line');
  const mib = Buffer.alloc(1024 * 1024, 0x20);
  c.sock.write('{"message":"DATA","type":1,"isUpdate":true,"data":[');
  // Written while the client reads; it stops at the cap (the socket closes), never holding the whole line.
  for (let i = 0; i < 80 && !c.sock.destroyed && !c.sock.writableEnded; i++) {
    if (!c.sock.write(mib)) await new Promise((r) => { c.sock.once('drain', r); c.sock.once('close', r); });
  }
  await until(() => s.sessions().length === 2, 'a reconnect after the oversized line', 30000);
  s.autoTick(20);
  await until(() => m.source.state === 'live', 'live again');
  t.match(m.source.health.lastProblem ?? '', /line-too-long/, 'refused for its length');
  t.equal(m.table.snapshot().length, 1);
});

t.test('several servers in one table: a 1.0 server next to another, each flow tagged with its server', async (t) => {
  const a = new V1Script(scripted(() => [A, B], []));
  const b = new V1Script(scripted(() => [A], []));
  for (const s of [a, b]) {
    await s.listen();
    t.teardown(() => s.close());
    s.autoTick(20);
  }
  const tagger = hostTagger();
  const next = versionCounter();
  const member = (s: V1Script) => {
    const label = `127.0.0.1:${s.port}`;
    return { label, source: new RemoteSource({ host: '127.0.0.1', port: s.port, name: 'mirror', software: 'conntop 9.9.9', tag: tagger(label), nextVersion: next, keepTrying: true }) };
  };
  const multi = new MultiSource([member(a), member(b)]);
  t.teardown(() => multi.close());
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  const notices: string[] = [];
  await multi.start((ev) => (ev.kind === 'notice' ? void notices.push(ev.message) : table.apply(ev)), table);
  await until(() => table.snapshot().length === 3, 'both servers in the table');
  // Whichever says hello first keeps the name (both answer at once: under load b can be first; CI saw it).
  const hosts = table.snapshot().map((l) => l.flow.host).sort();
  const aFirst = ['127.0.0.1:' + String(b.port), 'router10', 'router10'];
  const bFirst = ['127.0.0.1:' + String(a.port), '127.0.0.1:' + String(a.port), 'router10'];
  t.ok([aFirst, bFirst].some((want) => want.join() === hosts.join()), `the second router10 to say hello is named by HOST:PORT (${hosts.join(', ')})`);
  t.equal(notices.filter((n) => n.includes('speaks conntop 1.0')).length, 2, 'each 1.0 server is told once');
});

/** Runs the built CLI until `done(stdout)` or it exits; returns its output and status. */
async function runCli(args: string[], done: (out: string) => boolean = () => false): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  let code: number | null = null;
  void exited.then((c) => (code = c));
  await until(() => code !== null || done(out), `conntop ${args.join(' ')}`, 30000);
  if (code === null) {
    child.kill('SIGTERM');
    await exited;
  }
  return { out, err, code };
}

t.test('conntop -c against a 1.0 server: --once --json and --events print what it served', async (t) => {
  const deltas: unknown[][] = [[], [{ ...keyOf(A), action: 'UPDATE', updateFlags: 2, state: 'TIME_WAIT' }, C, { ...keyOf(B), action: 'REMOVE' }]];
  const s = new V1Script((full) => (full ? [A, B] : (deltas.shift() ?? [])));
  await s.listen();
  t.teardown(() => s.close());
  s.autoTick(50);
  const jsonA = JSON.stringify(v1FlowOf(A));
  const jsonB = JSON.stringify(v1FlowOf(B));

  const once = await runCli(['-c', `127.0.0.1:${s.port}`, '--once', '--json']);
  t.equal(once.code, 0, once.err);
  t.same(once.out.trim().split('\n').sort(), [jsonA, jsonB].sort(), 'one line per served flow, in the flow schema');
  t.match(once.err, /router10 speaks conntop 1\.0/, 'the 1.0 notice on stderr');

  const ev = await runCli(['-c', `127.0.0.1:${s.port}`, '--events'], (out) => out.includes('"destroy"'));
  const lines = ev.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const flowLines = lines.filter((l) => l.event !== 'stats');
  const brief = flowLines.map((l) => `${String(l.event)} ${String((l.flow as { orig: { sport: number } }).orig.sport)}${l.reason ? ` ${String(l.reason)}` : ''}`);
  t.same(brief.slice(0, 2).sort(), ['new 40000', 'new 5353'], 'the snapshot as new lines');
  t.same(brief.slice(2).sort(), ['destroy 5353 gone', 'new 40001', 'update 40000'], 'the changes');
  t.equal(JSON.stringify(flowLines[0].flow), flowLines[0].flow && JSON.stringify(v1FlowOf((flowLines[0].flow as { orig: { sport: number } }).orig.sport === 40000 ? A : B)));
  t.equal((flowLines.find((l) => l.event === 'update')!.flow as { state: string }).state, 'TIME_WAIT');
  t.ok(lines.some((l) => l.event === 'stats'), 'stats lines at the refreshes');
  t.match(ev.err, /speaks conntop 1\.0/);
});

/** The flow the CLI must print for a CREATE item, built by hand from peers.md's field meanings. */
function v1FlowOf(i: Record<string, unknown>): Record<string, unknown> {
  const v6 = String(i.type).endsWith('6');
  const tcp = String(i.type).startsWith('tcp');
  return {
    id: v1Id(`${String(i.type)}|${String(i.srcAddress)}|${String(i.srcPort)}|${String(i.dstAddress)}|${String(i.dstPort)}`),
    family: v6 ? 'ipv6' : 'ipv4', proto: tcp ? 'tcp' : 'udp', protoNum: tcp ? 6 : 17,
    orig: { src: i.srcAddress, dst: i.dstAddress, sport: i.srcPort, dport: i.dstPort },
    reply: { src: i.dstAddress, dst: i.srcAddress, sport: i.dstPort, dport: i.srcPort },
    state: tcp ? i.state : null, status: [], timeoutSec: null, mark: 0, zone: 0, use: null, labels: [], helper: null,
    counters: { orig: { packets: i.txPackets, bytes: i.txBytes }, reply: { packets: i.rxPackets, bytes: i.rxBytes } },
  };
}

t.test('the view against a 1.0 server, in tmux: its rows, and the notice on the status line', { skip: haveTmux() ? false : 'tmux is not installed' }, async (t) => {
  const s = new V1Script((full) => (full ? [A, B, C] : []));
  await s.listen();
  t.teardown(() => s.close());
  s.autoTick(200);
  const home = mkdtempSync(join(tmpdir(), 'conntop-v1-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = new TmuxPane(`node ${cli} -c 127.0.0.1:${s.port} --no-dns --no-geoip; exec sleep 3600`, 160, 30, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '',
  });
  t.teardown(() => pane.kill());
  const lines = await pane.waitFor((l) => l.some((x) => x.includes('10.0.0.1')) && l.some((x) => x.includes('2001:db8::53')), 'the served rows', 30000);
  t.match(lines[0], new RegExp(`server 127\\.0\\.0\\.1:${s.port}`), 'the header names the server');
  t.match(lines.find((l) => l.includes('40001')) ?? '', /tcp\s+SYN_SENT\s+2001:db8::1\s+40001\s+2001:db8::2\s+ssh/, 'a served row as the view shows it');
  const withNote = await pane.waitFor((l) => /F10Quit\s+router10 speaks conntop 1\.0: TCP and UDP only/.test(l[l.length - 1] ?? ''), 'the 1.0 notice on the status line', 30000);
  t.ok(withNote, 'the 1.0 notice is on the status line');
  pane.keys('q');
  await pane.waitFor(() => pane.variable('alternate_on') === '0', 'quit');
});
