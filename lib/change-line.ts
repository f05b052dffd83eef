// lib/ layer: the --events line of a flow change written as UTF-8 bytes into one reused buffer, the same text as
// changeJson (events-output.ts) and flowJson (flow-json.ts) build as strings. At tens of thousands of events a
// second the strings were most of what an event allocated (a kilobyte or two of pieces per line, then encoded
// once more into the output chunk), and so most of the collector's work. Pure: no I/O. Imports ./flow-table types and
// ./flow-json's portsOnly.
import type { FlowChange } from './flow-table.js';
import { portsOnly } from './flow-json.js';
import type { DirCounters, Flow, FlowTuple } from './flow.js';
import { JsonBytes, ascii } from './json-bytes.js';


// The fixed pieces, in the order changeJson and flowJson write them.
const EVENT = ascii('{"event":"');
const AT = ascii('","atMs":');
const REASON = ascii(',"reason":"');
const FLOW = ascii(',"flow":{"id":');
const FAMILY = ascii(',"family":"');
const PROTO = ascii('","proto":');
const PROTO_NUM = ascii(',"protoNum":');
const ORIG = ascii(',"orig":');
const REPLY = ascii(',"reply":');
const STATE = ascii(',"state":');
const STATUS = ascii(',"status":[');
const TIMEOUT = ascii('],"timeoutSec":');
const MARK = ascii(',"mark":');
const ZONE = ascii(',"zone":');
const USE = ascii(',"use":');
const LABELS = ascii(',"labels":[');
const HELPER = ascii('],"helper":');
const COUNTERS = ascii(',"counters":{"orig":');
const CREPLY = ascii(',"reply":');
const SATURATED = ascii(',"saturated":true');
const START = ascii(',"startNs":"');
const STOP = ascii(',"stopNs":"');
const MASTER = ascii(',"master":');
const SECCTX = ascii(',"secctx":');
const HOST = ascii(',"host":');
const PACKETS = ascii('{"packets":');
const BYTES = ascii(',"bytes":');
const RATES = ascii(',"rates":{"orig":{"bytesPerSec":');
const PPS = ascii(',"packetsPerSec":');
const RREPLY = ascii('},"reply":{"bytesPerSec":');
const AGE = ascii('}},"ageMs":');
const AGE_SOURCE = ascii(',"ageSource":"');
const IDLE = ascii('","idleMs":');
const ENRICH = ascii(',"enrich":');
const SRC = ascii('{"src":');
const DST = ascii(',"dst":');
const SPORT = ascii(',"sport":');
const DPORT = ascii(',"dport":');
const NULL = ascii('null');

/** One change line being written: bytes [0, len) of `buf`, which grows as needed and is reused line after line. */
export class ChangeLine extends JsonBytes {
  /**
   * Writes the line of a flow change (not a resync) without its newline: changeJson(c)'s text exactly, with
   * `enrich` (the enricher's answer for the flow, if any) as its "enrich" object.
   */
  write(c: Exclude<FlowChange, { kind: 'resync' }>, enrich: unknown): void {
    this.len = 0;
    const l = c.live;
    const closed = c.kind === 'destroy' ? l.closed : null;
    this.put(EVENT);
    this.raw(c.kind);
    this.put(AT);
    this.num(closed ? closed.atMs : c.kind === 'new' ? l.firstSeenMs : l.lastChangeMs);
    if (closed) {
      this.put(REASON);
      this.raw(closed.reason);
      this.byte(34); // "
    }
    this.flow(c.flow);
    const r = l.rates;
    this.put(RATES);
    this.num(r.orig.bytesPerSec);
    this.put(PPS);
    this.num(r.orig.packetsPerSec);
    this.put(RREPLY);
    this.num(r.reply.bytesPerSec);
    this.put(PPS);
    this.num(r.reply.packetsPerSec);
    this.put(AGE);
    this.num(l.ageMs);
    this.put(AGE_SOURCE);
    this.raw(l.ageSource);
    this.put(IDLE);
    this.num(l.idleMs);
    if (enrich) {
      this.put(ENRICH);
      this.encode(JSON.stringify(enrich));
    }
    this.byte(125); // }
  }

  /** `,"flow":` and flowJson(f). */
  private flow(f: Flow): void {
    this.put(FLOW);
    this.num(f.id);
    this.put(FAMILY);
    this.raw(f.family);
    this.put(PROTO);
    this.str(f.proto);
    this.put(PROTO_NUM);
    this.num(f.protoNum);
    this.put(ORIG);
    this.tuple(f.orig);
    this.put(REPLY);
    this.tuple(f.reply);
    this.put(STATE);
    this.strOrNull(f.state);
    this.put(STATUS);
    for (let i = 0; i < f.status.length; i++) {
      if (i > 0) this.byte(44); // ,
      this.str(f.status[i]);
    }
    this.put(TIMEOUT);
    this.numOrNull(f.timeoutSec);
    this.put(MARK);
    this.num(f.mark);
    this.put(ZONE);
    this.num(f.zone);
    this.put(USE);
    this.numOrNull(f.use);
    this.put(LABELS);
    for (let i = 0; i < f.labels.length; i++) {
      if (i > 0) this.byte(44);
      this.num(f.labels[i]);
    }
    this.put(HELPER);
    this.strOrNull(f.helper);
    const c = f.counters;
    if (c) {
      this.put(COUNTERS);
      this.dir(c.orig);
      this.put(CREPLY);
      this.dir(c.reply);
      if (c.saturated) this.put(SATURATED);
      this.byte(125);
    }
    if (f.startNs !== undefined) {
      this.put(START);
      this.raw(f.startNs);
      this.byte(34); // "
    }
    if (f.stopNs !== undefined) {
      this.put(STOP);
      this.raw(f.stopNs);
      this.byte(34);
    }
    if (f.master) {
      this.put(MASTER);
      this.tuple(f.master);
    }
    if (f.secctx !== undefined) {
      this.put(SECCTX);
      this.str(f.secctx);
    }
    if (f.host !== undefined) {
      this.put(HOST);
      this.str(f.host);
    }
    this.byte(125);
  }

  /** tupleJson: src and dst, then every other key in the tuple's own order. */
  private tuple(t: FlowTuple): void {
    this.put(SRC);
    this.str(t.src);
    this.put(DST);
    this.str(t.dst);
    if (portsOnly(t)) {
      this.put(SPORT);
      this.num(t.sport);
      this.put(DPORT);
      this.num(t.dport);
    } else {
      for (const k in t) {
        if (k === 'src' || k === 'dst') continue;
        const v = t[k as keyof FlowTuple];
        if (v === undefined) continue;
        this.key(k);
        this.raw(String(v));
      }
    }
    this.byte(125);
  }

  private dir(d: DirCounters): void {
    this.put(PACKETS);
    this.num(d.packets);
    this.put(BYTES);
    this.num(d.bytes);
    this.byte(125);
  }

  /** `,"k":` */
  private key(k: string): void {
    this.byte(44);
    this.byte(34);
    this.raw(k);
    this.byte(34);
    this.byte(58);
  }

  /** A string as the template literal writes it (no quotes, no escaping): ASCII byte by byte, else UTF-8. */
  private raw(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let n = this.len;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch > 0x7e) {
        this.encode(s);
        return;
      }
      b[n++] = ch;
    }
    this.len = n;
  }

  /** JSON.stringify(s): quoted ASCII as is; anything to escape or beyond ASCII goes through JSON.stringify. */
  private str(s: string): void {
    this.room(s.length + 2);
    const b = this.buf;
    let n = this.len;
    b[n++] = 34;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch < 0x20 || ch > 0x7e || ch === 34 || ch === 92) {
        this.jsonString(s);
        return;
      }
      b[n++] = ch;
    }
    b[n++] = 34;
    this.len = n;
  }

  private strOrNull(s: string | null): void {
    if (s === null) this.put(NULL);
    else this.str(s);
  }

  private numOrNull(v: number | null): void {
    if (v === null) this.put(NULL);
    else this.num(v);
  }

  /** `${v}`: the digits of a non-negative integer below 2^53 written directly, any other number as String(v). */
  private num(v: number): void {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) this.uint(v);
    else this.raw(String(v));
  }
}
