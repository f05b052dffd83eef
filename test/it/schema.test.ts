// Real kernel, in a throw-away network namespace: every line `conntop --events` prints for flows made with
// `conntrack -I` (UDP, TCP, ICMP, IPv6) and by loopback traffic (ping, a held-open TCP connection) validates
// against the published schema (lib/schema/), names no key the schema leaves out, and so do update and destroy
// lines and the `enrich` object with real process labels. Waits have deadlines that only bound a failure.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventsLine } from '../../fuzz/schema-check.js';
import { startEvents, type EventsChild } from '../helpers/events-child.js';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';

const skip = needRootAnd('conntrack', 'nft', 'ping');

// A TCP server and client on 127.0.0.1 that stay connected until killed, the client writing every 100 ms (so
// later refreshes report the flow again, by then with its process label); prints "ready" once connected.
const HOLD_TCP = String.raw`
const net = require('node:net');
const server = net.createServer((s) => s.on('data', () => {}));
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => { setInterval(() => c.write('hello'), 100); process.stdout.write('ready\n'); });
});
`;

function prepare(t: Test, ns: Netns): void {
  // Without a ruleset that uses conntrack, loopback packets are not tracked in a namespace (ctnetlink.md §4.6).
  ns.exec('nft', ['-f', '-'], {
    input: 'table inet conntop_it {\n  chain out { type filter hook output priority 0; ct state new,established counter; }\n' +
      '  chain in { type filter hook input priority 0; ct state new,established counter; }\n}\n',
  });
  ns.sysctl('net.netfilter.nf_conntrack_acct', '1');
  ns.sysctl('net.netfilter.nf_conntrack_timestamp', '1');
  ns.exec('conntrack', ['-I', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'udp', '--sport', '1111', '--dport', '2222', '-t', '300']);
  ns.exec('conntrack', ['-I', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'tcp', '--sport', '3333', '--dport', '4444', '--state', 'ESTABLISHED', '-t', '300']);
  ns.exec('conntrack', ['-I', '-s', '10.9.0.5', '-d', '10.9.0.6', '-p', 'icmp', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '7', '-t', '30']);
  ns.exec('conntrack', ['-I', '-s', 'fd00::1', '-d', 'fd00::2', '-p', 'udp', '--sport', '5555', '--dport', '53', '-t', '300']);
  ns.exec('ping', ['-c', '1', '-W', '2', '127.0.0.1']);
  t.ok(ns.run('ping', ['-6', '-c', '1', '-W', '2', '::1']).status !== null, 'ping ::1 ran (IPv6 may be off)');
}

async function holdTcp(ns: Netns): Promise<void> {
  const child = ns.spawn(process.execPath, ['-e', HOLD_TCP], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('TCP child not connected within 10 s')), 10_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`TCP child exited ${code}`)); });
    createInterface({ input: child.stdout! }).on('line', (l) => { if (l === 'ready') { clearTimeout(timer); resolve(); } });
  });
}

function allValidate(t: Test, ev: EventsChild): void {
  t.ok(ev.lines.length > 0, `${ev.lines.length} lines`);
  for (const [i, l] of ev.lines.entries()) t.ok(eventsLine.okClosed(l), `line ${i + 1} (${String(l.event)}) validates: ${eventsLine.why(l)}`);
}

t.test('--events on a real kernel prints only lines that validate', { skip }, async (t) => {
  const ns = createNetns(t, 'schema');
  const runDir = mkdtempSync(join(tmpdir(), 'conntop-schema-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const env = { CONNTOP_RUN_DIR: runDir };
  prepare(t, ns);
  await holdTcp(ns);

  await t.test('conntop --events --iterations 2 -d 0.2', async (t) => {
    const ev = startEvents(ns, ['--events', '--iterations', '2', '-d', '0.2'], env);
    const { code } = await ev.exited;
    t.equal(code, 0, ev.stderr());
    allValidate(t, ev);
    const kinds = new Set(ev.lines.map((l) => l.event));
    t.ok(kinds.has('new') && kinds.has('stats'), 'new and stats lines');
    t.ok(ev.lines.some((l) => l.flow?.protoNum === 1) && ev.lines.some((l) => l.flow?.protoNum === 6), 'ICMP and TCP flows among them');
  });

  await t.test('update and destroy lines, with --enrich (real process labels)', async (t) => {
    const ev = startEvents(ns, ['--events', '--enrich', '--no-dns', '--no-geoip', '--iterations', '50', '-d', '0.2'], env);
    await ev.waitFor('first stats line', () => ev.lines.some((l) => l.event === 'stats'), 10_000);
    ns.exec('conntrack', ['-U', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'tcp', '--sport', '3333', '--dport', '4444', '-m', '5']);
    ns.exec('conntrack', ['-D', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'udp', '--sport', '1111', '--dport', '2222']);
    await ev.waitFor('update and destroy lines', () => ev.lines.some((l) => l.event === 'update') && ev.lines.some((l) => l.event === 'destroy'), 10_000);
    await ev.waitFor('a process label', () => ev.lines.some((l) => (l as { enrich?: { process?: { kind?: string } } }).enrich?.process?.kind === 'process'), 10_000);
    ev.child.kill('SIGTERM');
    await ev.exited;
    allValidate(t, ev);
  });
});
