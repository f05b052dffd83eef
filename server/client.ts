// server/ layer: the client side, a lib FlowSource over TCP or TLS. The server's snapshot arrives as a dump
// (dumpBegin, dumpEntry..., dumpEnd), its deltas as events, and each server refresh is replayed as a dump of
// the client's mirror (unchanged flows through the DumpShortcut), so a local FlowTable follows the remote one.
// Reconnects with backoff; the table is marked stale meanwhile. Imports lib/, server/ and node: builtins only.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProcessLabel } from '../lib/enrich/processes.js';
import { flowKey, type Flow } from '../lib/flow.js';
import type { CopyDigest, DumpShortcut, FlowSource, SourceHealth, SourceSink } from '../lib/source.js';
import { clientProof, newNonce, sameDigest, serverProof } from './auth.js';
import { V1Adapter, V1Probe, V1_FATAL, V1_MAX_LINE_BYTES, V1_SILENCE_MS } from './client-v1.js';
import { LineFramer } from './line-framer.js';
import { checkServerMessage, explainServerMessage, parseJson } from './protocol-check.js';
import { MAX_SERVER_LINE_BYTES, PROTOCOL_NAME, PROTOCOL_VERSION } from './protocol-consts.js';
import type { Filter, ServerMessage } from './protocol.js';

/** A failure to reach or talk to a server, with a code tests assert on (ours, the server's, or a socket's). */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Where and how to connect. */
export interface RemoteOptions {
  host: string;
  port: number;
  /** This client's name in its hello. */
  name: string;
  software: string;
  secret?: Buffer | null;
  /** TLS: trust `ca` (PEM), or pin the server certificate's SHA-256 fingerprint (hex, colons optional). */
  tls?: { ca?: Buffer; fingerprint?: string } | null;
  filter?: Filter;
  /** Reconnect after a lost connection (default true). Backoff doubles from minMs to maxMs. */
  reconnect?: boolean;
  backoff?: { minMs: number; maxMs: number };
  /** Connection state changes (lost, reconnecting, resynchronised); default: `notice` events to the sink. */
  log?: (message: string) => void;
  now?: () => number;
  /**
   * With several servers in one table: the `host` every flow of this server carries, chosen once from the
   * server's hello name (lib/multi-source.ts hostTagger). Absent: flows carry no host.
   */
  tag?: (serverName: string) => string;
  /** Versions (DumpShortcut digests) shared by several sources feeding one table, so that no two copies share one. */
  nextVersion?: () => number;
  /** A failed first connection is retried like a lost one (several servers: one down must not stop the others). */
  keepTrying?: boolean;
}

/** Codes of server errors that retrying cannot fix. */
const FATAL = new Set<string>(['auth-failed', 'auth-required', 'unsupported-version', 'tls-fingerprint', 'bad-proof', ...V1_FATAL]);

/** Where the client stands: connecting, receiving a snapshot, following deltas, or waiting to reconnect. */
export type RemoteState = 'connecting' | 'syncing' | 'live' | 'disconnected' | 'closed';

interface Mirrored {
  flow: Flow;
  /** Version of this copy: the DumpShortcut digest (changes with every update). */
  ver: number;
  /** The owning process the server shared (--share-processes), as flowKey(flow) keys it in `processes`. */
  key?: string;
}

/** A FlowSource fed by a conntop server. */
export class RemoteSource implements FlowSource {
  health: SourceHealth = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
  state: RemoteState = 'connecting';
  /** Never resolves (a server has no end); rejects once the connection failed for good (a wrong secret). */
  readonly ended: Promise<void>;
  /** The server decides when refreshes happen: refresh() waits for its next one. */
  readonly schedulesRefreshes = true;
  private failForGood: (e: Error) => void = () => undefined;
  /** The server's hello name, once known. */
  serverName: string | null = null;
  /** The host tag flows carry (see RemoteOptions.tag), once the hello chose it. */
  hostTag: string | undefined = undefined;
  /** The server shares processes (its hello offered the `processes` capability). */
  sharesProcesses = false;
  /** The server's last table statistics (its `refresh`): flows in its kernel table and nf_conntrack_max. */
  serverStats: { count: number; max: number | null } | null = null;
  /** Process labels the server shared, by flowKey (tag included) of their flow. */
  private readonly processes = new Map<string, ProcessLabel>();
  private sink: SourceSink = () => undefined;
  private shortcut: DumpShortcut | undefined;
  private sock: Socket | TLSSocket | null = null;
  private readonly mirror = new Map<number, Mirrored>();
  private ver = 0;
  private nonce = '';
  private heartbeatMs = 5000;
  private lastHeardMs = 0;
  private beat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private started = false;
  private waiters: (() => void)[] = [];
  private onFirstSync: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly scratch = { id: 0, digest: 0, timeoutSec: null as number | null };
  private readonly now: () => number;
  /** conntop 1.0 servers (server/client-v1.ts): the probe of each connection, the adapter of a 1.0 one. */
  private readonly probe = new V1Probe();
  private v1: V1Adapter | null = null;
  private v1Told = false;

  constructor(private readonly o: RemoteOptions) {
    this.now = o.now ?? Date.now;
    this.backoffMs = o.backoff?.minMs ?? 250;
    this.ended = new Promise<void>((_, reject) => (this.failForGood = reject));
    this.ended.catch(() => undefined);
  }

  /** Connects; resolves once the first snapshot has been delivered, rejects if the first attempt fails. */
  start(sink: SourceSink, shortcut?: DumpShortcut): Promise<void> {
    this.sink = sink;
    this.shortcut = shortcut;
    return new Promise((resolve, reject) => {
      this.onFirstSync = { resolve, reject };
      this.connect();
    });
  }

  /** Resolves after the server's next refresh has been delivered (or at once once closed). */
  refresh(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Closes the connection and stops reconnecting; pending refresh() calls resolve. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retry) clearTimeout(this.retry);
    if (this.beat) clearInterval(this.beat);
    if (this.sock && !this.sock.destroyed) {
      this.sock.end(this.v1 ? V1Adapter.BYE : '{"type":"bye","reason":"client closing"}\n');
      const s = this.sock;
      setTimeout(() => s.destroy(), 500).unref();
    }
    this.release();
  }

  private connect(): void {
    this.state = 'connecting';
    const { host, port, tls } = this.o;
    const sock = tls
      ? tlsConnect({ host, port, ca: tls.ca, rejectUnauthorized: !tls.fingerprint, servername: /^[\d.:]+$/.test(host) ? undefined : host })
      : netConnect({ host, port });
    this.sock = sock;
    this.nonce = newNonce();
    this.v1 = this.probe.begin() ? this.v1Adapter(sock) : null;
    const framer = new LineFramer(this.v1 ? V1_MAX_LINE_BYTES : MAX_SERVER_LINE_BYTES, (l) => this.onLine(sock, l), (code) => this.lost(sock, new RemoteError('protocol', `server sent ${code}`)));
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      this.lastHeardMs = this.now(); // a 1.0 DATA is one line of the whole table: bytes, not lines, prove life
      framer.push(d);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => this.lost(sock, new RemoteError(e.code ?? 'socket', `${host}:${port}: ${e.message}`)));
    sock.on('close', () => this.lost(sock, new RemoteError('closed', `${host}:${port} closed the connection`)));
    sock.once(tls ? 'secureConnect' : 'connect', () => {
      if (tls?.fingerprint) {
        const got = (sock as TLSSocket).getPeerCertificate().fingerprint256?.replace(/:/g, '').toLowerCase();
        if (got !== tls.fingerprint.replace(/:/g, '').toLowerCase()) {
          return this.lost(sock, new RemoteError('tls-fingerprint', `${host}:${port}: certificate fingerprint ${got} is not the pinned one`));
        }
      }
      this.lastHeardMs = this.now();
      this.probe.onConnect();
      if (this.v1) return; // 1.0: the adapter answers the banner
      sock.write(`${JSON.stringify({
        type: 'hello', protocol: PROTOCOL_NAME, versions: [PROTOCOL_VERSION], name: this.o.name, software: this.o.software,
        capabilities: ['filter', 'processes'], nonce: this.nonce, ...(this.o.filter ? { filter: this.o.filter } : {}),
      })}\n`);
    });
  }

  private onLine(sock: Socket, line: string): void {
    if (sock !== this.sock || sock === this.refused) return;
    this.lastHeardMs = this.now();
    const v = parseJson(line);
    if (this.v1) return this.v1.onLine(v);
    if (this.probe.onLine(v)) return this.lost(sock, new RemoteError('closed', 'server answered in conntop 1.0\'s protocol'));
    if (typeof v === 'object' && v !== null && (v as { conntop_server?: unknown }).conntop_server === 1) return; // the banner
    const c = checkServerMessage(v);
    if (!c.ok) {
      this.health.badMessages++;
      // Nothing after it is read; the connection is dropped once TypeBox has said what was wrong.
      this.refused = sock;
      void explainServerMessage(c, v).then((detail) => {
        this.health.lastProblem = `server message: ${detail}`;
        this.lost(sock, new RemoteError('protocol', `server sent an invalid message (${detail})`));
      });
      return;
    }
    this.onMessage(sock, c.msg);
  }

  private onMessage(sock: Socket, m: ServerMessage): void {
    const sink = this.sink;
    switch (m.type) {
      case 'hello':
        if (m.version !== PROTOCOL_VERSION) return this.lost(sock, new RemoteError('unsupported-version', `server speaks version ${m.version}`));
        this.serverName = m.name;
        if (this.o.tag && this.hostTag === undefined) this.hostTag = this.o.tag(m.name); // kept across reconnects
        this.sharesProcesses = m.capabilities.includes('processes');
        this.heartbeatMs = m.heartbeatMs;
        if (m.auth) {
          if (!this.o.secret) return this.lost(sock, new RemoteError('auth-required', 'the server requires a shared secret (--auth-file)'));
          sock.write(`{"type":"auth","hmac":"${clientProof(this.o.secret, m.auth.challenge, this.nonce)}"}\n`);
          this.challenge = m.auth.challenge;
        }
        return;
      case 'ready':
        if (this.o.secret && this.challenge && (m.proof === null || !sameDigest(m.proof, serverProof(this.o.secret, this.challenge, this.nonce)))) {
          return this.lost(sock, new RemoteError('bad-proof', 'the server does not know the shared secret'));
        }
        this.startHeartbeat(sock);
        return;
      case 'snapshot-begin':
        this.state = 'syncing';
        this.mirror.clear();
        this.processes.clear();
        return sink({ kind: 'dumpBegin', atMs: m.atMs });
      case 'flows':
        for (const { ref, flow, process } of m.flows) {
          const ver = this.nextVersion();
          const entry: Mirrored = { flow: this.tagged(flow), ver };
          this.mirror.set(ref, entry);
          if (process) this.setProcess(entry, process);
          sink({ kind: 'dumpEntry', flow, digest: ver });
        }
        return;
      case 'snapshot-end':
        this.state = 'live'; // before the dumpEnd: a merging source (lib/multi-source.ts) reads it
        sink({ kind: 'dumpEnd', atMs: m.atMs, complete: true });
        this.backoffMs = this.o.backoff?.minMs ?? 250;
        if (!this.started) {
          this.started = true;
          this.onFirstSync?.resolve();
          this.onFirstSync = null;
          if (this.retried) this.note(`connected to ${this.serverName ?? this.o.host}`);
        } else {
          this.note(`connected to ${this.serverName ?? this.o.host} again, table resynchronised`);
          this.release(); // a complete dump like a refresh: the session delivers the resync now
        }
        return;
      case 'new': {
        const entry: Mirrored = { flow: this.tagged(m.flow), ver: this.nextVersion() };
        this.mirror.set(m.ref, entry);
        if (m.process) this.setProcess(entry, m.process);
        return sink({ kind: 'new', flow: m.flow, atMs: m.atMs });
      }
      case 'update': {
        const cur = this.mirror.get(m.ref);
        if (!cur) return; // filtered out, or not yet known: nothing to update
        if (m.process) this.setProcess(cur, m.process);
        let set = false;
        for (const _ in m.set) { set = true; break; }
        if (!set) return; // a process label alone changes no flow field
        const flow = { ...cur.flow, ...m.set } as Flow; // copy on write: the table owns the objects it was given
        cur.flow = flow;
        cur.ver = this.nextVersion();
        return sink({ kind: 'update', flow, atMs: m.atMs });
      }
      case 'destroy': {
        const cur = this.mirror.get(m.ref);
        if (!cur) return;
        this.mirror.delete(m.ref);
        if (cur.key !== undefined) this.processes.delete(cur.key);
        // 'gone' flows leave at the next refresh's dump, which closes them as 'gone' here too.
        if (m.reason === 'destroy') sink({ kind: 'destroy', flow: { ...cur.flow, ...m.set } as Flow, atMs: m.atMs });
        return;
      }
      case 'refresh':
        this.serverStats = { count: m.stats.kernelCount ?? m.stats.total, max: m.stats.max };
        sink({ kind: 'stats', ...this.serverStats, atMs: m.atMs });
        this.replayDump(m.atMs);
        this.health = { ...m.health };
        return this.release();
      case 'resync':
        // The server lost events (or resends this client a snapshot): stale until the next complete dump.
        return sink({ kind: 'overflow', atMs: m.atMs });
      case 'heartbeat':
        return;
      case 'error':
        return this.lost(sock, new RemoteError(m.code, `server: ${m.message}`));
      case 'bye':
        return this.lost(sock, new RemoteError('bye', `server: ${m.reason}`));
    }
  }

  private challenge = '';
  /** The connection whose server sent an invalid message (being dropped). */
  private refused: Socket | null = null;
  /** A first connection failed and was retried (keepTrying). */
  private retried = false;

  /** Flows mirrored now (the server's table as this client last heard it, filtered). */
  get flowCount(): number {
    return this.mirror.size;
  }

  /** The process label the server shared for the flow whose flowKey is `key` (undefined: none shared). */
  processOf(key: string): ProcessLabel | undefined {
    return this.processes.size === 0 ? undefined : this.processes.get(key);
  }

  private nextVersion(): number {
    return this.o.nextVersion ? this.o.nextVersion() : ++this.ver;
  }

  /** `flow` with this server's host tag (the parsed object itself: nothing else holds it yet). */
  private tagged(flow: Flow): Flow {
    if (this.hostTag !== undefined) flow.host = this.hostTag;
    return flow;
  }

  private setProcess(entry: Mirrored, label: ProcessLabel): void {
    entry.key ??= flowKey(entry.flow);
    this.processes.set(entry.key, label);
  }

  /** Replays the mirror as a complete dump at the server's refresh time: counters and rates follow. */
  private replayDump(atMs: number): void {
    const sink = this.sink;
    sink({ kind: 'dumpBegin', atMs });
    this.replayEntries(sink, this.shortcut);
    sink({ kind: 'dumpEnd', atMs, complete: true });
  }

  /**
   * Sends every mirrored flow to `sink` as a dumpEntry (those `shortcut` takes as unchanged excepted), without
   * dumpBegin and dumpEnd: a merging source (lib/multi-source.ts) wraps several servers' mirrors into one dump.
   */
  replayEntries(sink: SourceSink, sc: DumpShortcut | undefined): void {
    const d = this.scratch as CopyDigest & { id: number; digest: number; timeoutSec: number | null };
    for (const m of this.mirror.values()) {
      if (sc) {
        d.id = m.flow.id;
        d.digest = m.ver;
        d.timeoutSec = m.flow.timeoutSec;
        if (sc.unchanged(d)) continue;
      }
      sink({ kind: 'dumpEntry', flow: m.flow, digest: m.ver });
    }
  }

  private startHeartbeat(sock: Socket): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = setInterval(() => {
      if (sock !== this.sock || sock.destroyed) return;
      if (this.now() - this.lastHeardMs > 3 * this.heartbeatMs) {
        return this.lost(sock, new RemoteError('heartbeat-timeout', `nothing heard from ${this.o.host} for ${3 * this.heartbeatMs} ms`));
      }
      sock.write(`{"type":"heartbeat","atMs":${this.now()}}\n`);
    }, this.heartbeatMs);
    this.beat.unref();
  }

  /** The connection ended: report, mark the table stale, and retry with backoff (unless fatal or closed). */
  private lost(sock: Socket, err: RemoteError): void {
    if (sock !== this.sock) return;
    this.sock = null;
    sock.destroy();
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
    if (this.state === 'closed') return;
    if (!this.v1 && !this.o.tls && this.probe.isV1Server(err.code)) {
      // conntop 1.0 refused our hello: speak 1.0 on a new connection now (unless that would drop the secret).
      if (!this.o.secret) {
        this.probe.nextIsV1 = true;
        return this.connect();
      }
      err = new RemoteError('v1-insecure', `${this.o.host}:${this.o.port} speaks conntop 1.0, which has no authentication: not connecting without it`);
    }
    this.health.lastProblem = err.message;
    if (!this.started) {
      this.onFirstSync?.reject(err);
      this.onFirstSync = null;
      if (!this.o.keepTrying || FATAL.has(err.code)) {
        this.state = 'closed';
        return this.release();
      }
      this.retried = true;
    } else {
      // The mirror stays (stale) until the next snapshot replaces it: a merging source keeps showing its rows.
      this.sink({ kind: 'overflow', atMs: this.now() });
    }
    if (FATAL.has(err.code) || this.o.reconnect === false) {
      this.note(`${err.message}; not reconnecting`);
      this.state = 'closed';
      this.failForGood(err);
      return this.release();
    }
    this.state = 'disconnected';
    this.note(`${err.message}; reconnecting in ${this.backoffMs} ms`);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.state === 'disconnected') this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoff?.maxMs ?? 5000);
    this.release(); // a refresh() caller sees the stale table (and its resync once reconnected)
  }

  /** The adapter of a connection speaking conntop 1.0 (server/client-v1.ts), wired to this source. */
  private v1Adapter(sock: Socket): V1Adapter {
    const fail = (code: string, message: string) => this.lost(sock, new RemoteError(code, message));
    const refused = V1Adapter.refusal(this.o.filter);
    if (refused) queueMicrotask(() => fail(refused.code, refused.message));
    const a = new V1Adapter({
      write: (line) => sock.write(`${line}\n`),
      deliver: (m) => this.onMessage(sock, m),
      identify: (name) => {
        this.serverName = name;
        if (this.o.tag && this.hostTag === undefined) this.hostTag = this.o.tag(name);
      },
      refresh: (atMs) => {
        this.replayDump(atMs);
        this.release();
      },
      problem: (detail) => {
        this.health.badMessages++;
        this.health.lastProblem = detail;
      },
      fail: (f) => fail(f.code, `${this.o.host}:${this.o.port}: ${f.message}`),
      tell: (message) => {
        if (!this.v1Told) this.sink({ kind: 'notice', message: `${this.serverName || `${this.o.host}:${this.o.port}`} ${message}` });
        this.v1Told = true;
      },
      now: this.now,
    }, this.o.filter, this.o.name, this.o.software);
    const watch = setInterval(() => {
      if (sock.destroyed || sock !== this.sock) return clearInterval(watch);
      if (this.now() - this.lastHeardMs > V1_SILENCE_MS) fail('heartbeat-timeout', `nothing heard from ${this.o.host} for ${V1_SILENCE_MS} ms`);
    }, 1000);
    watch.unref();
    return a;
  }

  /** A connection-state note: to `log` when given, else as a notice event (the session shows it). */
  private note(message: string): void {
    if (this.o.log) this.o.log(message);
    else this.sink({ kind: 'notice', message });
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
