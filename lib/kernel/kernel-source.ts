// lib/kernel/ (the kernel boundary): the live kernel as a FlowSource, an event socket and a request socket
// driven into the WirePipeline.
import type { DumpFilter } from '../../netlink/ct-request.js';
import { encodeDumpRequest, encodeStatsRequest } from '../../netlink/ct-request.js';
import { SocketError, type DecodeError } from '../../netlink/errors.js';
import { encodeNlError } from '../../netlink/message.js';
import { AF, NETLINK_NETFILTER } from '../../netlink/nfnetlink.js';
import { openNetlinkSocket as openSocket, shimPatchLevel, shimPatched, type NetlinkSocket } from '../../netlink/socket.js';
import type { DumpJsonSink, DumpShortcut, FlowFilter, FlowSource, SourceHealth, SourceSink } from '../source.js';
import { nextTurn } from '../sleep.js';
import { ENOBUFS, WirePipeline, type WireRecord } from './wire-pipeline.js';
import type { SocketOpener } from './privsep.js';
import { SlicedFeed } from './sliced-feed.js';

/**
 * How long the event socket is not polled after a read that got something, in ms (shim patch v3): events
 * arriving meanwhile are read together in one wake-up, so a line still leaves within a few ms.
 */
const EVENT_READ_DELAY_MS = 2;

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
  /** Opens the sockets (default openNetlinkSocket; `conntopd --user` relays them from the root process, privsep.ts). */
  openSocket?: SocketOpener;
  /**
   * When set, datagrams are decoded and applied in slices of at most about this many ms per event-loop turn
   * (sliced-feed.ts), so input is read between them: the interactive view's keys do not wait for a dump.
   */
  sliceMs?: number;
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
  private readonly sliced: SlicedFeed | null;
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
  /** The kernel never ends by itself: only close() stops it. */
  readonly ended: Promise<void> = new Promise(() => undefined);
  /** The session's interval decides when the kernel is dumped. */
  readonly schedulesRefreshes = false;

  /** realtimeNs's base in ms: the wall clock at start minus the monotonic clock (performance.now). */
  private readonly baseMs = Date.now() - performance.now();

  constructor(private readonly opts: KernelSourceOptions = {}) {
    this.nowNs = opts.nowNs ?? realtimeNs();
    this.pipeline = new WirePipeline(() => undefined, opts.filter);
    this.pipeline.onBadDatagram = opts.onBadDatagram;
    this.sliced = opts.sliceMs ? new SlicedFeed((dir, data, atMs) => this.pipeline.feedAt(dir, data, atMs), opts.sliceMs) : null;
    this.pipeline.onRequestDone = (seq, err) => {
      const w = this.waiters.get(seq);
      if (!w) return;
      this.waiters.delete(seq);
      if (err) w.reject(err);
      // Sliced, the refresh's end (the table's tick over every flow, the view's update) runs in a turn of its
      // own, not in the slice that swept the table at the dump's end: a key typed meanwhile goes between.
      else if (this.sliced) setImmediate(() => w.resolve());
      else w.resolve();
    };
  }

  get health(): SourceHealth {
    return this.pipeline.health;
  }

  private feed(dir: 'in' | 'out', data: Uint8Array): void {
    let atMs: number;
    if (!this.opts.record && !this.opts.nowNs) {
      // Nothing keeps the record: the same clock in ms, as numbers (an event costs no bigint).
      atMs = Math.floor(this.baseMs + performance.now());
    } else {
      const rec: WireRecord = { tsNs: this.nowNs(), direction: dir, family: NETLINK_NETFILTER, data };
      this.opts.record?.(rec); // recorded as it arrives, whenever it is applied
      atMs = Number(rec.tsNs / 1000000n); // as WirePipeline.feed makes it
    }
    if (this.sliced) this.sliced.push(dir, data, atMs);
    else this.pipeline.feedAt(dir, data, atMs);
  }

  /**
   * Opens the sockets (start() does it when not done yet). Throws at once when the kernel refuses them (EPERM
   * without CAP_NET_ADMIN for the event groups), so a caller can check before changing anything else.
   */
  open(): void {
    if (this.reqSock) return;
    const openNetlinkSocket = this.opts.openSocket ?? openSocket;
    this.reqSock = openNetlinkSocket(NETLINK_NETFILTER, {
      onDatagram: (d) => this.feed('in', d),
      onError: (e) => this.failAll(e),
      // Read ahead (shim patch v4): the kernel builds each dump datagram inside the reader's recvmsg, so a
      // threadpool thread reading one batch ahead puts the kernel's dump on the other core beside our decoding.
    }, { recvChunkBytes: 32768, readAhead: true });
    if (this.opts.events) {
      try {
        this.evSock = openNetlinkSocket(NETLINK_NETFILTER, {
          onDatagram: (d) => this.feed('in', d),
          onError: (e) => this.eventError(e),
          // NFNLGRP_CONNTRACK_NEW | _UPDATE | _DESTROY as the legacy bind mask. With the reused receive buffer
          // (shim patch v2) one fixed-size read per event beats peeking its size first (two syscalls); without
          // it, each fixed-size read would malloc 32 KiB for a ~300-byte event. With batches (patch v3), a burst
          // of events is one JS entry, and reading pauses EVENT_READ_DELAY_MS after a read, so a burst is one wake-up.
        }, { groups: 0x7, recvChunkBytes: shimPatchLevel() >= 2 ? 32768 : undefined, readDelayMs: EVENT_READ_DELAY_MS });
      } catch (e) {
        this.reqSock.close();
        this.reqSock = undefined;
        throw e;
      }
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
  }

  async start(sink: SourceSink, shortcut?: DumpShortcut, json?: DumpJsonSink): Promise<void> {
    this.pipeline.sink = sink;
    this.pipeline.shortcut = shortcut;
    this.pipeline.json = json;
    this.open();
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

  /** True once the event socket reads in batches with a pause after each read (shim patch v3). */
  get batchesEvents(): boolean {
    return this.evSock?.batched === true;
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
      // The table treats events applied after dumpBegin as newer than the dump: the event datagrams already
      // queued are applied first. drain() reads them now (reading may be paused); without it, let libuv's poll
      // phase read them (setImmediate runs after it).
      if (this.evSock && !this.evSock.drain?.()) await nextTurn();
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
    this.sliced?.close();
    this.failAll(new SocketError('close', 'ECANCELED', 125, 'source closed'));
    this.reqSock?.close();
    this.evSock?.close();
  }
}
