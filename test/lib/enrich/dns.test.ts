import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arpaName, createResolver, parseServer, ReverseDns, type ReverseResolver } from '../../../lib/enrich/dns.js';
import { arpa4, startDnsServer, type Behaviour } from '../../helpers/dns-server.js';

// 198.51.100.1 answers, .2 is NXDOMAIN, .3 never answers; everything else answers with one name.
const behave = (name: string): Behaviour =>
  name === arpa4('198.51.100.2') ? 'nxdomain'
    : name === arpa4('198.51.100.3') ? 'drop'
      : name === arpa4('198.51.100.1') ? { ptr: ['host-one.example', 'alias.example'] }
        : { ptr: [`n-${name.split('.')[0]}.example`] };

async function setup(t: { teardown(fn: () => unknown): void }, over: Partial<ConstructorParameters<typeof ReverseDns>[0]> = {}) {
  const server = await startDnsServer(behave);
  let now = 0;
  const resolver = createResolver({ timeoutMs: 200, tries: 1, servers: [server.address] });
  const dns = new ReverseDns({ resolver, now: () => now, ...over });
  t.teardown(async () => { dns.close(); await server.close(); });
  return { server, dns, advance: (ms: number) => { now += ms; } };
}

t.test('answers, NXDOMAIN and a server that never answers', async (t) => {
  const { dns } = await setup(t);
  t.same(await dns.resolve('198.51.100.1'), { status: 'ok', names: ['host-one.example', 'alias.example'] });
  t.same(await dns.resolve('198.51.100.2'), { status: 'none', code: 'ENOTFOUND' });
  t.same(await dns.resolve('198.51.100.3'), { status: 'timeout', code: 'ETIMEOUT' });
});

t.test('request() never waits: null while pending, then the cached answer', async (t) => {
  const { dns, server } = await setup(t);
  t.equal(dns.request('198.51.100.1'), null);
  t.equal(dns.pendingCount, 1);
  await dns.resolve('198.51.100.1');
  t.same(dns.request('198.51.100.1'), { status: 'ok', names: ['host-one.example', 'alias.example'] });
  t.same(dns.request('::ffff:198.51.100.1'), dns.peek('198.51.100.1'), 'IPv4-mapped shares the entry');
  t.equal(server.received.get(arpa4('198.51.100.1')), 1, 'one query in all');
});

t.test('concurrent requests for one address are coalesced', async (t) => {
  const { dns, server } = await setup(t);
  const all = await Promise.all([dns.resolve('198.51.100.1'), dns.resolve('198.51.100.1'), dns.resolve('::ffff:198.51.100.1')]);
  t.same(new Set(all.map((e) => JSON.stringify(e))).size, 1);
  t.equal(server.received.get(arpa4('198.51.100.1')), 1);
  t.equal(dns.stats.queries, 1);
});

t.test('positive and negative caches expire by the injected clock', async (t) => {
  const { dns, server, advance } = await setup(t, { positiveTtlMs: 1000, negativeTtlMs: 500, failureTtlMs: 100 });
  await dns.resolve('198.51.100.1');
  await dns.resolve('198.51.100.2');
  await dns.resolve('198.51.100.3');
  advance(99);
  t.equal(dns.peek('198.51.100.3')?.status, 'timeout', 'failure cached briefly');
  advance(1);
  t.equal(dns.peek('198.51.100.3'), undefined, 'failure expired first');
  t.equal(dns.peek('198.51.100.2')?.status, 'none');
  advance(400);
  t.equal(dns.peek('198.51.100.2'), undefined, 'NXDOMAIN expired');
  t.equal(dns.peek('198.51.100.1')?.status, 'ok');
  advance(500);
  t.equal(dns.peek('198.51.100.1'), undefined, 'positive expired');
  await dns.resolve('198.51.100.1');
  t.equal(server.received.get(arpa4('198.51.100.1')), 2, 'asked again after expiry');
});

t.test('bounded concurrency and drop-when-full', async (t) => {
  const { dns, server } = await setup(t, { maxInFlight: 2, maxQueue: 3 });
  const ips = Array.from({ length: 8 }, (_, i) => `192.0.2.${i + 10}`);
  const results = ips.map((ip) => dns.resolve(ip));
  t.equal(dns.pendingCount, 5, '2 in flight + 3 queued');
  t.equal(dns.stats.dropped, 3);
  const settled = await Promise.all(results);
  t.same(settled.map((e) => e.status), ['ok', 'ok', 'ok', 'ok', 'ok', 'dropped', 'dropped', 'dropped']);
  t.equal(server.received.size, 5, 'dropped addresses were never sent');
  t.equal(dns.peek(ips[7]), undefined, 'a dropped address is not cached, so a later frame asks again');
});

t.test('close() cancels queued and in-flight lookups', async (t) => {
  const { dns } = await setup(t, { maxInFlight: 1 });
  const hung = dns.resolve('198.51.100.3'); // in flight, never answered
  const queued = dns.resolve('198.51.100.1');
  dns.close();
  t.same(await hung, { status: 'cancelled', code: 'ECANCELLED' });
  t.same(await queued, { status: 'cancelled', code: 'ECANCELLED' });
  t.equal(dns.pendingCount, 0);
  t.equal(dns.request('198.51.100.4'), null, 'after close nothing is queued');
  t.equal(dns.pendingCount, 0);
});

t.test('close() lets the process exit while a query hangs', async (t) => {
  const server = await startDnsServer(behave);
  t.teardown(() => server.close());
  // With a 60 s timeout and 3 tries the query would hold the event loop for minutes without close().
  const script = `
    const { createResolver, ReverseDns } = await import(${JSON.stringify(new URL('../../../lib/enrich/dns.ts', import.meta.url).href)});
    const dns = new ReverseDns({ resolver: createResolver({ timeoutMs: 60000, tries: 3, servers: [${JSON.stringify(server.address)}] }), now: () => 0 });
    const p = dns.resolve('198.51.100.3');
    await new Promise((r) => setImmediate(r));
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    dns.close();
    const res = await p;
    console.log(JSON.stringify({ res, before }));`;
  const child = spawn(process.execPath, ['--no-warnings', '--import', '@tapjs/typescript/import', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  t.equal(code, 0, 'the child exited on its own');
  const { res, before } = JSON.parse(out);
  t.same(res, { status: 'cancelled', code: 'ECANCELLED' });
  t.ok(before.length > 0, `a query was outstanding before close: ${before}`);
});

t.test('servers() and parseServer for tagging conntop\'s own DNS flows', async (t) => {
  const { dns, server } = await setup(t);
  t.same(dns.servers(), [parseServer(server.address)]);
  t.same(parseServer('192.0.2.53'), { addr: '192.0.2.53', port: 53 });
  t.same(parseServer('192.0.2.53:5353'), { addr: '192.0.2.53', port: 5353 });
  t.same(parseServer('2001:DB8::1'), { addr: '2001:db8::1', port: 53 });
  t.same(parseServer('[2001:db8::1]:853'), { addr: '2001:db8::1', port: 853 });
  const broken: ReverseResolver = { resolvePtr: async () => [], cancel() {}, getServers() { throw new Error('x'); } };
  t.same(new ReverseDns({ resolver: broken, now: () => 0 }).servers(), []);
});

t.test('arpa names', async (t) => {
  t.equal(arpaName('198.51.100.1'), '1.100.51.198.in-addr.arpa');
  t.equal(arpaName('2001:db8::567:89ab'), 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  t.equal(arpaName('nope'), null);
});

t.test('an empty answer counts as no name', async (t) => {
  const resolver: ReverseResolver = { resolvePtr: async () => [], cancel() {}, getServers: () => [] };
  const dns = new ReverseDns({ resolver, now: () => 0 });
  t.same(await dns.resolve('192.0.2.1'), { status: 'none', code: 'ENODATA' });
});
