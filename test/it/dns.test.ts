// Real servers, in a throw-away network namespace: reverse DNS against dnsmasq on 127.0.0.1:53 (PTR records,
// NXDOMAIN for every other reverse name) and a black hole on 127.0.0.2:53 (a UDP socket that never answers).
// The built ReverseDns runs in a child inside the namespace (test/helpers/dns-child.mjs): answers, NXDOMAIN and
// its negative cache, caching, coalescing, timeouts, and close() letting the process exit with a query pending.
// End to end, `conntop --once --json --enrich` in the namespace names a flow's address through
// /etc/netns/<ns>/resolv.conf. Queries are counted in dnsmasq's log; deadlines only bound a failure.
import t, { type Test } from 'tap';
import { mkdirSync, rmSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';

const skip = needRootAnd('dnsmasq', 'conntrack', 'nft');
const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));
const DNS_CHILD = fileURLToPath(new URL('../helpers/dns-child.mjs', import.meta.url));
const PEERS = fileURLToPath(new URL('../helpers/proc-peers.mjs', import.meta.url));
/** Bounds a wait that only a failure would exhaust. */
const FAIL_AFTER_MS = 20_000;

const arpa = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

function withDeadline<T>(p: Promise<T>, what: string, ms = FAIL_AFTER_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fail = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms); });
  return Promise.race([p, fail]).finally(() => clearTimeout(timer));
}

/** The lines a child writes to one stream, with a wait for the first (seen or still to come) that matches. */
class Lines {
  readonly all: string[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(stream: NodeJS.ReadableStream, private readonly child: ChildProcess, private readonly what: string) {
    createInterface({ input: stream }).on('line', (l) => { this.all.push(l); this.#wake(); });
    child.once('exit', () => this.#wake());
  }
  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
  /** The `n`th line (1-based) matching `pred`, seen or still to come. */
  waitFor(pred: (line: string) => boolean, what: string, n = 1): Promise<string> {
    return withDeadline(new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const hit = this.all.filter(pred)[n - 1];
        if (hit !== undefined) { this.#waiters.delete(check); resolve(hit); return; }
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.#waiters.delete(check);
          reject(new Error(`${this.what} exited before ${what}:\n${this.all.join('\n')}`));
        }
      };
      this.#waiters.add(check);
      check();
    }), `${this.what}: ${what}`);
  }
}

const exitOf = (c: ChildProcess): Promise<number | null> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve(c.exitCode) : new Promise((res) => c.once('exit', (code) => res(code)));

interface Servers {
  ns: Netns;
  /** dnsmasq's log (stderr), one line per entry. */
  log: Lines;
  /** Datagrams the black hole has reported so far. */
  silentReceived(): number;
  /** Waits until the black hole has reported `n` datagrams in all. */
  silentWait(n: number): Promise<unknown>;
  silent: Lines;
  /** How many PTR queries for `name` dnsmasq has logged. */
  queries(name: string): number;
}

/** A namespace with dnsmasq on 127.0.0.1:53 and a black hole on 127.0.0.2:53, both ready. */
async function startServers(t: Test, purpose: string): Promise<Servers> {
  const ns = createNetns(t, purpose);
  const dnsmasq = ns.spawn('dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--port=53',
    '--listen-address=127.0.0.1', '--bind-interfaces', '--log-queries', '--log-facility=-',
    `--ptr-record=${arpa('10.0.0.1')},host-a.test`, `--ptr-record=${arpa('10.0.0.4')},host-b.test`,
    // Reverse names are answered locally only: NXDOMAIN unless a --ptr-record names them.
    '--local=/in-addr.arpa/', '--local=/ip6.arpa/',
  ]);
  const log = new Lines(dnsmasq.stderr!, dnsmasq, 'dnsmasq');
  // dnsmasq binds its sockets before it logs "started".
  await log.waitFor((l) => /dnsmasq\[\d+\]: started/.test(l), '"started"');
  const hole = ns.spawn(process.execPath, [PEERS, 'udp-recv', '127.0.0.2', '53']);
  const silent = new Lines(hole.stdout!, hole, 'black hole');
  await silent.waitFor((l) => l.includes('"bound"'), 'bound');
  return {
    ns, log, silent,
    silentReceived: () => silent.all.filter((l) => l.includes('"received"')).length,
    silentWait: (n) => silent.waitFor((l) => l.includes('"received"'), `datagram ${n} at the black hole`, n),
    queries: (name) => log.all.filter((l) => l.includes(`query[PTR] ${name} from`)).length,
  };
}

t.test('answers, NXDOMAIN, caches, coalescing and timeouts against servers in a namespace', { skip }, async (t) => {
  const s = await startServers(t, 'dnsreal');
  const child = s.ns.spawn(process.execPath, [DNS_CHILD, 'checks', '127.0.0.1', '127.0.0.2', '10.0.0.99']);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const out = new Lines(child.stdout!, child, 'dns child');
  t.equal(await withDeadline(exitOf(child), 'the dns child'), 0, `the child finished ${err}`);
  const step = (name: string) => {
    const line = out.all.find((l) => l.includes(`"step":"${name}"`));
    return line === undefined ? undefined : JSON.parse(line);
  };
  t.same(step('answer')?.result, { status: 'ok', names: ['host-a.test'] }, 'PTR answer from dnsmasq');
  t.same(step('cached'), { step: 'cached', result: { status: 'ok', names: ['host-a.test'] }, queries: 1 }, 'second request answered from cache');
  t.same(step('nxdomain')?.result, { status: 'none', code: 'ENOTFOUND' }, 'NXDOMAIN is "none"');
  t.same(step('negative'), { step: 'negative', result: { status: 'none', code: 'ENOTFOUND' }, pending: 0, queries: 2 }, 'NXDOMAIN cached, nothing queued');
  const co = step('coalesced');
  t.same(co?.results, Array(3).fill({ status: 'ok', names: ['host-b.test'] }), 'three concurrent requests, one answer');
  t.equal(co?.queries, 3, 'coalesced into one query');
  t.same(step('expired'), { step: 'expired', result: { status: 'none', code: 'ENOTFOUND' }, queries: 4 }, 'asked again once the negative entry expired');
  t.same(step('timeout')?.result, { status: 'timeout', code: 'ETIMEOUT' }, 'a server that never answers times out');
  t.same(step('failure-cached')?.result, { status: 'timeout', code: 'ETIMEOUT' }, 'the failure is cached (briefly)');
  t.ok(await s.silentWait(1), 'the black hole was asked');

  // dnsmasq handles queries in order: once the sentinel is logged, every earlier query is too.
  await s.log.waitFor((l) => l.includes(`query[PTR] ${arpa('10.0.0.99')} from`), 'the sentinel query');
  t.equal(s.queries(arpa('10.0.0.1')), 1, 'dnsmasq saw 10.0.0.1 once (the second request was cached)');
  t.equal(s.queries(arpa('10.0.0.2')), 2, 'dnsmasq saw 10.0.0.2 twice (before and after the negative entry expired)');
  t.equal(s.queries(arpa('10.0.0.4')), 1, 'dnsmasq saw 10.0.0.4 once (coalesced)');
});

t.test('close() lets the process exit with a query pending against a server that never answers', { skip }, async (t) => {
  const s = await startServers(t, 'dnshang');
  const child = s.ns.spawn(process.execPath, [DNS_CHILD, 'hang', '127.0.0.2', '10.0.0.7'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const out = new Lines(child.stdout!, child, 'dns child');
  t.match(JSON.parse(await out.waitFor((l) => l.includes('"pending"'), 'pending')), { pending: 1 });
  // The query is on the wire and will never be answered: without close() its 60 s timeout and 3 tries would
  // keep the child alive for minutes.
  await s.silentWait(1);
  child.stdin!.end('close\n');
  const closed = JSON.parse(await out.waitFor((l) => l.includes('"closed"'), 'closed'));
  t.same(closed.result, { status: 'cancelled', code: 'ECANCELLED' }, 'the pending lookup is cancelled');
  t.equal(closed.pending, 0, 'nothing left pending');
  t.equal(await withDeadline(exited, 'the child to exit by itself after close()'), 0, 'the child exited by itself');
});

t.test('end to end: conntop --once --enrich names flows through the namespace\'s resolv.conf', { skip }, async (t) => {
  const s = await startServers(t, 'dnscli');
  // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for the command it runs.
  const hadDir = existsSync('/etc/netns');
  const dir = `/etc/netns/${s.ns.name}`;
  mkdirSync(dir, { recursive: true });
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    if (!hadDir) try { rmdirSync('/etc/netns'); } catch { /* someone else's namespaces use it */ }
  });
  const resolvConf = (server: string) => writeFileSync(`${dir}/resolv.conf`, `nameserver ${server}\n`);
  const inject = (src: string, dst: string) => s.ns.exec('conntrack', ['-I', '-p', 'tcp', '-s', src, '-d', dst, '--sport', '40000', '--dport', '443',
    '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY,ASSURED', '-t', '300']);
  const conntop = async (): Promise<Array<{ orig: { src: string; dst: string }; enrich: { rdns: { src: string | null; dst: string | null } } }>> => {
    const c = s.ns.spawn(process.execPath, [CLI, '--once', '--json', '--enrich', '--no-geoip']);
    let out = '', err = '';
    c.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    c.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    t.equal(await withDeadline(exitOf(c), 'conntop --once to exit by itself'), 0, `conntop exited by itself with status 0 ${err}`);
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };

  resolvConf('127.0.0.1');
  inject('10.0.0.2', '10.0.0.1');
  const flows = await conntop();
  const f = flows.find((x) => x.orig.src === '10.0.0.2' && x.orig.dst === '10.0.0.1');
  if (t.ok(f, 'the injected flow is listed')) t.same(f!.enrich.rdns, { src: null, dst: 'host-a.test' }, 'dst named by dnsmasq, src NXDOMAIN');
  t.ok(s.queries(arpa('10.0.0.1')) >= 1, 'conntop asked dnsmasq');

  // Against the black hole the names stay unknown, and conntop still exits on its own after its settle deadline.
  resolvConf('127.0.0.2');
  inject('10.0.0.5', '10.0.0.6');
  const before = s.silentReceived();
  const silent = (await conntop()).find((x) => x.orig.src === '10.0.0.5' && x.orig.dst === '10.0.0.6');
  if (t.ok(silent, 'the second injected flow is listed')) t.same(silent!.enrich.rdns, { src: null, dst: null }, 'no names from a silent server');
  t.ok(await s.silentWait(before + 1), 'conntop\'s queries went to the black hole');
});
