// lib/kernel/ (the kernel boundary): the flow JSON of a decoded conntrack entry, written as UTF-8 bytes
// straight from the CtEntry, for `--once --json` (no Flow object, no string per piece). The bytes are exactly
// flowJson(toFlow(e)) for entries the decoder made; a property test (fuzz/entry-json.prop.ts) holds it to that.
import { DCCP_STATES, PROTO_NAMES, SCTP_STATES, TCP_STATES, stateName } from '../../netlink/ct-attrs.js';
import type { CtCounters, CtEntry, CtTuple } from '../../netlink/ct-entry.js';
import { flowKeyHash } from '../flow.js';
import { JsonBytes, ascii } from '../json-bytes.js';
import type { StatusNames } from './to-flow.js';


// The fixed pieces of a line, in the order flowJson writes them.
const ID = ascii('{"id":');
const V4 = ascii(',"family":"ipv4","proto":');
const V6 = ascii(',"family":"ipv6","proto":');
const ORIG = ascii(',"orig":');
const REPLY = ascii(',"reply":');
const STATE = ascii(',"state":');
const NULL = ascii('null');
const TIMEOUT = ascii(',"timeoutSec":');
const MARK = ascii(',"mark":');
const ZONE = ascii(',"zone":');
const USE = ascii(',"use":');
const LABELS = ascii(',"labels":[');
const HELPER = ascii('],"helper":');
const COUNTERS = ascii(',"counters":{"orig":{"packets":');
const BYTES = ascii(',"bytes":');
const CREPLY = ascii('},"reply":{"packets":');
const SATURATED = ascii(',"saturated":true');
const START = ascii(',"startNs":"');
const STOP = ascii(',"stopNs":"');
const MASTER = ascii(',"master":');
const SECCTX = ascii(',"secctx":');
const SRC = ascii('{"src":"');
const DST = ascii('","dst":"');
const SPORT = ascii(',"sport":');
const DPORT = ascii(',"dport":');
const TYPE = ascii(',"type":');
const CODE = ascii(',"code":');
const ICMP_ID = ascii(',"icmpId":');
const SRC_KEY = ascii(',"srcKey":');
const DST_KEY = ascii(',"dstKey":');
const TZONE = ascii(',"zone":');

/** One JSON line being written: bytes [0, len) of `buf`, which grows as needed and is reused line after line. */
export class JsonLine extends JsonBytes {
  /** `"proto":"tcp","protoNum":6` and `,"status":[...]` pieces, made once per protocol and status word. */
  private readonly protoPieces = new Map<number, Uint8Array>();
  private readonly statusPieces = new Map<number, Uint8Array>();

  constructor(private readonly names: StatusNames) {
    super();
  }

  private tuple(t: CtTuple): void {
    this.put(SRC);
    this.text(t.src);
    this.put(DST);
    this.text(t.dst);
    this.put(QUOTE);
    // The decoder's key orders: ports, ICMP type/code/id, or GRE keys (one kind per tuple), then the zone.
    if (t.sport !== undefined) { this.put(SPORT); this.uint(t.sport); }
    if (t.dport !== undefined) { this.put(DPORT); this.uint(t.dport); }
    if (t.type !== undefined) { this.put(TYPE); this.uint(t.type); }
    if (t.code !== undefined) { this.put(CODE); this.uint(t.code); }
    if (t.icmpId !== undefined) { this.put(ICMP_ID); this.uint(t.icmpId); }
    if (t.srcKey !== undefined) { this.put(SRC_KEY); this.uint(t.srcKey); }
    if (t.dstKey !== undefined) { this.put(DST_KEY); this.uint(t.dstKey); }
    if (t.zone !== undefined) { this.put(TZONE); this.uint(t.zone); }
    this.put(CLOSE);
  }

  private counters(c: CtCounters | undefined): void {
    this.uint(c ? c.packets : 0);
    this.put(BYTES);
    this.uint(c ? c.bytes : 0);
  }

  private protoPiece(protoNum: number): Uint8Array {
    let p = this.protoPieces.get(protoNum);
    if (!p) {
      p = ascii(`${JSON.stringify(PROTO_NAMES[protoNum] ?? String(protoNum))},"protoNum":${protoNum}`);
      this.protoPieces.set(protoNum, p);
    }
    return p;
  }

  private statusPiece(status: number): Uint8Array {
    let p = this.statusPieces.get(status);
    if (!p) {
      p = ascii(`,"status":${JSON.stringify(this.names.of(status))}`);
      if (this.statusPieces.size < 65536) this.statusPieces.set(status, p);
    }
    return p;
  }

  /** Writes the JSON of `e` (flowJson(toFlow(e)), without a newline) from the start of the buffer. */
  write(e: CtEntry): void {
    this.len = 0;
    this.put(ID);
    this.uint(e.id ?? 0);
    this.put(e.family === 10 ? V6 : V4);
    this.put(this.protoPiece(e.protoNum));
    this.put(ORIG);
    this.tuple(e.orig);
    this.put(REPLY);
    this.tuple(e.reply);
    this.put(STATE);
    const state = e.tcp ? stateName(TCP_STATES, e.tcp.state) : e.sctp ? stateName(SCTP_STATES, e.sctp.state) : e.dccp ? stateName(DCCP_STATES, e.dccp.state) : null;
    if (state === null) this.put(NULL);
    else {
      // State names come from conntop's tables or are `?(n)`: nothing to escape.
      this.put(QUOTE);
      this.text(state);
      this.put(QUOTE);
    }
    this.put(this.statusPiece(e.status));
    this.put(TIMEOUT);
    if (e.timeoutSec === undefined) this.put(NULL);
    else this.uint(e.timeoutSec);
    this.put(MARK);
    this.uint(e.mark ?? 0);
    this.put(ZONE);
    this.uint(e.zone ?? 0);
    this.put(USE);
    if (e.use === undefined) this.put(NULL);
    else this.uint(e.use);
    this.put(LABELS);
    const labels = e.labels;
    if (labels) {
      for (let i = 0; i < labels.length; i++) {
        if (i > 0) this.put(COMMA);
        this.uint(labels[i]);
      }
    }
    this.put(HELPER);
    if (e.helper === undefined) this.put(NULL);
    else this.jsonString(e.helper);
    if (e.countersOrig || e.countersReply) {
      this.put(COUNTERS);
      this.counters(e.countersOrig);
      this.put(CREPLY);
      this.counters(e.countersReply);
      this.put(CLOSE);
      if (e.countersSaturated) this.put(SATURATED);
      this.put(CLOSE);
    }
    if (e.startNs !== undefined) {
      this.put(START);
      this.text(e.startNs.toString());
      this.put(QUOTE);
    }
    if (e.stopNs !== undefined) {
      this.put(STOP);
      this.text(e.stopNs.toString());
      this.put(QUOTE);
    }
    if (e.master) {
      this.put(MASTER);
      this.tuple(e.master);
    }
    if (e.secctx !== undefined) {
      this.put(SECCTX);
      this.jsonString(e.secctx);
    }
    this.put(CLOSE);
  }
}

const COMMA = ascii(',');
const CLOSE = ascii('}');
const QUOTE = ascii('"');

/** A 30-bit fingerprint of the entry's flow identity: flowKeyHash of the Flow made from it (see lib/flow.ts). */
export const entryKeyHash = (e: CtEntry): number => flowKeyHash(e);
