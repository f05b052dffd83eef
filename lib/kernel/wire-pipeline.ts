// lib/kernel/ (the kernel boundary): turns netlink datagrams, live or replayed, into SourceEvents through one
// pipeline, so that a capture replays through exactly the code a live run used.
import { UnknownAttrs } from '../../netlink/attr.js';
import { CT_MSG } from '../../netlink/ct-attrs.js';
import { ctKindOf, decodeCtEntry, isCtEntryMessage } from '../../netlink/ct-decode.js';
import { CtDigest, digestCtEntry } from '../../netlink/ct-digest.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import { decodeGlobalStats } from '../../netlink/ct-stats.js';
import { DecodeError, NetlinkError } from '../../netlink/errors.js';
import { MsgCursor, NLMSG, NLM_F, decodeDone, decodeNlError, splitMessages, toNetlinkError } from '../../netlink/message.js';
import { NETLINK_NETFILTER, NFNL_SUBSYS, msgTypeOf, subsysOf } from '../../netlink/nfnetlink.js';
import type { CaptureRecord } from '../../netlink/pcap.js';
import { Reader } from '../../netlink/reader.js';
import { passesFilter, type DumpJsonSink, type DumpShortcut, type FlowFilter, type SourceHealth, type SourceSink } from '../source.js';
import { JsonLine, entryKeyHash } from './entry-json.js';
import { StatusNames, toFlow } from './to-flow.js';

/** One datagram crossing the socket boundary, as a capture holds it (tsNs: CLOCK_REALTIME ns). */
export type WireRecord = CaptureRecord;

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
  /** Takes dump copies as JSON lines instead of dumpEntry events (FlowSource.start's json), if any. */
  json: DumpJsonSink | undefined;
  private jsonLine: JsonLine | undefined;
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
    if (rec.family !== NETLINK_NETFILTER) return; // sock_diag traffic belongs to process lookup, not to the flow stream
    this.feedAt(rec.direction, rec.data, Number(rec.tsNs / 1000000n));
  }

  /**
   * feed() for a netfilter datagram whose time is already in epoch ms (whole ms, as feed() computes it from
   * tsNs): the live source's path when nothing is recorded, without a record object and three bigints per event.
   */
  feedAt(direction: WireRecord['direction'], data: Uint8Array, atMs: number): void {
    try {
      if (direction === 'out') this.noteRequests(data, atMs);
      else this.feedIn(data, atMs);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // A datagram that cannot be framed may have held dump entries: no dump in flight may sweep on its end.
      if (direction === 'in') for (const p of this.pending.values()) if (p.kind === 'dump') p.bad = true;
      this.problem(e, data);
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
        if (p?.kind === 'dump' && this.json) {
          this.jsonEntry(entry, this.json);
          continue;
        }
        const flow = toFlow(entry, this.statusNames);
        if (!passesFilter(flow, this.filter)) continue;
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

  /** A dump copy for the JSON consumer: no Flow, the line written from the entry (the same text as flowJson). */
  private jsonEntry(e: CtEntry, json: DumpJsonSink): void {
    if (!passesFilter({ family: e.family === 10 ? 'ipv6' : 'ipv4', protoNum: e.protoNum }, this.filter)) return;
    const line = (this.jsonLine ??= new JsonLine(this.statusNames));
    line.write(e);
    json.entry(line.buf, line.len, e.id ?? 0, entryKeyHash(e));
  }

  private finish(seq: number, atMs: number, error?: NetlinkError): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    if (p.kind === 'dump') this.sink({ kind: 'dumpEnd', atMs, complete: !error && !p.bad });
    this.onRequestDone?.(seq, error);
  }
}
