// server/ layer: one client connection on the server: handshake (protocol detection, hello, optional HMAC
// challenge), snapshot streamed in chunks paced by the socket's drain, then live deltas with a bounded
// output: past the socket's high-water mark changes are coalesced per flow, past a bound the client is sent
// a fresh snapshot, and a client that reads nothing for stallMs is dropped. Imports lib/, server/ and node: builtins only.
import type { Duplex } from 'node:stream';
import type { Flow } from '../lib/flow.js';
import type { LiveFlow } from '../lib/flow-table.js';
import { clientProof, newNonce, sameDigest, serverProof } from './auth.js';
import { flowPredicate } from './filter.js';
import { LineFramer } from './line-framer.js';
import { checkClientMessage, explainClientMessage, parseJson } from './protocol-check.js';
import { MAX_CLIENT_LINE_BYTES, PROTOCOL_NAME, PROTOCOL_VERSION } from './protocol-consts.js';
import type { ClientMessage, ErrorCode } from './protocol.js';
import { V1Session, isV1Hello } from './protocol-v1.js';
import type { ConnectionHost, Encoded } from './server-types.js';

type State = 'hello' | 'auth' | 'waking' | 'snapshot' | 'live' | 'v1' | 'closed';

/** Target size of one snapshot chunk line (bytes of text). */
const CHUNK_CHARS = 64 * 1024;
/** Texts at least this long are written as Buffers (see writeRaw). */
const BYTES_TEXT_CHARS = 4096;

/** A connection's view of the socket: any Duplex (net.Socket, tls.TLSSocket) with a remote address. */
export type ClientSocket = Duplex & { remoteAddress?: string; setNoDelay?: (on: boolean) => unknown };

/** One accepted client, from the banner to the close. */
export class Connection {
  private state: State = 'hello';
  private readonly framer: LineFramer;
  private readonly timers: NodeJS.Timeout[] = [];
  private challenge = '';
  private nonce = '';
  private pred: ((f: Flow) => boolean) | null = null;
  /** Changes not yet written (snapshot running, or the socket over its high-water mark), one per flow. */
  private pending = new Map<LiveFlow, Exclude<Encoded['kind'], 'process'>>();
  private pendingRefresh: string | null = null;
  /** The client fell too far behind: a resync and a fresh snapshot go out at the next drain. */
  private resyncDue = false;
  private snapshot: LiveFlow[] | null = null;
  private snapshotAt = 0;
  private backloggedSinceMs: number | null = null;
  private lastHeardMs: number;
  private v1: V1Session | null = null;
  /** A refused line is being explained; the connection then fails with its error. */
  private refusing = false;
  /** This client takes processes: it offered `processes` and the server shares them. */
  private procs = false;
  /** Peer name from its hello (cut to 256 characters by the schema). */
  name = '';
  readonly addr: string;

  constructor(private readonly sock: ClientSocket, private readonly host: ConnectionHost) {
    this.addr = sock.remoteAddress ?? '?';
    this.lastHeardMs = host.now();
    this.framer = new LineFramer(MAX_CLIENT_LINE_BYTES, (l) => this.onLine(l), (code) => {
      this.fail(code === 'line-too-long' ? 'line-too-long' : 'bad-json', code === 'line-too-long' ? `lines are limited to ${MAX_CLIENT_LINE_BYTES} bytes` : 'not UTF-8 text');
    });
    sock.setNoDelay?.(true);
    sock.on('data', (d: Buffer) => this.framer.push(d));
    sock.on('end', () => {
      if (this.framer.end() && this.state !== 'closed') this.host.log(`client ${this.addr}: connection ended inside a line (truncated message dropped)`);
      this.close();
    });
    sock.on('error', () => this.close()); // ECONNRESET, EPIPE: this client only
    sock.on('close', () => this.close());
    sock.on('drain', () => this.pump());
    this.write('{"conntop_server":1}');
    // Judged after the next poll phase (setImmediate): a server busy streaming snapshots may not yet have read
    // a hello that arrived in time (seen with 10 clients at 100k flows on a loaded machine).
    this.timers.push(setTimeout(() => setImmediate(() => {
      if (this.state === 'hello' || this.state === 'auth') this.fail('handshake-timeout', `no complete handshake within ${host.handshakeMs} ms`);
    }), host.handshakeMs));
  }

  /** True once the session is open (snapshot streaming or live), false during the handshake and after. */
  get open(): boolean {
    return this.state === 'snapshot' || this.state === 'live' || this.state === 'v1';
  }

  /** True once closed. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes written to the socket and not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.sock.writableLength;
  }

  /** Pending coalesced changes (bounded by maxPending). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Delivers a batch of encoded changes (the same objects for every client). */
  deliver(batch: readonly Encoded[]): void {
    if (this.state === 'v1') return this.v1!.changes(batch);
    if (this.state !== 'snapshot' && this.state !== 'live') return;
    if (this.state === 'live' && this.pending.size === 0 && !this.resyncDue && !this.backlogged()) {
      let text = '';
      for (const e of batch) if (e.line !== null && this.wants(e) && (this.procs || e.kind !== 'process')) text += `${e.line}\n`;
      if (text.length > 0) this.writeRaw(text);
      return;
    }
    if (this.resyncDue) return; // a fresh snapshot will carry everything
    for (const e of batch) {
      if (!this.wants(e)) continue;
      // A process found is sent as an update with every field (it carries the process) once the socket drains.
      if (e.kind !== 'process') this.coalesce(e.live, e.kind);
      else if (this.procs && !e.live.closed) this.coalesce(e.live, 'update');
    }
    if (this.pending.size > this.host.maxPending()) {
      this.pending.clear();
      this.pendingRefresh = null;
      this.resyncDue = true;
      if (this.state === 'snapshot') this.snapshot = null; // stop sending the stale one
    }
    this.pump();
  }

  /** A refresh happened: its `refresh` line (sent now, or after what is pending). */
  refreshed(line: string): void {
    if (this.state === 'v1') return this.v1!.tick();
    if (this.state === 'live' && this.pending.size === 0 && !this.resyncDue && !this.backlogged()) this.write(line);
    else if (this.open) this.pendingRefresh = line;
  }

  /** The server's table resynchronised after lost events. */
  resynced(line: string): void {
    if (this.state === 'live' && !this.backlogged()) this.write(line);
  }

  /** Heartbeat tick: send one, close a silent peer, drop a client that stopped reading. */
  heartbeat(nowMs: number): void {
    if (this.state === 'closed') return;
    if (this.backloggedSinceMs !== null && nowMs - this.backloggedSinceMs > this.host.stallMs) {
      return this.fail('slow-client', `read nothing for ${this.host.stallMs} ms while output was waiting`);
    }
    if (this.state !== 'v1' && nowMs - this.lastHeardMs > 3 * this.host.heartbeatMs) {
      return this.fail('heartbeat-timeout', `nothing heard for ${3 * this.host.heartbeatMs} ms`);
    }
    if ((this.state === 'live' || this.state === 'snapshot' || this.state === 'waking') && !this.backlogged()) this.write(`{"type":"heartbeat","atMs":${nowMs}}`);
  }

  /** Sends an error message, then closes (the peer gets a moment to read it). */
  fail(code: ErrorCode, message: string): void {
    if (this.state === 'closed' || this.refusing) return;
    if (this.state === 'v1') this.v1!.disconnect(code);
    else this.write(JSON.stringify({ type: 'error', code, message }));
    this.shutdown();
  }

  /** Closes at once, quietly. */
  close(): void {
    if (this.state === 'closed') return;
    this.shutdown();
    this.sock.destroy();
  }

  /** Destroys the socket whatever it still holds (the server is leaving). */
  kill(): void {
    if (this.state !== 'closed') this.shutdown();
    this.sock.destroy();
  }

  private shutdown(): void {
    this.state = 'closed';
    this.framer.stop();
    this.pending.clear();
    this.snapshot = null;
    for (const t of this.timers) clearTimeout(t);
    this.sock.pause();
    this.sock.end();
    // end() waits for the peer to take what is queued; a peer that reads nothing is cut after a second.
    setTimeout(() => this.sock.destroy(), 1000).unref();
    this.host.closed(this);
  }

  private onLine(line: string): void {
    if (this.state === 'closed') return;
    this.lastHeardMs = this.host.now();
    const value = parseJson(line);
    if (this.state === 'v1') return this.v1!.onMessage(value);
    if (this.state === 'hello' && this.host.v1 && isV1Hello(value)) {
      this.state = 'v1';
      this.v1 = new V1Session(value, {
        write: (s) => this.write(s), fail: (c, m) => this.fail(c, m), close: () => this.close(), host: this.host, backlogged: () => this.backlogged(),
      });
      this.name = this.v1.peerName;
      this.host.ready(this);
      return;
    }
    const c = checkClientMessage(value);
    if (c.ok) return this.onMessage(c.msg);
    // Nothing after a refused line is read; the error names what was wrong once TypeBox has looked.
    this.framer.stop();
    this.refusing = true; // no other error (a handshake timeout) may come first
    void explainClientMessage(c, value).then((detail) => {
      this.refusing = false;
      this.fail(c.code, detail);
    });
  }

  private onMessage(m: ClientMessage): void {
    if (m.type === 'bye') return this.close();
    if (this.state === 'hello') {
      if (m.type !== 'hello') return this.fail('unexpected-message', `expected hello, got ${m.type}`);
      if (!m.versions.includes(PROTOCOL_VERSION)) return this.fail('unsupported-version', `this server speaks version ${PROTOCOL_VERSION}`);
      this.name = m.name;
      this.nonce = m.nonce;
      this.procs = this.host.shareProcesses && m.capabilities.includes('processes');
      this.pred = flowPredicate(m.filter);
      const secret = this.host.secret;
      if (secret) this.challenge = newNonce();
      this.write(JSON.stringify({
        type: 'hello', protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, name: this.host.name, software: this.host.software,
        capabilities: this.host.capabilities, auth: secret ? { method: 'hmac-sha256', challenge: this.challenge } : null,
        heartbeatMs: this.host.heartbeatMs, maxLineBytes: MAX_CLIENT_LINE_BYTES,
      }));
      if (secret) this.state = 'auth';
      else this.start(null);
      return;
    }
    if (this.state === 'auth') {
      if (m.type !== 'auth') return this.fail('auth-required', `expected auth, got ${m.type}`);
      const secret = this.host.secret!;
      if (!sameDigest(m.hmac, clientProof(secret, this.challenge, this.nonce))) {
        const line = this.host.limiter.fail(this.addr, 'wrong secret');
        if (line) this.host.log(line);
        return this.fail('auth-failed', 'wrong secret');
      }
      return this.start(serverProof(secret, this.challenge, this.nonce));
    }
    if (m.type === 'heartbeat') return;
    if (m.type === 'resync') {
      this.pending.clear();
      this.resyncDue = true;
      this.snapshot = null;
      this.reason = 'requested';
      return this.pump();
    }
    this.fail('unexpected-message', `${m.type} is not expected now`);
  }

  private reason: 'slow-client' | 'requested' = 'slow-client';

  private start(proof: string | null): void {
    this.write(JSON.stringify({ type: 'ready', proof, intervalMs: this.host.intervalMs }));
    this.host.ready(this);
    if (this.host.asleep) this.state = 'waking'; // the server dumps the table first (sleep mode)
    else this.beginSnapshot();
  }

  /** The server woke up from its sleep: a client waiting for it gets its snapshot now. */
  wake(): void {
    if (this.state === 'waking') this.beginSnapshot();
  }

  private beginSnapshot(): void {
    this.state = 'snapshot';
    const pred = this.pred;
    this.snapshot = this.host.table.snapshot(pred ? { filter: (l) => pred(l.flow) } : {});
    this.snapshotAt = 0;
    this.write(`{"type":"snapshot-begin","atMs":${this.host.now()},"total":${this.snapshot.length}}`);
    this.pump();
  }

  /** Writes what is due while the socket takes it: snapshot chunks, then pending changes, then the refresh. */
  private pump(): void {
    if (this.state !== 'snapshot' && this.state !== 'live') return;
    if (this.resyncDue && !this.backlogged()) {
      this.resyncDue = false;
      this.write(`{"type":"resync","atMs":${this.host.now()},"reason":"${this.reason}"}`);
      this.reason = 'slow-client';
      this.beginSnapshot();
      return;
    }
    const snap = this.snapshot;
    if (snap) {
      while (this.snapshotAt < snap.length && !this.backlogged()) {
        const { bytes, next } = this.host.encoder.snapshotChunk(snap, this.snapshotAt, CHUNK_CHARS, this.procs);
        this.snapshotAt = next;
        if (bytes && !this.sock.destroyed && !this.sock.writableEnded) this.sock.write(bytes);
      }
      if (this.snapshotAt < snap.length) return;
      this.snapshot = null;
      this.write(`{"type":"snapshot-end","atMs":${this.host.now()}}`);
      this.state = 'live';
    }
    if (this.pending.size > 0) {
      const enc = this.host.encoder;
      let text = '';
      for (const [live, kind] of this.pending) {
        if (this.backlogged()) break;
        this.pending.delete(live);
        text += `${kind === 'new' ? enc.newLine(live, this.procs) : kind === 'update' ? enc.fullUpdateLine(live, this.procs) : enc.destroyLine(live, true)}\n`;
        if (text.length >= CHUNK_CHARS) {
          this.writeRaw(text);
          text = '';
        }
      }
      if (text.length > 0) this.writeRaw(text);
      if (this.pending.size > 0) return;
    }
    if (this.pendingRefresh !== null && !this.backlogged()) {
      this.write(this.pendingRefresh);
      this.pendingRefresh = null;
    }
  }

  private coalesce(live: LiveFlow, kind: Exclude<Encoded['kind'], 'process'>): void {
    const prev = this.pending.get(live);
    if (prev === undefined) this.pending.set(live, kind);
    else if (prev === 'new' && kind === 'destroy') this.pending.delete(live); // never seen by this client
    else if (kind === 'destroy') this.pending.set(live, 'destroy');
    // new then update stays new; update then update stays update
  }

  private wants(e: Encoded): boolean {
    // Destroys always pass: a flow whose mark left the filter must still leave the client's table.
    return this.pred === null || e.kind === 'destroy' || this.pred(e.live.flow);
  }

  private backlogged(): boolean {
    const b = this.sock.writableLength >= this.host.highWaterBytes;
    if (!b) this.backloggedSinceMs = null;
    else if (this.backloggedSinceMs === null) this.backloggedSinceMs = this.host.now();
    return b;
  }

  private write(line: string): void {
    this.writeRaw(`${line}\n`);
  }

  private writeRaw(text: string): void {
    if (this.sock.destroyed || this.sock.writableEnded) return;
    // Big texts (snapshot chunks, batches) go out as bytes at once. Why: a string waiting in the socket's queue
    // for a slower client outlives two scavenges and is promoted, with the tree of flow strings it was built
    // from, and old-space garbage is only reclaimed by a full collection that a quiet server may not run for
    // minutes: 10 clients' snapshots at 100k flows left 300 MB of it. A Buffer's bytes live outside the V8
    // heap, are counted as external memory (which does trigger collections), and the strings die young.
    this.sock.write(text.length >= BYTES_TEXT_CHARS ? Buffer.from(text, 'utf8') : text);
  }
}
