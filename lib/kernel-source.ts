// lib/ layer: the only lib file that imports netlink/. It maps wire records (CtEntry) to Flows and turns
// datagrams, live or replayed, into SourceEvents through one pipeline (WirePipeline), so that a capture
// replays through exactly the code a live run used. KernelSource drives live sockets into that pipeline.
// Over 300 lines because the import rule (house style §2) keeps every netlink/ user in this one file.
import { UnknownAttrs } from '../netlink/attr.js';
import { CT_MSG, DCCP_STATES, IPS_NAMES, PROTO_NAMES, SCTP_STATES, TCP_STATES, stateName } from '../netlink/ct-attrs.js';
import { ctKindOf, decodeCtEntry, isCtEntryMessage } from '../netlink/ct-decode.js';
import { CtDigest, digestCtEntry } from '../netlink/ct-digest.js';
import type { CtEntry } from '../netlink/ct-entry.js';
import { decodeGlobalStats } from '../netlink/ct-stats.js';
import { DecodeError, NetlinkError } from '../netlink/errors.js';
import { MsgCursor, NLMSG, NLM_F, decodeDone, decodeNlError, splitMessages, toNetlinkError } from '../netlink/message.js';
import { NFNL_SUBSYS, msgTypeOf, subsysOf } from '../netlink/nfnetlink.js';
import { Reader } from '../netlink/reader.js';
import { AF, NETLINK_NETFILTER } from '../netlink/nfnetlink.js';
import { encodeDumpRequest, encodeStatsRequest, type DumpFilter } from '../netlink/ct-request.js';
import { encodeNlError } from '../netlink/message.js';
import { SocketError } from '../netlink/errors.js';
import { openNetlinkSocket, shimPatchLevel, shimPatched, type NetlinkSocket } from '../netlink/socket.js';
import { PcapWriter, readPcapFile, type CaptureRecord } from '../netlink/pcap.js';
import { NETLINK_SOCK_DIAG, TCP_STATE, decodeInetDiagMsg, encodeInetDiagReq, exactLookupFor } from '../netlink/sock-diag.js';
import type { SocketInfo, SocketLookup, SocketQuery } from './enrich/processes.js';
import type { Flow } from './flow.js';
import type { DumpShortcut, FlowSource, SourceHealth, SourceSink } from './source.js';

const EMPTY: readonly number[] = Object.freeze([]) as readonly number[];

/** Status flag names per status word, memoised per owner (a pipeline): at most 2^16 distinct words. */
export class StatusNames {
  private readonly cache = new Map<number, string[]>();

  /** The frozen, shared name list of `status` (IPS_* bits in bit order, without the prefix). */
  of(status: number): string[] {
    let names = this.cache.get(status);
    if (!names) {
      names = [];
      for (let b = 0; b < 32; b++) if (status & (1 << b)) names.push(IPS_NAMES[b] ?? `BIT${b}`);
      Object.freeze(names);
      if (this.cache.size < 65536) this.cache.set(status, names);
    }
    return names;
  }
}

/** Maps a decoded entry to the Flow model; tuples are reused, not copied. Status arrays are shared and frozen. */
export function toFlow(e: CtEntry, names: StatusNames = new StatusNames()): Flow {
  const f: Flow = {
    id: e.id ?? 0,
    family: e.family === 10 ? 'ipv6' : 'ipv4',
    proto: PROTO_NAMES[e.protoNum] ?? String(e.protoNum),
    protoNum: e.protoNum,
    orig: e.orig,
    reply: e.reply,
    state: e.tcp ? stateName(TCP_STATES, e.tcp.state) : e.sctp ? stateName(SCTP_STATES, e.sctp.state) : e.dccp ? stateName(DCCP_STATES, e.dccp.state) : null,
    status: names.of(e.status),
    timeoutSec: e.timeoutSec ?? null,
    mark: e.mark ?? 0,
    zone: e.zone ?? 0,
    use: e.use ?? null,
    labels: (e.labels ?? EMPTY) as number[],
    helper: e.helper ?? null,
    // The optional fields too, undefined when absent (JSON.stringify skips them; the order is the schema's):
    // one object shape for every flow, with every field in the object (adding them afterwards cost each
    // flow a separate 40-byte property array).
    counters: e.countersOrig || e.countersReply
      ? { orig: e.countersOrig ?? { packets: 0, bytes: 0 }, reply: e.countersReply ?? { packets: 0, bytes: 0 } }
      : undefined,
    startNs: e.startNs === undefined ? undefined : e.startNs.toString(),
    stopNs: e.stopNs === undefined ? undefined : e.stopNs.toString(),
    master: e.master,
    secctx: e.secctx,
  };
  if (e.countersSaturated && f.counters) f.counters.saturated = true;
  return f;
}

/** One datagram crossing the socket boundary, as a capture holds it (tsNs: CLOCK_REALTIME ns). */
export type WireRecord = CaptureRecord;

/** Which flows a pipeline passes on: events cannot be filtered by the kernel, so both dumps and events are checked. */
export interface FlowFilter {
  /** 'ipv4' / 'ipv6'; empty or absent = both. */
  families?: readonly Flow['family'][];
  /** Protocol numbers; empty or absent = all. */
  protoNums?: ReadonlySet<number>;
}

/** ENOBUFS errno: multicast events were dropped because our receive queue was full (ctnetlink.md §1.8). */
export const ENOBUFS = 105;

interface Pending {
  kind: 'dump' | 'stats' | 'other';
  /** A dump that met an undecodable entry is incomplete: it must not sweep the table. */
  bad: boolean;
}

/**
 * Turns netlink datagrams into SourceEvents. Requests ('out') are tracked by sequence number so replies are
 * matched to them; seq-0 conntrack messages are events; a seq-0 NLMSG_ERROR carrying -ENOBUFS is the
 * marker conntop writes into captures where the socket reported lost events. One catch per datagram.
 */
export class WirePipeline {
  readonly health: SourceHealth = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
  readonly unknown = new UnknownAttrs();
  private readonly pending = new Map<number, Pending>();
  private readonly statusNames = new StatusNames();
  private readonly digest = new CtDigest();
  private readonly cursor = new MsgCursor();
  /** The consumer's fast path for unchanged dump copies (FlowSource.start's shortcut), if any. */
  shortcut: DumpShortcut | undefined;
  /** Called when a request's answer is complete: error undefined on success. */
  onRequestDone: ((seq: number, error?: Error) => void) | undefined;
  /** Called with the bytes of every datagram that failed to decode (saved to a capture by the caller). */
  onBadDatagram: ((data: Uint8Array, err: DecodeError) => void) | undefined;

  constructor(
    /** Where events go; replaceable so a source can be built before its consumer. */
    public sink: SourceSink,
    private readonly filter: FlowFilter = {},
  ) {}

  /** Feeds one datagram. Never throws for bad bytes: they are counted and reported. */
  feed(rec: WireRecord): void {
    if (rec.family !== 12) return; // sock_diag traffic belongs to process lookup, not to the flow stream
    const atMs = Number(rec.tsNs / 1000000n);
    try {
      if (rec.direction === 'out') this.noteRequests(rec.data, atMs);
      else this.feedIn(rec.data, atMs);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // A datagram that cannot be framed may have held dump entries: no dump in flight may sweep on its end.
      if (rec.direction === 'in') for (const p of this.pending.values()) if (p.kind === 'dump') p.bad = true;
      this.problem(e, rec.data);
    }
    this.health.unknownAttrs = this.unknown.total;
  }

  private problem(e: DecodeError, data: Uint8Array): void {
    this.health.badMessages++;
    this.health.lastProblem = `bad netlink message: ${e.message}`;
    this.onBadDatagram?.(data, e);
  }

  private noteRequests(data: Uint8Array, atMs: number): void {
    const r = new Reader(data);
    for (const m of splitMessages(r)) {
      if (subsysOf(m.type) !== NFNL_SUBSYS.CTNETLINK) continue;
      const t = msgTypeOf(m.type);
      const isDump = (t === CT_MSG.GET || t === CT_MSG.GET_CTRZERO) && (m.flags & NLM_F.DUMP) !== 0;
      this.pending.set(m.seq, { kind: isDump ? 'dump' : t === CT_MSG.GET_STATS ? 'stats' : 'other', bad: false });
      if (isDump) this.sink({ kind: 'dumpBegin', atMs });
    }
  }

  private feedIn(data: Uint8Array, atMs: number): void {
    const r = new Reader(data);
    const m = this.cursor.reset(r);
    while (m.next()) {
      if (m.type === NLMSG.NOOP) continue;
      if (m.type === NLMSG.DONE || m.type === NLMSG.ERROR) {
        const e = m.type === NLMSG.DONE ? decodeDone(r, m) : decodeNlError(r, m);
        if (m.type === NLMSG.ERROR && m.seq === 0 && e.error === -ENOBUFS) {
          this.sink({ kind: 'overflow', atMs });
          continue;
        }
        this.finish(m.seq, atMs, e.error === 0 ? undefined : toNetlinkError(e, this.pending.get(m.seq)?.kind ?? 'request', m.seq));
        continue;
      }
      const p = m.seq !== 0 ? this.pending.get(m.seq) : undefined;
      if (isCtEntryMessage(m)) {
        let digest: number | undefined;
        if (p?.kind === 'dump' && this.shortcut && digestCtEntry(r, m, this.digest)) {
          const d = this.digest;
          if (this.shortcut.unchanged(d)) continue;
          digest = d.digest;
        }
        let entry: CtEntry;
        try {
          entry = decodeCtEntry(r, m, this.unknown);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          if (p) p.bad = true; // a dump with a hole must not sweep the table
          this.problem(e, data);
          continue;
        }
        const flow = toFlow(entry, this.statusNames);
        if (!this.pass(flow)) continue;
        if (p) this.sink(digest === undefined ? { kind: 'dumpEntry', flow } : { kind: 'dumpEntry', flow, digest });
        else if (m.seq === 0) this.sink({ kind: ctKindOf(m, false) as 'new' | 'update' | 'destroy', flow, atMs });
        continue;
      }
      if (subsysOf(m.type) === NFNL_SUBSYS.CTNETLINK && msgTypeOf(m.type) === CT_MSG.GET_STATS && p?.kind === 'stats') {
        const s = decodeGlobalStats(r, m);
        this.sink({ kind: 'stats', count: s.entries, max: s.maxEntries ?? null, atMs });
      }
    }
  }

  private finish(seq: number, atMs: number, error?: NetlinkError): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    if (p.kind === 'dump') this.sink({ kind: 'dumpEnd', atMs, complete: !error && !p.bad });
    this.onRequestDone?.(seq, error);
  }

  private pass(f: Flow): boolean {
    const fam = this.filter.families;
    if (fam && fam.length > 0 && !fam.includes(f.family)) return false;
    const protos = this.filter.protoNums;
    return !protos || protos.size === 0 || protos.has(f.protoNum);
  }
}

/** Kernel-side dump filters conntop exposes (ctnetlink.md §4.2). */
export type KernelDumpFilter = Pick<DumpFilter, 'mark' | 'markMask' | 'zone'>;

export interface KernelSourceOptions {
  filter?: FlowFilter;
  dumpFilter?: KernelDumpFilter;
  /** Subscribe to NEW/UPDATE/DESTROY events (live mode); false for a one-shot dump. */
  events?: boolean;
  /** SO_RCVBUF to ask for on the event socket (the kernel doubles it and caps it at 2 × rmem_max). */
  recvBufferBytes?: number;
  /** Receives every datagram sent and received, for --record. */
  record?: (rec: WireRecord) => void;
  /** Called when a datagram could not be decoded (its bytes, for saving). */
  onBadDatagram?: (data: Uint8Array, err: DecodeError) => void;
  /** CLOCK_REALTIME in ns (injected for tests). */
  nowNs?: () => bigint;
  /** Runs the receive-buffer setsockopt under a raised net.core.rmem_max cap (see sysctl.ts withRmemMax). */
  withReceiveCap?: <T>(bytes: number, fn: () => T) => T;
}

/** Realtime ns with sub-millisecond resolution: the wall clock at start plus a monotonic offset. */
export function realtimeNs(): () => bigint {
  const base = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  return () => base + process.hrtime.bigint();
}

/**
 * The live kernel as a FlowSource: an event socket (subscribed before the first dump, so nothing created
 * during the dump is missed) and a request socket for dumps and statistics, one request at a time.
 */
export class KernelSource implements FlowSource {
  private readonly pipeline: WirePipeline;
  private readonly nowNs: () => bigint;
  private reqSock: NetlinkSocket | undefined;
  private evSock: NetlinkSocket | undefined;
  private seq = Math.floor(Date.now() / 1000) & 0xffffff;
  private readonly waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Effective receive buffer of the event socket in bytes (after the kernel's doubling and cap). */
  eventBufferBytes = 0;
  /** False when the socket shim lacks conntop's install-time patch: an event overflow would abort the process. */
  readonly shimPatched = shimPatched();

  constructor(private readonly opts: KernelSourceOptions = {}) {
    this.nowNs = opts.nowNs ?? realtimeNs();
    this.pipeline = new WirePipeline(() => undefined, opts.filter);
    this.pipeline.onBadDatagram = opts.onBadDatagram;
    this.pipeline.onRequestDone = (seq, err) => {
      const w = this.waiters.get(seq);
      if (!w) return;
      this.waiters.delete(seq);
      if (err) w.reject(err);
      else w.resolve();
    };
  }

  get health(): SourceHealth {
    return this.pipeline.health;
  }

  private feed(dir: 'in' | 'out', data: Uint8Array): void {
    const rec: WireRecord = { tsNs: this.nowNs(), direction: dir, family: NETLINK_NETFILTER, data };
    this.opts.record?.(rec);
    this.pipeline.feed(rec);
  }

  async start(sink: SourceSink, shortcut?: DumpShortcut): Promise<void> {
    this.pipeline.sink = sink;
    this.pipeline.shortcut = shortcut;
    this.reqSock = openNetlinkSocket(NETLINK_NETFILTER, {
      onDatagram: (d) => this.feed('in', d),
      onError: (e) => this.failAll(e),
    }, { recvChunkBytes: 32768 });
    if (this.opts.events) {
      this.evSock = openNetlinkSocket(NETLINK_NETFILTER, {
        onDatagram: (d) => this.feed('in', d),
        onError: (e) => this.eventError(e),
        // NFNLGRP_CONNTRACK_NEW | _UPDATE | _DESTROY as the legacy bind mask. With the reused receive buffer
        // (shim patch v2) one fixed-size read per event beats peeking its size first (two syscalls); without
        // it, each fixed-size read would malloc 32 KiB for a ~300-byte event.
      }, { groups: 0x7, recvChunkBytes: shimPatchLevel() >= 2 ? 32768 : undefined });
      const want = this.opts.recvBufferBytes;
      const ev = this.evSock;
      if (want) {
        // The patched shim uses SO_RCVBUFFORCE (the kernel doubles the request); without it the size is capped
        // at 2 × net.core.rmem_max, which withReceiveCap raises around the call where it can (initial netns).
        const set = () => ev.setReceiveBuffer(want);
        this.eventBufferBytes = set();
        if (this.eventBufferBytes < want && this.opts.withReceiveCap) this.eventBufferBytes = this.opts.withReceiveCap(want, set);
      }
    }
    await this.refresh();
  }

  private eventError(e: SocketError): void {
    if (e.code === 'ENOBUFS') {
      // Record the loss where it happened, as the marker the pipeline (and a replay) understands.
      this.feed('in', encodeNlError(0, 0, -ENOBUFS, { len: 0, type: 0, flags: 0, seq: 0, pid: 0 }));
      return;
    }
    this.pipeline.health.lastProblem = `event socket: ${e.message}`;
  }

  private failAll(e: Error): void {
    for (const w of this.waiters.values()) w.reject(e);
    this.waiters.clear();
  }

  private request(data: Uint8Array, seq: number): Promise<void> {
    const sock = this.reqSock;
    if (!sock || this.closed) return Promise.reject(new SocketError('sendmsg', 'EBADF', 9, 'source closed'));
    const done = new Promise<void>((resolve, reject) => this.waiters.set(seq, { resolve, reject }));
    this.feed('out', data);
    return sock.send(data).then(() => done, (e: unknown) => {
      this.waiters.delete(seq); // no answer will come for a request that never left
      throw e;
    });
  }

  /** Statistics, then one dump (a single family goes to the kernel as a filter; both families dump AF_UNSPEC). */
  refresh(): Promise<void> {
    const run = async (): Promise<void> => {
      const fams = this.opts.filter?.families ?? [];
      const family = fams.length === 1 ? (fams[0] === 'ipv4' ? AF.INET : AF.INET6) : AF.UNSPEC;
      // Stats first: the dump's end then closes the refresh cycle, in a live run and in its replay alike.
      let seq = this.nextSeq();
      await this.request(encodeStatsRequest(seq), seq);
      // The table treats events applied after dumpBegin as newer than the dump: let libuv's poll phase read the
      // event datagrams already queued first (setImmediate runs after it), so stale ones are applied before.
      if (this.evSock) await new Promise<void>((r) => setImmediate(r));
      seq = this.nextSeq();
      await this.request(encodeDumpRequest(seq, { family, ...this.opts.dumpFilter }), seq);
    };
    // Dumps are serialised: the kernel allows one dump per socket at a time (EBUSY otherwise).
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new SocketError('close', 'ECANCELED', 125, 'source closed'));
    this.reqSock?.close();
    this.evSock?.close();
  }
}

/** Opens a capture file for --record (mode 0600: captures hold addresses). */
export function openRecorder(path: string): { record: (rec: WireRecord) => void; close: () => void; readonly records: number } {
  const w = PcapWriter.open(path);
  return {
    record: (rec) => w.write(rec),
    close: () => w.close(),
    get records() {
      return w.records;
    },
  };
}

export interface ReplayOptions {
  filter?: FlowFilter;
  /** 1 = as recorded, 2 = twice as fast, Infinity = as fast as possible. */
  speed?: number;
  /** Waits `ms` (injected so tests need no real time); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A capture made with --record as a FlowSource: the recorded datagrams go through the same WirePipeline
 * a live run used, paced by their timestamps. start() resolves after the first complete dump; `done`
 * resolves when the capture is exhausted. No kernel and no privileges are needed.
 */
export class ReplaySource implements FlowSource {
  private readonly pipeline: WirePipeline;
  private closed = false;
  private firstDump: (() => void) | undefined;
  private nextDump: (() => void)[] = [];
  /** Dumps the consumer has asked for (refresh calls) that playback has not yet reached. */
  private credits = 0;
  private gate: (() => void) | undefined;
  private dumpEnded = false;
  /** Resolves when every record has been played (or the source was closed). */
  done: Promise<void> = Promise.resolve();
  /** Records played so far. */
  played = 0;

  constructor(private readonly path: string, private readonly opts: ReplayOptions = {}) {
    this.pipeline = new WirePipeline(() => undefined, opts.filter);
  }

  get health(): SourceHealth {
    return this.pipeline.health;
  }

  start(sink: SourceSink, shortcut?: DumpShortcut): Promise<void> {
    this.pipeline.shortcut = shortcut;
    let fail: (e: unknown) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      this.firstDump = resolve;
      fail = reject;
    });
    this.pipeline.sink = (ev) => {
      sink(ev);
      if (ev.kind === 'dumpEnd') {
        this.dumpEnded = true;
        this.firstDump?.();
        this.firstDump = undefined;
        for (const f of this.nextDump.splice(0)) f();
      }
    };
    // A capture that cannot be opened or read rejects start() (and done); one without dumps resolves at its end.
    this.done = this.play().then(
      () => {
        this.firstDump?.();
        for (const f of this.nextDump.splice(0)) f();
      },
      (e: unknown) => {
        fail(e);
        throw e;
      },
    );
    this.done.catch(() => undefined);
    return started;
  }

  private async play(): Promise<void> {
    const speed = this.opts.speed ?? 1;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let t0: bigint | undefined;
    const wall0 = Date.now();
    for await (const rec of readPcapFile(this.path, { tolerant: true })) {
      if (this.closed) return;
      t0 ??= rec.tsNs;
      if (Number.isFinite(speed)) {
        const dueMs = Number(rec.tsNs - t0) / 1e6 / speed - (Date.now() - wall0);
        if (dueMs > 1) await sleep(dueMs);
      } else if (this.played % 256 === 255) {
        await new Promise<void>((r) => setImmediate(r)); // stay responsive while replaying at full speed
      }
      if (this.closed) return;
      this.dumpEnded = false;
      this.pipeline.feed(rec);
      this.played++;
      // Like a live run, the next dump waits until the consumer asks for it, so each refresh sees one dump.
      if (this.dumpEnded) {
        if (this.credits > 0) this.credits--;
        else await new Promise<void>((r) => (this.gate = r));
      }
    }
  }

  /** In a replay the capture decides when dumps happen: resolves at the next recorded dump's end. */
  refresh(): Promise<void> {
    const p = new Promise<void>((resolve) => this.nextDump.push(resolve));
    const g = this.gate;
    this.gate = undefined;
    if (g) g();
    else this.credits++;
    return p;
  }

  close(): void {
    this.closed = true;
    const g = this.gate;
    this.gate = undefined;
    g?.();
  }
}

/** Queries per datagram: the kernel answers several requests in one sendmsg in order, one reply each. */
const DIAG_BATCH = 64;

/**
 * SocketLookup over NETLINK_SOCK_DIAG exact lookups (ctnetlink.md §5): one request per flow, by full tuple,
 * in the orientation each protocol wants (TCP local→remote, UDP remote→local). ENOENT means no such socket.
 * The socket is opened on first use; a lookup that gets no answer within `timeoutMs` rejects.
 */
export class SockDiagLookup implements SocketLookup {
  private sock: NetlinkSocket | undefined;
  private seq = 1;
  private readonly waiters = new Map<number, (v: SocketInfo | null | Error) => void>();
  private readonly nowNs = realtimeNs();

  constructor(private readonly opts: { record?: (rec: WireRecord) => void; timeoutMs?: number } = {}) {}

  private open(): NetlinkSocket {
    this.sock ??= openNetlinkSocket(NETLINK_SOCK_DIAG, {
      onDatagram: (d) => this.onDatagram(d),
      onError: (e) => {
        for (const w of this.waiters.values()) w(e);
        this.waiters.clear();
      },
    });
    return this.sock;
  }

  private onDatagram(d: Uint8Array): void {
    this.opts.record?.({ tsNs: this.nowNs(), direction: 'in', family: NETLINK_SOCK_DIAG, data: d });
    const r = new Reader(d);
    try {
      for (const m of splitMessages(r)) {
        const w = this.waiters.get(m.seq);
        if (!w) continue;
        this.waiters.delete(m.seq);
        if (m.type === NLMSG.ERROR || m.type === NLMSG.DONE) {
          const err = m.type === NLMSG.ERROR ? decodeNlError(r, m).error : decodeDone(r, m).error;
          w(err === -2 || err === 0 ? null : toNetlinkError({ error: err }, 'sock_diag', m.seq));
        } else {
          const msg = decodeInetDiagMsg(r, m);
          // An exact TCP lookup that misses the established table falls back to the listener on the local
          // port (inet_lookup): that listener is not this flow's socket, whoever owns it.
          w(msg.state === TCP_STATE.LISTEN ? null : { inode: msg.inode, uid: msg.uid });
        }
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }

  async lookup(batch: SocketQuery[]): Promise<(SocketInfo | null)[]> {
    const sock = this.open();
    const out: Promise<SocketInfo | null>[] = [];
    for (let i = 0; i < batch.length; i += DIAG_BATCH) {
      const parts: Uint8Array[] = [];
      for (const q of batch.slice(i, i + DIAG_BATCH)) {
        const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
        const exact = exactLookupFor(q.protoNum, { addr: q.src, port: q.sport }, { addr: q.dst, port: q.dport });
        parts.push(encodeInetDiagReq({ family: q.family === 'ipv6' ? AF.INET6 : AF.INET, protocol: q.protoNum, exact, seq, dump: false }));
        const answer = new Promise<SocketInfo | null>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.waiters.delete(seq);
            reject(new SocketError('recvmsg', 'ETIMEDOUT', 110, 'sock_diag did not answer'));
          }, this.opts.timeoutMs ?? 2000);
          timer.unref();
          this.waiters.set(seq, (v) => {
            clearTimeout(timer);
            if (v instanceof Error) reject(v);
            else resolve(v);
          });
        });
        // Handled here too: when a later send fails or close() cancels, Promise.all has not subscribed yet.
        answer.catch(() => undefined);
        out.push(answer);
      }
      const data = concat(parts);
      this.opts.record?.({ tsNs: this.nowNs(), direction: 'out', family: NETLINK_SOCK_DIAG, data });
      await sock.send(data);
    }
    return Promise.all(out);
  }

  close(): void {
    this.sock?.close();
    this.sock = undefined;
    for (const w of this.waiters.values()) w(new SocketError('close', 'ECANCELED', 125, 'lookup closed'));
    this.waiters.clear();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
