// netlink/ layer: NETLINK_SOCK_DIAG (protocol 4) inet_diag requests and replies, used to map a flow to a socket.
// Imports ./reader, ./writer, ./attr, ./errors, ./message, ./ip, ./ct-attrs. Layouts: ctnetlink.md §5
// (linux/sock_diag.h, linux/inet_diag.h, 6.18). No CAP_NET_ADMIN needed; only the querying socket's netns is seen.
import { AttrIter, UnknownAttrs } from './attr.js';
import { IPPROTO } from './ct-attrs.js';
import { DecodeError, rethrowWithin } from './errors.js';
import { formatIPv4At, formatIPv6At, parseIP } from './ip.js';
import { NLM_F, NLMSG, beginMessage, decodeDone, decodeNlError, endMessage, splitMessages, type NlMsg } from './message.js';
import { HOST_IS_LE, Reader } from './reader.js';
import { EncodeError, Writer } from './writer.js';

/** NETLINK_SOCK_DIAG protocol number (linux/netlink.h; a.k.a. NETLINK_INET_DIAG). */
export const NETLINK_SOCK_DIAG = 4;

/** nlmsg_type values (linux/sock_diag.h, linux/inet_diag.h). */
export const SOCK_DIAG_MSG = {
  TCPDIAG_GETSOCK: 18, // TCPDIAG_GETSOCK (legacy inet_diag_req; replies echo the request type)
  DCCPDIAG_GETSOCK: 19, // DCCPDIAG_GETSOCK (legacy)
  SOCK_DIAG_BY_FAMILY: 20, // SOCK_DIAG_BY_FAMILY
} as const;

/** Bytes in struct inet_diag_req_v2, struct inet_diag_msg and struct inet_diag_sockid. */
export const INET_DIAG_REQ_V2_LEN = 56;
export const INET_DIAG_MSG_LEN = 72;
export const INET_DIAG_SOCKID_LEN = 48;
/** INET_DIAG_NOCOOKIE: both cookie words ~0U, "do not check the cookie". */
export const INET_DIAG_NOCOOKIE = 0xffff_ffff_ffff_ffffn;

/** TCP states (include/net/tcp_states.h); idiag_states is a mask of `1 << state`. UDP: 7 unconnected, 1 connected. */
export const TCP_STATE = {
  ESTABLISHED: 1, // TCP_ESTABLISHED
  SYN_SENT: 2, // TCP_SYN_SENT
  SYN_RECV: 3, // TCP_SYN_RECV
  FIN_WAIT1: 4, // TCP_FIN_WAIT1
  FIN_WAIT2: 5, // TCP_FIN_WAIT2
  TIME_WAIT: 6, // TCP_TIME_WAIT
  CLOSE: 7, // TCP_CLOSE
  CLOSE_WAIT: 8, // TCP_CLOSE_WAIT
  LAST_ACK: 9, // TCP_LAST_ACK
  LISTEN: 10, // TCP_LISTEN
  CLOSING: 11, // TCP_CLOSING
  NEW_SYN_RECV: 12, // TCP_NEW_SYN_RECV
  BOUND_INACTIVE: 13, // TCP_BOUND_INACTIVE (6.8+)
} as const;
/** idiag_states value selecting every state. */
export const ALL_STATES = 0xffff_ffff;

/** Reply attributes (enum inet_diag_attrs, linux/inet_diag.h, 6.18 BTF). Request bit for ext = 1 << (type - 1). */
export const INET_DIAG = {
  MEMINFO: 1, // INET_DIAG_MEMINFO
  INFO: 2, // INET_DIAG_INFO (struct tcp_info)
  VEGASINFO: 3, // INET_DIAG_VEGASINFO
  CONG: 4, // INET_DIAG_CONG
  TOS: 5, // INET_DIAG_TOS
  TCLASS: 6, // INET_DIAG_TCLASS
  SKMEMINFO: 7, // INET_DIAG_SKMEMINFO
  SHUTDOWN: 8, // INET_DIAG_SHUTDOWN (u8)
  DCTCPINFO: 9, // INET_DIAG_DCTCPINFO
  PROTOCOL: 10, // INET_DIAG_PROTOCOL (u8)
  SKV6ONLY: 11, // INET_DIAG_SKV6ONLY (u8)
  LOCALS: 12, // INET_DIAG_LOCALS
  PEERS: 13, // INET_DIAG_PEERS
  PAD: 14, // INET_DIAG_PAD
  MARK: 15, // INET_DIAG_MARK (u32 host; privileged callers only)
  BBRINFO: 16, // INET_DIAG_BBRINFO
  CLASS_ID: 17, // INET_DIAG_CLASS_ID
  MD5SIG: 18, // INET_DIAG_MD5SIG
  ULP_INFO: 19, // INET_DIAG_ULP_INFO
  SK_BPF_STORAGES: 20, // INET_DIAG_SK_BPF_STORAGES
  CGROUP_ID: 21, // INET_DIAG_CGROUP_ID (u64 host)
  SOCKOPT: 22, // INET_DIAG_SOCKOPT
} as const;

const DIAG_NAMES: string[] = [];
for (const [k, v] of Object.entries(INET_DIAG)) DIAG_NAMES[v] = `INET_DIAG_${k}`;
/** `INET_DIAG_MARK`, or `INET_DIAG_?(40)` for numbers this table does not know. */
export function inetDiagAttrName(type: number): string {
  return DIAG_NAMES[type] ?? `INET_DIAG_?(${type})`;
}

const STATE_NAMES: string[] = [];
for (const [k, v] of Object.entries(TCP_STATE)) STATE_NAMES[v] = k;
/** `ESTABLISHED`, or `?(n)` for numbers this table does not know. */
export function tcpStateName(state: number): string {
  return STATE_NAMES[state] ?? `?(${state})`;
}

/** One end pair of a socket, addresses as canonical text. For requests, the orientation the kernel expects. */
export interface InetDiagSockId {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** idiag_if: bound interface index, 0 for any. */
  ifindex?: number;
  /** Socket cookie; INET_DIAG_NOCOOKIE (the default) means "do not check". */
  cookie?: bigint;
}

/** An inet_diag_req_v2 request. `exact` makes it a single-socket lookup (build it with exactLookupFor). */
export interface InetDiagReq {
  /** AF_INET 2 or AF_INET6 10. */
  family: number;
  /** IPPROTO_TCP 6, UDP 17, UDPLITE 136, SCTP 132, RAW 255 (0-255). */
  protocol: number;
  /** Mask of 1 << state; ALL_STATES when omitted. */
  states?: number;
  /** Mask of extensions, bit (N - 1) for INET_DIAG_N (u8); 0 when omitted. */
  ext?: number;
  exact?: InetDiagSockId;
  seq: number;
  /** True: NLM_F_REQUEST|NLM_F_DUMP. False: NLM_F_REQUEST only (exact lookup, reply or ENOENT). */
  dump: boolean;
}

/** A decoded inet_diag_msg. src/sport are always the socket's local end, dst/dport its peer. */
export interface InetDiagMsg {
  family: number;
  /** TCP_STATE value (UDP: 7 unconnected, 1 connected). */
  state: number;
  timer: number;
  retrans: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  ifindex: number;
  /** The socket cookie (cookie[1] << 32 | cookie[0]). */
  cookie: bigint;
  /** Time until the pending timer fires, in ms. */
  expiresMs: number;
  /** Receive / send queue, in bytes (listeners: accept backlog). */
  rqueue: number;
  wqueue: number;
  uid: number;
  /** Socket inode, matches `socket:[inode]` in /proc/<pid>/fd; 0 for TIME_WAIT and request sockets. */
  inode: number;
  shutdown?: number;
  protocol?: number;
  v6only?: boolean;
  mark?: number;
  cgroupId?: bigint;
  /** Attributes present but not decoded (INFO, SOCKOPT, ...), counted per type. */
  skipped?: UnknownAttrs;
}

/** Builds the exact-lookup sockid for a socket with `local` and `remote` ends (ctnetlink.md §5.1, verified on 6.18):
 * TCP wants src = local, dst = remote; UDP and UDP-Lite want src = remote, dst = local (the receive-path lookup). */
export function exactLookupFor(protocol: number, local: { addr: string; port: number }, remote: { addr: string; port: number }): InetDiagSockId {
  const udp = protocol === IPPROTO.UDP || protocol === IPPROTO.UDPLITE;
  const [a, b] = udp ? [remote, local] : [local, remote];
  return { src: a.addr, sport: a.port, dst: b.addr, dport: b.port };
}

function putAddr(w: Writer, family: number, text: string): void {
  const b = parseIP(text);
  if (!b || (family === 2 ? b.length !== 4 : b.length !== 16)) {
    throw new EncodeError('BAD_VALUE', `address ${JSON.stringify(text)} does not fit family ${family}`);
  }
  const field = new Uint8Array(16);
  field.set(b);
  w.bytes(field);
}

function putSockId(w: Writer, family: number, id: InetDiagSockId | undefined): void {
  const cookie = id?.cookie ?? INET_DIAG_NOCOOKIE;
  w.u16be(id?.sport ?? 0).u16be(id?.dport ?? 0);
  if (id) {
    putAddr(w, family, id.src);
    putAddr(w, family, id.dst);
  } else {
    w.bytes(new Uint8Array(32));
  }
  w.u32ne(id?.ifindex ?? 0).u32ne(Number(cookie & 0xffff_ffffn)).u32ne(Number((cookie >> 32n) & 0xffff_ffffn));
}

/** Encodes a complete SOCK_DIAG_BY_FAMILY message (16 + 56 bytes). Throws EncodeError BAD_VALUE for bad fields. */
export function encodeInetDiagReq(req: InetDiagReq): Uint8Array {
  if (req.family !== 2 && req.family !== 10) throw new EncodeError('BAD_VALUE', `family ${req.family} is not AF_INET/AF_INET6`);
  if (!(req.protocol >= 0 && req.protocol <= 255)) throw new EncodeError('BAD_VALUE', `protocol ${req.protocol} is not a u8`);
  const w = new Writer(16 + INET_DIAG_REQ_V2_LEN);
  const flags = NLM_F.REQUEST | (req.dump ? NLM_F.DUMP : 0);
  const start = beginMessage(w, SOCK_DIAG_MSG.SOCK_DIAG_BY_FAMILY, flags, req.seq);
  w.u8(req.family).u8(req.protocol).u8((req.ext ?? 0) & 0xff).u8(0).u32ne(req.states ?? ALL_STATES);
  putSockId(w, req.family, req.exact);
  endMessage(w, start);
  return w.finish();
}

function addrAt(r: Reader, family: number, off: number): string {
  return family === 10 ? formatIPv6At(r.buf, off) : formatIPv4At(r.buf, off);
}

function readSockId(r: Reader, family: number, off: number): Required<InetDiagSockId> {
  r.need(off, INET_DIAG_SOCKID_LEN);
  const lo = r.u32ne(off + 40);
  const hi = r.u32ne(off + 44);
  return {
    sport: r.u16be(off),
    dport: r.u16be(off + 2),
    src: addrAt(r, family, off + 4),
    dst: addrAt(r, family, off + 20),
    ifindex: r.u32ne(off + 36),
    cookie: (BigInt(hi) << 32n) | BigInt(lo),
  };
}

function checkFamily(r: Reader, at: number): number {
  const family = r.u8(at);
  if (family !== 2 && family !== 10) throw new DecodeError('BAD_VALUE', at, 'family', 2, family);
  return family;
}

/** Decodes an inet_diag_req_v2 message (for debug output, fakes and round-trip tests). */
export function decodeInetDiagReq(r: Reader, m: NlMsg): InetDiagReq {
  try {
    if (m.type !== SOCK_DIAG_MSG.SOCK_DIAG_BY_FAMILY) throw new DecodeError('UNEXPECTED_MESSAGE', m.payload - 16, '', SOCK_DIAG_MSG.SOCK_DIAG_BY_FAMILY, m.type);
    const p = m.payload;
    r.need(p, INET_DIAG_REQ_V2_LEN, m.end);
    const family = checkFamily(r, p);
    const dump = (m.flags & NLM_F.DUMP) !== 0;
    const req: InetDiagReq = { family, protocol: r.u8(p + 1), states: r.u32ne(p + 4), ext: r.u8(p + 2), seq: m.seq, dump };
    if (!dump) req.exact = readSockId(r, family, p + 8);
    return req;
  } catch (e) {
    rethrowWithin(e, `msg[${m.index}]`);
  }
}

/** Decodes one inet_diag_msg reply (type 18-20) and its attributes; unknown attributes are counted, never fatal. */
export function decodeInetDiagMsg(r: Reader, m: NlMsg): InetDiagMsg {
  try {
    if (m.type < SOCK_DIAG_MSG.TCPDIAG_GETSOCK || m.type > SOCK_DIAG_MSG.SOCK_DIAG_BY_FAMILY) {
      throw new DecodeError('UNEXPECTED_MESSAGE', m.payload - 16, '', SOCK_DIAG_MSG.SOCK_DIAG_BY_FAMILY, m.type);
    }
    const p = m.payload;
    r.need(p, INET_DIAG_MSG_LEN, m.end);
    const family = checkFamily(r, p);
    const id = readSockId(r, family, p + 4);
    const out: InetDiagMsg = {
      family, state: r.u8(p + 1), timer: r.u8(p + 2), retrans: r.u8(p + 3),
      src: id.src, sport: id.sport, dst: id.dst, dport: id.dport, ifindex: id.ifindex, cookie: id.cookie,
      expiresMs: r.u32ne(p + 52), rqueue: r.u32ne(p + 56), wqueue: r.u32ne(p + 60), uid: r.u32ne(p + 64), inode: r.u32ne(p + 68),
    };
    decodeAttrs(r, p + INET_DIAG_MSG_LEN, m.end, out);
    return out;
  } catch (e) {
    rethrowWithin(e, `msg[${m.index}]`);
  }
}

/** A host-order u64 as a bigint, read as two host-order u32 through Reader. */
function u64ne(r: Reader, off: number): bigint {
  const a = BigInt(r.u32ne(off));
  const b = BigInt(r.u32ne(off + 4));
  return HOST_IS_LE ? (b << 32n) | a : (a << 32n) | b;
}

function decodeAttrs(r: Reader, start: number, end: number, out: InetDiagMsg): void {
  const it = new AttrIter(r, start, end);
  while (it.next()) {
    if (it.len === 0) continue; // INET_DIAG_PAD before a u64 on strict-alignment architectures
    try {
      switch (it.type) {
        case INET_DIAG.SHUTDOWN: r.fixed(it.hdr, it.len, 1); out.shutdown = r.u8(it.off); break;
        case INET_DIAG.PROTOCOL: r.fixed(it.hdr, it.len, 1); out.protocol = r.u8(it.off); break;
        case INET_DIAG.SKV6ONLY: r.fixed(it.hdr, it.len, 1); out.v6only = r.u8(it.off) !== 0; break;
        case INET_DIAG.MARK: r.fixed(it.hdr, it.len, 4); out.mark = r.u32ne(it.off); break;
        case INET_DIAG.CGROUP_ID:
          r.fixed(it.hdr, it.len, 8);
          out.cgroupId = u64ne(r, it.off);
          break;
        default:
          (out.skipped ??= new UnknownAttrs(4)).add(inetDiagAttrName(it.type), r, it);
      }
    } catch (e) {
      rethrowWithin(e, inetDiagAttrName(it.type));
    }
  }
}

/** What one reply datagram held: sockets, whether the exchange is over, and the kernel's errno (0 or negative). */
export interface InetDiagReply {
  sockets: InetDiagMsg[];
  /** True after NLMSG_DONE or NLMSG_ERROR (an exact lookup's reply has neither: it is complete on its own). */
  done: boolean;
  /** Negative errno from NLMSG_ERROR / DONE (-2 ENOENT: no such socket), else 0. */
  error: number;
}

/** Splits and decodes one reply datagram from a NETLINK_SOCK_DIAG socket. */
export function decodeInetDiagReply(buf: Uint8Array): InetDiagReply {
  const r = new Reader(buf);
  const out: InetDiagReply = { sockets: [], done: false, error: 0 };
  for (const m of splitMessages(r)) {
    if (m.type === NLMSG.NOOP) continue;
    if (m.type === NLMSG.DONE || m.type === NLMSG.ERROR) {
      try {
        out.error = m.type === NLMSG.DONE ? decodeDone(r, m).error : decodeNlError(r, m).error;
      } catch (e) {
        rethrowWithin(e, `msg[${m.index}]`);
      }
      out.done = true;
      continue;
    }
    out.sockets.push(decodeInetDiagMsg(r, m));
  }
  return out;
}
