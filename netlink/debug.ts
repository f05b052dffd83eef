// netlink/ layer: hexdump and a pretty-printer of datagrams, for CONNTOP_NLDEBUG output.
// Imports ./reader, ./attr, ./errors, ./message, ./nfnetlink, ./ct-attrs, ./sock-diag. No global state:
// the environment is passed in, and output is returned as text for the caller to write.
import { AttrIter } from './attr.js';
import { ctaName } from './ct-attrs.js';
import { DecodeError, errnoName } from './errors.js';
import { NLM_F, NLMSG, decodeDone, decodeNlError, splitMessages, type NlMsg } from './message.js';
import { NETLINK_NETFILTER, decodeNfGenMsg, msgTypeOf, subsysOf } from './nfnetlink.js';
import { Reader } from './reader.js';
import { INET_DIAG_MSG_LEN, NETLINK_SOCK_DIAG, decodeInetDiagMsg, decodeInetDiagReq, inetDiagAttrName, tcpStateName } from './sock-diag.js';

/** True when `env.CONNTOP_NLDEBUG` is set to anything but '', '0', 'false', 'no' or 'off'. */
export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CONNTOP_NLDEBUG;
  return v !== undefined && !['', '0', 'false', 'no', 'off'].includes(v.trim().toLowerCase());
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Classic 16-bytes-per-line dump: `0000  14 00 00 00 … |....|`; offsets in hex from `base`. */
export function hexdump(bytes: Uint8Array, base = 0): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.byteLength; off += 16) {
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      hex += i < row.byteLength ? `${hex2(row[i])} ` : '   ';
      if (i < row.byteLength) ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
    }
    lines.push(`${(base + off).toString(16).padStart(4, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

const FLAG_NAMES: [number, string][] = [
  [NLM_F.REQUEST, 'REQUEST'], [NLM_F.MULTI, 'MULTI'], [NLM_F.ACK, 'ACK'], [NLM_F.ECHO, 'ECHO'],
  [NLM_F.DUMP_INTR, 'DUMP_INTR'], [NLM_F.DUMP_FILTERED, 'DUMP_FILTERED'],
];

/** Flag names for the class-independent bits; the overloaded 0x100-0x800 bits are shown as hex. */
function flagText(flags: number): string {
  const names = FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n);
  if (flags & 0xf00) names.push(`0x${(flags & 0xf00).toString(16)}`);
  return names.join('|') || '0';
}

/** Attribute tree, one line per attribute, descending into nests that carry NLA_F_NESTED (depth ≤ 6). */
function describeAttrs(r: Reader, start: number, end: number, name: (t: number) => string, indent: string, depth: number, out: string[]): void {
  const it = new AttrIter(r, start, end);
  while (it.next()) {
    const head = `${indent}${name(it.type)} len=${it.len}`;
    if (it.nestedFlag && depth < 6) {
      out.push(`${head} {`);
      describeAttrs(r, it.off, it.off + it.len, (t) => `#${t}`, `${indent}  `, depth + 1, out);
      out.push(`${indent}}`);
    } else {
      const shown = r.buf.subarray(it.off, it.off + Math.min(it.len, 16));
      out.push(`${head} ${Array.from(shown, hex2).join('')}${it.len > 16 ? '…' : ''}`);
    }
  }
}

/** Multi-line description of one message of a datagram from a socket of netlink `family` (12 or 4; others: header only). */
export function describeMessage(r: Reader, m: NlMsg, family: number): string {
  const out = [`msg[${m.index}] len=${m.len} type=0x${m.type.toString(16).padStart(4, '0')} flags=0x${m.flags.toString(16)}(${flagText(m.flags)}) seq=${m.seq} pid=${m.pid}`];
  try {
    if (m.type === NLMSG.ERROR) {
      const e = decodeNlError(r, m);
      out.push(`  ${e.error === 0 ? 'ACK' : `ERROR ${e.error} (${errnoName(-e.error)})`} for type=0x${e.request.type.toString(16)} seq=${e.request.seq}` +
        (e.extAckMsg ? ` msg=${JSON.stringify(e.extAckMsg)}` : '') + (e.extAckOffset !== undefined ? ` offs=${e.extAckOffset}` : ''));
    } else if (m.type === NLMSG.DONE) {
      out.push(`  DONE error=${decodeDone(r, m).error}`);
    } else if (m.type < NLMSG.MIN_TYPE) {
      out.push('  control message');
    } else if (family === NETLINK_NETFILTER) {
      const g = decodeNfGenMsg(r, m.payload, m.end);
      out.push(`  subsys=${subsysOf(m.type)} msg=${msgTypeOf(m.type)} family=${g.family} version=${g.version} res_id=${g.resId}`);
      describeAttrs(r, m.payload + 4, m.end, (t) => ctaName(t), '  ', 0, out);
    } else if (family === NETLINK_SOCK_DIAG && (m.flags & NLM_F.REQUEST)) {
      const q = decodeInetDiagReq(r, m);
      const id = q.exact ? ` ${q.exact.src}:${q.exact.sport} ${q.exact.dst}:${q.exact.dport}` : '';
      out.push(`  inet_diag_req family=${q.family} protocol=${q.protocol} states=0x${(q.states ?? 0).toString(16)} ext=0x${(q.ext ?? 0).toString(16)}${id}`);
    } else if (family === NETLINK_SOCK_DIAG) {
      const d = decodeInetDiagMsg(r, m);
      out.push(`  inet_diag ${tcpStateName(d.state)} ${d.src}:${d.sport} -> ${d.dst}:${d.dport} uid=${d.uid} inode=${d.inode}`);
      describeAttrs(r, m.payload + INET_DIAG_MSG_LEN, m.end, inetDiagAttrName, '  ', 0, out);
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    out.push(`  !! ${e.message}`);
  }
  return out.join('\n');
}

/** Describes every message of a datagram, then (with `hex`) its hexdump. Never throws on bad bytes. */
export function describeDatagram(data: Uint8Array, family: number, opts: { direction?: 'out' | 'in'; hex?: boolean } = {}): string {
  const out = [`${opts.direction === 'out' ? '>>' : opts.direction === 'in' ? '<<' : '--'} netlink family=${family} ${data.byteLength} bytes`];
  let framing: DecodeError | undefined;
  let whole = data;
  try {
    splitMessages(new Reader(data));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    framing = e;
    whole = data.subarray(0, e.offset); // the complete messages before the framing error
  }
  const r = new Reader(whole);
  for (const m of splitMessages(r)) out.push(describeMessage(r, m, family));
  if (framing) out.push(`!! ${framing.message}`);
  if (opts.hex) out.push(hexdump(data));
  return out.join('\n');
}
