// Benchmark child of test/bench/enrich-bench.ts, run inside its namespace with `ip netns exec` (never by unit tests).
// Imports lib/ directly: a benchmark measures the layers themselves. Two modes:
//   dns-server [--port 5353] [--delay-ms 800]   a slow UDP DNS server on 127.0.0.1: per query name, one third get a
//                                              PTR answer after the delay, one third NXDOMAIN after it, one third nothing
//   run --enrich off|visible|all [--refreshes 13] [--interval-ms 1000] [--visible 200] [--dns 127.0.0.1:5353] [--loopback 64]
//       the live pipeline of --events (a Session on a KernelSource with events and a FlowTable) with, unless off,
//       an Enricher with everything on; `visible` enriches the first N rows each refresh, `all` every flow.
//       Prints one JSON line: per-interval CPU (process.cpuUsage), event-loop delay max (monitorEventLoopDelay), and
//       the synchronous time of the enrich calls; then what the enricher found, as a sanity check.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { createServer, connect, type Socket, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { KernelSource, SockDiagLookup } from '../../lib/kernel/index.js';
import { FlowTable } from '../../lib/flow-table.js';
import { Session, type SessionOutput } from '../../lib/session.js';
import type { FlowSource } from '../../lib/source.js';
import { Enricher, type Enrichment } from '../../lib/enrich/index.js';
import { LocalAddresses } from '../../lib/enrich/addr-class.js';
import { ReverseDns, createResolver } from '../../lib/enrich/dns.js';
import { composeEnricher } from '../../lib/enrich/compose.js';
import type { GeoIp } from '../../lib/enrich/geoip.js';
import { ProcessAttributor } from '../../lib/enrich/processes.js';
import { loadServices } from '../../lib/enrich/services.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const num = (name: string, dflt: number): number => Number(opt(name, String(dflt)));
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

// ---------------------------------------------------------------- the slow DNS server

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p !== '');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

/** The answer to one query: PTR, NXDOMAIN, or null (never answered), chosen by the query name. */
function answer(q: Buffer): Buffer | null {
  if (q.length < 17) return null;
  let off = 12;
  const labels: string[] = [];
  while (off < q.length && q[off] !== 0) {
    const n = q[off];
    labels.push(q.subarray(off + 1, off + 1 + n).toString('ascii'));
    off += n + 1;
  }
  const qEnd = off + 5; // zero label, qtype, qclass
  if (qEnd > q.length) return null;
  const name = labels.join('.').toLowerCase();
  const pick = hash(name) % 3;
  if (pick === 2) return null;
  const header = Buffer.alloc(12);
  q.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(pick === 0 ? 0x8180 : 0x8183, 2); // response, RD, RA; NOERROR or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(pick === 0 ? 1 : 0, 6);
  const question = q.subarray(12, qEnd);
  if (pick === 1) return Buffer.concat([header, question]);
  const rdata = encodeName(`host-${labels.slice(0, 4).reverse().join('-')}.bench.example`);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(12, 2); // PTR
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, rr, rdata]);
}

function dnsServer(): void {
  const port = num('--port', 5353);
  const delay = num('--delay-ms', 800);
  const sock = createSocket('udp4');
  const stats = { queries: 0, answered: 0, ignored: 0 };
  sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    stats.queries++;
    const a = answer(msg);
    if (a === null) { stats.ignored++; return; }
    setTimeout(() => { stats.answered++; sock.send(a, rinfo.port, rinfo.address); }, delay);
  });
  sock.bind(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`));
  process.on('SIGTERM', () => {
    process.stderr.write(`dns-server: ${JSON.stringify(stats)}\n`);
    process.exit(0);
  });
}

// ---------------------------------------------------------------- real loopback flows with sockets

/** `n` TCP connections and `n / 4` connected UDP pairs on 127.0.0.1, held open for the run (real sockets to attribute). */
async function loopbackFlows(n: number): Promise<() => void> {
  const accepted: Socket[] = [];
  const server: Server = createServer((s) => void accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const clients = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => resolve(c));
    c.on('error', reject);
  })));
  const udpServer = createSocket('udp4');
  await new Promise<void>((r) => udpServer.bind(0, '127.0.0.1', r));
  const udpPort = udpServer.address().port;
  const udp = await Promise.all(Array.from({ length: Math.ceil(n / 4) }, async () => {
    const u = createSocket('udp4');
    await new Promise<void>((r) => u.connect(udpPort, '127.0.0.1', r));
    await new Promise<void>((r, j) => u.send('x', (e) => (e ? j(e) : r())));
    return u;
  }));
  return () => {
    for (const c of [...clients, ...accepted]) c.destroy();
    server.close();
    for (const u of [...udp, udpServer]) u.close();
  };
}

// ---------------------------------------------------------------- the pipeline

interface Interval {
  /** CPU of the whole process over the interval (user + sys), ms. */
  cpuMs: number;
  /** Longest event-loop delay in the interval, ms. */
  stallMs: number;
  /** The same from the end of the dump (and table.tick) to the next refresh: enrichment's own stalls. */
  stallOutMs: number;
  /** Synchronous time of enricher.tick() and the enrich() calls of this refresh, ms. */
  enrichMs: number;
  /** The dump and table work of this refresh (refresh() to the end of table.tick), ms of wall time. */
  dumpMs: number;
  /** Longest and total garbage-collector pause in the interval, ms. */
  gcMaxMs: number;
  gcMs: number;
  flows: number;
  changes: number;
  enriched: number;
}

const monotonicMs = (): number => performance.now();

async function buildEnricher(dnsServer: string): Promise<{ enricher: Enricher; dns: ReverseDns; geo: GeoIp; sockets: SockDiagLookup }> {
  const warn = (m: string): void => void process.stderr.write(`enrich-child: warning: ${m}\n`);
  // GeoIP exactly as the command line gets it (composeEnricher's GeoIp, its chunk size included), but with the
  // embedded defaults only; the rest as compose.ts builds it, with the resolver pointed at the slow server.
  const services = await loadServices((p) => readFile(p, 'utf8'));
  const composed = await composeEnricher({ dns: false, geoip: true, geoipDir: '/nonexistent/conntop-bench', services: false, sockets: null, warn });
  const geo = composed.geo;
  if (geo === null) throw new Error('GeoIP did not start');
  const dns = new ReverseDns({ resolver: createResolver({ timeoutMs: 1000, tries: 2, servers: [dnsServer] }), now: monotonicMs });
  const sockets = new SockDiagLookup();
  const processes = new ProcessAttributor({
    sockets, fs: { readdir, readlink, readFile: (p) => readFile(p, 'utf8') }, now: monotonicMs, readPasswd: () => readFile('/etc/passwd', 'utf8'),
  });
  const local = new LocalAddresses(networkInterfaces);
  const enricher = new Enricher({ now: monotonicMs, local, services, geo, dns, processes, selfPid: process.pid });
  return { enricher, dns, geo, sockets };
}

async function runPipeline(): Promise<void> {
  const mode = opt('--enrich', 'off') as 'off' | 'visible' | 'all';
  const refreshes = num('--refreshes', 13);
  const intervalMs = num('--interval-ms', 1000);
  const visible = num('--visible', 200);
  const closeLoopback = await loopbackFlows(num('--loopback', 64));
  // Two monitors: `eld` over whole intervals, `eldOut` from the end of each dump to the next refresh (the dump's own
  // stall, which is the same with and without enrichment, is left out there).
  const eld = monitorEventLoopDelay({ resolution: 2 });
  const eldOut = monitorEventLoopDelay({ resolution: 2 });
  eld.enable();
  eldOut.enable();
  // Garbage-collector pauses, to tell them from enrichment's own stalls.
  const gc = { max: 0, sum: 0 };
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.max = Math.max(gc.max, Math.round(e.duration * 100) / 100);
      gc.sum = Math.round((gc.sum + e.duration) * 100) / 100;
    }
  });
  gcObs.observe({ entryTypes: ['gc'] });
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();

  const en = mode === 'off' ? null : await buildEnricher(opt('--dns', '127.0.0.1:5353'));
  const table = new FlowTable({ lingerMs: 5000, trackChanges: true });
  const kernel = new KernelSource({ events: true, recvBufferBytes: 64 << 20 });
  // The kernel source, with the start of each refresh noted: the dump and table work of a refresh is measured
  // from there to the session's refreshed() call (which follows table.tick).
  let refreshStart = 0;
  const source: FlowSource = {
    start: (sink, shortcut) => kernel.start(sink, shortcut),
    refresh: () => {
      refreshStart = performance.now();
      return kernel.refresh();
    },
    close: () => kernel.close(),
    get health() {
      return kernel.health;
    },
    ended: kernel.ended,
    schedulesRefreshes: false,
  };
  let enrichNs = 0;
  let enriched = 0;
  let changes = 0;
  const enrich = (f: Parameters<Enricher['enrich']>[0]): Enrichment | undefined => {
    enriched++;
    return en?.enricher.enrich(f);
  };
  /** The enrichment part of a refresh: the changes were enriched as they came (as changeJson does per line). */
  const enrichPart = (): { changes: number; flows: number } => {
    const rows = table.snapshot(); // a UI takes the rows each refresh, with or without enrichment
    const t = process.hrtime.bigint();
    if (en) {
      const n = mode === 'all' ? rows.length : Math.min(visible, rows.length);
      for (let i = 0; i < n; i++) enrich(rows[i].flow);
    }
    enrichNs += Number(process.hrtime.bigint() - t);
    const c = changes;
    changes = 0;
    return { changes: c, flows: rows.length };
  };
  // The delay monitor records a stall when its timer next fires, and drops the first sample after reset(): settle()
  // lets the timer fire once, after a block (to record it) and after a reset (so the next block is not dropped).
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 6));

  const intervals: Interval[] = [];
  let startup: Record<string, number> | null = null;
  let c0 = process.cpuUsage();
  const output: SessionOutput = {
    changes: (batch) => {
      const t = process.hrtime.bigint();
      for (const c of batch) if (en && c.kind !== 'resync') enrich(c.live.flow);
      changes += batch.length;
      enrichNs += Number(process.hrtime.bigint() - t);
    },
    refreshed: async () => {
      if (!startup) {
        // Start-up: the first dump and its changes (every flow is a 'new' change then).
        const first = enrichPart();
        await settle();
        startup = {
          wallMs: Math.round(performance.now() - wall0), cpuMs: cpuMs(process.cpuUsage(cpu0)), stallMs: ms(eld.max), enrichMs: ms(enrichNs), flows: first.flows,
          gcMaxMs: gc.max, gcMs: gc.sum,
        };
      } else {
        const dumpMs = performance.now() - refreshStart;
        await settle();
        eldOut.reset();
        await settle();
        const e = enrichPart();
        intervals.push({
          cpuMs: cpuMs(process.cpuUsage(c0)), stallMs: ms(eld.max), stallOutMs: ms(eldOut.max), enrichMs: ms(enrichNs),
          dumpMs: Math.round(dumpMs * 100) / 100, gcMaxMs: gc.max, gcMs: gc.sum, flows: e.flows, changes: e.changes, enriched,
        });
      }
      eld.reset();
      gc.max = gc.sum = 0;
      enrichNs = 0;
      enriched = 0;
      c0 = process.cpuUsage();
    },
  };
  // The loop --events runs: the initial dump, then `refreshes` refreshes at the interval, the enricher ticked by the session.
  const session = new Session({
    source, table, intervalMs, iterations: refreshes + 1, signal: new AbortController().signal,
    warn: (m) => process.stderr.write(`enrich-child: ${m}\n`), enricher: en?.enricher ?? null,
  });
  await session.run(output);

  // What the enricher found (after the measured part): shows every part was really at work.
  let found: Record<string, number | string> | null = null;
  if (en) {
    const n: Record<string, number> = { geoCountry: 0, geoAsn: 0, geoPending: 0, rdnsNames: 0, services: 0, procPending: 0, ownDns: 0 };
    found = n;
    for (const l of table.snapshot()) {
      const x = en.enricher.enrich(l.flow);
      if (x.geo?.country) n.geoCountry++;
      if (x.geo?.asn) n.geoAsn++;
      if (x.geo?.pending) n.geoPending++;
      if (x.rdns.src || x.rdns.dst) n.rdnsNames++;
      if (x.service) n.services++;
      if (x.ownDns) n.ownDns++;
      if (x.process === null) n.procPending++;
      else if (x.process) n[`proc:${x.process.kind}`] = (n[`proc:${x.process.kind}`] ?? 0) + 1;
    }
    Object.assign(found, {
      dnsQueries: en.dns.stats.queries, dnsDropped: en.dns.stats.dropped, dnsPending: en.dns.pendingCount,
      geoSources: en.geo.sources().map((s) => `${s.role}:${s.origin}:${s.state}`).join(','),
    });
  }
  eld.disable();
  eldOut.disable();
  gcObs.disconnect();
  en?.enricher.close();
  en?.sockets.close();
  kernel.close();
  closeLoopback();
  const out = { mode, startup, intervals, found, health: kernel.health, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function cpuMs(c: NodeJS.CpuUsage): number {
  return Math.round((c.user + c.system) / 10) / 100;
}

const cmd = argv[0];
if (cmd === 'dns-server') dnsServer();
else if (cmd === 'run') {
  runPipeline().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`enrich-child: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: enrich-child.js dns-server [--port P] [--delay-ms D] | run --enrich off|visible|all [...]\n');
  process.exit(2);
}
