// server/ layer: the conntop server: listening sockets (TCP, or TLS through node:tls), the set of client
// connections, and the session output that turns the live table's changes into lines built once and shared
// by every client. Imports lib/, server/ and node: builtins only; the composition root passes in the table, clock and log.
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ProcessLabel } from '../lib/enrich/processes.js';
import type { FlowChange, LiveFlow, TableStats } from '../lib/flow-table.js';
import type { SourceHealth } from '../lib/source.js';
import { FailureLimiter } from './auth.js';
import { Connection } from './connection.js';
import type { ConnectionHost, Encoded } from './server-types.js';
import type { ServedTable, SessionOutputLike } from './session-seam.js';
import { WireEncoder } from './wire-encode.js';

/** Server settings; durations in ms, sizes in bytes. */
export interface ServerOptions {
  table: ServedTable;
  /** This server's name in hellos (conntop 1.0's -N). */
  name: string;
  /** Software and version in hellos, e.g. "conntop 0.1.0". */
  software: string;
  secret?: Buffer | null;
  /** PEM certificate and key: serve TLS instead of plain TCP. */
  tls?: { cert: Buffer; key: Buffer } | null;
  intervalMs: number;
  heartbeatMs?: number;
  handshakeMs?: number;
  stallMs?: number;
  highWaterBytes?: number;
  maxClients?: number;
  /** Serve conntop 1.0 clients too (default true). */
  v1?: boolean;
  /** Send flows' processes (processes()) to clients that take them, and offer the `processes` capability. */
  shareProcesses?: boolean;
  now?: () => number;
  log: (message: string) => void;
  /** Called when the last open client left: what was built for the clients is garbage now (lib/heap.ts fullCollector). */
  released?: () => void;
}

/** A listening address: host (IPv4 or IPv6 literal) and port (0: any free port). */
export interface ListenAddress {
  host: string;
  port: number;
  /** Skipped with a log line when the host lacks the address (::1 with IPv6 disabled), instead of failing. */
  optional?: boolean;
}

/** The server: a session output (changes, refreshed) and a set of listening sockets. */
export class ConntopServer implements SessionOutputLike, ConnectionHost {
  readonly name: string;
  readonly software: string;
  readonly capabilities: readonly string[];
  readonly secret: Buffer | null;
  readonly heartbeatMs: number;
  readonly handshakeMs: number;
  readonly stallMs: number;
  readonly highWaterBytes: number;
  readonly intervalMs: number;
  readonly v1: boolean;
  readonly shareProcesses: boolean;
  readonly startedMs: number;
  readonly table: ServedTable;
  readonly encoder = new WireEncoder();
  readonly limiter: FailureLimiter;
  readonly now: () => number;
  readonly log: (message: string) => void;
  private readonly released: () => void;
  private readonly maxClients: number;
  private readonly tls: { cert: Buffer; key: Buffer } | null;
  private readonly listeners: NetServer[] = [];
  /** Every accepted connection (handshake included), and those whose session is open. */
  private readonly conns = new Set<Connection>();
  private readonly live = new Set<Connection>();
  /** Every socket not yet closed, those refused or being closed included (close() destroys them). */
  private readonly sockets = new Set<Socket>();
  private readonly beat: NodeJS.Timeout;
  private tableSize = 0;
  /** Asleep: the table is not followed; clients wait after their handshake until woke(). */
  asleep = false;
  private clientWaiters: (() => void)[] = [];

  constructor(o: ServerOptions) {
    this.table = o.table;
    this.name = o.name;
    this.software = o.software;
    this.secret = o.secret ?? null;
    this.tls = o.tls ?? null;
    this.intervalMs = o.intervalMs;
    this.heartbeatMs = o.heartbeatMs ?? 5000;
    this.handshakeMs = o.handshakeMs ?? 5000;
    this.stallMs = o.stallMs ?? 30000;
    this.highWaterBytes = o.highWaterBytes ?? 1024 * 1024;
    this.maxClients = o.maxClients ?? 256;
    this.v1 = o.v1 ?? true;
    this.shareProcesses = o.shareProcesses ?? false;
    this.now = o.now ?? Date.now;
    this.log = o.log;
    this.released = o.released ?? (() => undefined);
    this.startedMs = this.now();
    this.capabilities = ['filter', 'resync', ...(this.secret ? ['auth-hmac-sha256'] : []), ...(this.tls ? ['tls'] : []), ...(this.shareProcesses ? ['processes'] : [])];
    this.limiter = new FailureLimiter({ maxFailures: 5, windowMs: 60000, logEveryMs: 1000, now: this.now });
    this.beat = setInterval(() => {
      const t = this.now();
      for (const c of this.conns) c.heartbeat(t);
    }, Math.min(this.heartbeatMs, 1000));
    this.beat.unref();
  }

  /** Clients whose session is open (handshake done). */
  get clientCount(): number {
    return this.live.size;
  }

  /** Accepted connections, handshakes included. */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** Starts listening on every address; resolves with the bound addresses (ports chosen when 0). */
  async listen(addrs: readonly ListenAddress[]): Promise<AddressInfo[]> {
    const out: AddressInfo[] = [];
    for (const a of addrs) {
      const srv = this.tls
        ? createTlsServer({ cert: this.tls.cert, key: this.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: this.handshakeMs }, (s) => this.accept(s))
        : createNetServer((s) => this.accept(s));
      if (this.tls) {
        srv.on('tlsClientError', (e, s) => {
          // Counted and logged like a failed authentication (rate-limited both ways).
          const line = this.limiter.fail(s.remoteAddress ?? '?', `TLS handshake failed (${e.message})`);
          if (line) this.log(line);
          s.destroy();
        });
      }
      // libuv sets SO_REUSEADDR on every TCP listener: a restart binds at once even with TIME_WAIT sockets.
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ host: a.host, port: a.port, ipv6Only: a.host.includes(':') && a.host !== '::' }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!a.optional || (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT')) throw e;
        this.log(`not listening on ${a.host} (${code})`);
        continue;
      }
      srv.on('error', (e) => this.log(`listener ${a.host}:${a.port}: ${e.message}`)); // after listen: never fatal
      this.listeners.push(srv);
      out.push(srv.address() as AddressInfo);
    }
    return out;
  }

  /** Serves one accepted socket (also usable with any Duplex in tests). */
  accept(sock: Socket): void {
    this.sockets.add(sock);
    sock.once('close', () => this.sockets.delete(sock));
    if (this.conns.size >= this.maxClients) {
      sock.on('error', () => undefined);
      sock.end(`{"conntop_server":1}\n${JSON.stringify({ type: 'error', code: 'too-many-clients', message: `at most ${this.maxClients} connections` })}\n`);
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    const addr = sock.remoteAddress ?? '?';
    if (this.limiter.blocked(addr)) {
      sock.on('error', () => undefined);
      sock.end(`{"conntop_server":1}\n${JSON.stringify({ type: 'error', code: 'rate-limited', message: 'too many failed authentications; try again later' })}\n`);
      setTimeout(() => sock.destroy(), 1000).unref();
      return;
    }
    this.conns.add(new Connection(sock, this));
  }

  /** Pending changes beyond which a client is resent a snapshot: twice the table, at least 10000. */
  maxPending(): number {
    return Math.max(10000, 2 * this.tableSize);
  }

  ready(c: unknown): void {
    this.live.add(c as Connection);
    const w = this.clientWaiters;
    this.clientWaiters = [];
    for (const r of w) r();
  }

  /** Resolves once a client has completed its handshake (at once if one has), or when `signal` aborts. */
  nextClient(signal: AbortSignal): Promise<void> {
    if (this.live.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.clientWaiters.push(done);
      signal.addEventListener('abort', done);
    });
  }

  /** The table stops being followed: clients that arrive now wait until woke() (their snapshot would be empty). */
  sleep(): void {
    this.asleep = true;
    this.encoder.forgetShadows();
  }

  /** The table is exact again: every waiting client gets its snapshot. */
  woke(): void {
    this.asleep = false;
    for (const c of this.live) c.wake();
  }

  closed(c: unknown): void {
    this.conns.delete(c as Connection);
    const wasOpen = this.live.delete(c as Connection);
    // With nobody to diff against, what was published is forgotten (memory goes back to the table alone).
    if (this.live.size === 0) this.encoder.forgetShadows();
    // Refused handshakes do not count: only a session's end frees much.
    if (wasOpen && this.live.size === 0) this.released();
  }

  /** SessionOutput: encodes each change once and hands the batch to every open client. */
  changes(batch: readonly FlowChange[]): void {
    if (this.live.size === 0) return;
    const enc: Encoded[] = [];
    let resync: string | null = null;
    for (const c of batch) {
      if (c.kind === 'resync') {
        resync = `{"type":"resync","atMs":${c.atMs},"reason":"kernel"}`;
        continue;
      }
      const line = c.kind === 'new' ? this.encoder.newLine(c.live) : c.kind === 'update' ? this.encoder.updateLine(c.live) : this.encoder.destroyLine(c.live);
      enc.push({ kind: c.kind, live: c.live, line });
    }
    for (const conn of this.live) {
      if (enc.length > 0) conn.deliver(enc);
      if (resync) conn.resynced(resync);
    }
  }

  /**
   * The processes of open flows were found (--share-processes): each is remembered for snapshots and sent,
   * as an update carrying `process`, to the clients that take processes. Ignored unless shareProcesses.
   */
  processes(found: readonly (readonly [LiveFlow, ProcessLabel])[], atMs: number = this.now()): void {
    if (!this.shareProcesses) return;
    const enc: Encoded[] = [];
    for (const [live, label] of found) {
      if (live.closed) continue;
      enc.push({ kind: 'process', live, line: this.encoder.processLine(live, label, atMs) });
    }
    if (enc.length === 0) return;
    for (const conn of this.live) conn.deliver(enc);
  }

  /** SessionOutput: a `refresh` line (stats as in --events, the source's health, its clock) to every client. */
  refreshed(stats: TableStats, health: SourceHealth, atMs: number = this.now()): void {
    this.tableSize = stats.total;
    if (this.live.size === 0) return;
    const line = JSON.stringify({ type: 'refresh', atMs, stats, health: { badMessages: health.badMessages, unknownAttrs: health.unknownAttrs, lastProblem: health.lastProblem?.slice(0, 1024) ?? null } });
    for (const conn of this.live) conn.refreshed(line);
  }

  /** Tells every client the server is leaving, closes the listeners and the connections. */
  async close(): Promise<void> {
    clearInterval(this.beat);
    const all = [...this.conns];
    for (const c of all) c.fail('server-quit', 'the server is shutting down');
    const closed = Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    // Clients get half a second to read the goodbye; then their sockets go, so that the listeners can close.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
    for (const c of all) c.kill();
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }
}
