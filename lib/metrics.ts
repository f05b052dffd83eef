// lib/ layer: the Prometheus metrics of a running table (`--metrics ADDRESS:PORT` on the server and the view):
// table size and max, flows per protocol and TCP state, bytes and packets per direction, rates, events,
// lost events, resyncs, clients, and optionally the top-N talkers. Imports prom-client and node:http(s); the
// registry is the instance's own (no global default registry), and the figures are pulled at scrape time.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import { Gauge, Registry } from 'prom-client';
import type { Flow } from './flow.js';
import type { LiveFlow, TableStats } from './flow-table.js';
import type { SourceHealth } from './source.js';

/** What a scrape reads: the table's current figures (called once per scrape). */
export interface MetricsView {
  stats(): TableStats;
  health(): SourceHealth;
  /** The open flows, for byte and packet totals and the talkers (walked once per scrape). */
  forEachFlow(fn: (live: LiveFlow) => void): void;
  /** Connected clients (server only). */
  clients?(): number;
}

export interface MetricsOptions {
  /** Top talkers exported (0: none). Bounded label cardinality: only the current top N carry a series. */
  topTalkers?: number;
  /** True when an address belongs to this host: a talker is a flow's far end (its originator when forwarded). */
  isLocal?: (addr: string) => boolean;
}

/** The far end of a flow as the talkers metric counts it: the destination of flows this host opened, else the originator. */
export function talkerOf(f: Flow, isLocal: (addr: string) => boolean): string {
  return isLocal(f.orig.src) ? f.orig.dst : f.orig.src;
}

/** One scrape's figures, taken before the gauges are collected. */
interface Scrape {
  stats: TableStats;
  health: SourceHealth;
  clients: number;
  bytes: { orig: number; reply: number };
  packets: { orig: number; reply: number };
  talkers: [string, number][];
}

/** A registry of conntop's metrics over `view`; `text()` renders the exposition format. */
export class ConntopMetrics {
  readonly registry = new Registry();
  private cur: Scrape | undefined;

  constructor(private readonly view: MetricsView, private readonly opts: MetricsOptions = {}) {
    const r = [this.registry];
    const self = this;
    const g = (name: string, help: string, labelNames: string[], collect: (m: Gauge, s: Scrape) => void): void => {
      new Gauge({ name, help, labelNames, registers: r, collect() { if (self.cur) collect(this as Gauge, self.cur); } });
    };
    const perDir = (m: Gauge, v: { orig: number; reply: number }): void => {
      m.set({ direction: 'orig' }, v.orig);
      m.set({ direction: 'reply' }, v.reply);
    };
    const byLabel = (m: Gauge, label: string, counts: Record<string, number>): void => {
      m.reset(); // buckets that emptied carry no series
      for (const [k, v] of Object.entries(counts)) m.set({ [label]: k }, v);
    };
    g('conntop_flows', 'Open flows in the table.', [], (m, s) => m.set(s.stats.total));
    g('conntop_flows_max', 'nf_conntrack_max (absent until known).', [], (m, s) => { if (s.stats.max !== null) m.set(s.stats.max); });
    g('conntop_kernel_flows', 'The kernel\'s own entry count in this namespace (absent until known).', [], (m, s) => { if (s.stats.kernelCount !== null) m.set(s.stats.kernelCount); });
    g('conntop_flows_by_protocol', 'Open flows per protocol.', ['protocol'], (m, s) => byLabel(m, 'protocol', s.stats.byProto));
    g('conntop_tcp_flows_by_state', 'Open TCP flows per state.', ['state'], (m, s) => byLabel(m, 'state', s.stats.byTcpState));
    g('conntop_flow_bytes', 'Bytes counted by the open flows per direction (L3, as conntrack accounts them).', ['direction'], (m, s) => perDir(m, s.bytes));
    g('conntop_flow_packets', 'Packets counted by the open flows per direction.', ['direction'], (m, s) => perDir(m, s.packets));
    g('conntop_rate_bytes_per_second', 'Sum of the open flows\' byte rates per direction.', ['direction'], (m, s) =>
      perDir(m, { orig: s.stats.rates.orig.bytesPerSec, reply: s.stats.rates.reply.bytesPerSec }));
    g('conntop_rate_packets_per_second', 'Sum of the open flows\' packet rates per direction.', ['direction'], (m, s) =>
      perDir(m, { orig: s.stats.rates.orig.packetsPerSec, reply: s.stats.rates.reply.packetsPerSec }));
    g('conntop_events_per_second', 'NEW, UPDATE and DESTROY events applied per second.', [], (m, s) => m.set(s.stats.eventsPerSec));
    g('conntop_lost_events_total', 'Times the kernel dropped events (ENOBUFS); each is followed by a resync.', [], (m, s) => m.set(s.stats.droppedEvents));
    g('conntop_resyncs_total', 'Complete dumps that made the table exact again after lost events.', [], (m, s) => m.set(s.stats.resyncs));
    g('conntop_stale', '1 while events may have been lost and no resync has finished.', [], (m, s) => m.set(s.stats.stale ? 1 : 0));
    g('conntop_bad_messages_total', 'Undecodable netlink messages skipped.', [], (m, s) => m.set(s.health.badMessages));
    if (view.clients) g('conntop_clients_connected', 'Clients connected to this server.', [], (m, s) => m.set(s.clients));
    const topN = opts.topTalkers ?? 0;
    if (topN > 0) {
      g('conntop_talker_bytes_per_second', `Byte rate (both directions) of the top ${topN} far ends; the others carry no series.`, ['address'], (m, s) => {
        m.reset();
        for (const [addr, rate] of s.talkers) m.set({ address: addr }, rate);
      });
    }
  }

  /** Reads the view once: stats, health, and one walk over the open flows for totals and talkers. */
  private take(): Scrape {
    const v = this.view;
    const topN = this.opts.topTalkers ?? 0;
    const isLocal = this.opts.isLocal ?? (() => false);
    const bytes = { orig: 0, reply: 0 };
    const packets = { orig: 0, reply: 0 };
    const talk = new Map<string, number>();
    v.forEachFlow((l) => {
      const c = l.flow.counters;
      if (c) {
        bytes.orig += c.orig.bytes;
        bytes.reply += c.reply.bytes;
        packets.orig += c.orig.packets;
        packets.reply += c.reply.packets;
      }
      if (topN === 0) return;
      const rate = l.rates.orig.bytesPerSec + l.rates.reply.bytesPerSec;
      if (rate > 0) {
        const k = talkerOf(l.flow, isLocal);
        talk.set(k, (talk.get(k) ?? 0) + rate);
      }
    });
    const talkers = [...talk].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topN);
    return { stats: v.stats(), health: v.health(), clients: v.clients?.() ?? 0, bytes, packets, talkers };
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async text(): Promise<string> {
    this.cur = this.take();
    try {
      return await this.registry.metrics();
    } finally {
      this.cur = undefined;
    }
  }
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** Scrapers must send `Authorization: Bearer SECRET` (the server's shared secret). */
  secret?: Buffer;
  /** TLS certificate and key (PEM): the endpoint is served over HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

/** Serves GET /metrics; resolves once listening. Anything else is 404; a missing or wrong token 401. */
export function serveMetrics(metrics: ConntopMetrics, opts: MetricsServerOptions): Promise<Server> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (opts.secret && !bearerMatches(req.headers.authorization, opts.secret)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Constant-time check of an `Authorization: Bearer …` header against the secret. */
function bearerMatches(header: string | undefined, secret: Buffer): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const got = Buffer.from(m[1]);
  return got.length === secret.length && timingSafeEqual(got, secret);
}
