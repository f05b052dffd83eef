// lib/kernel/ (the kernel boundary): process lookup's socket queries over NETLINK_SOCK_DIAG.
import { DecodeError, SocketError } from '../../netlink/errors.js';
import { NLMSG, decodeDone, decodeNlError, splitMessages, toNetlinkError } from '../../netlink/message.js';
import { AF } from '../../netlink/nfnetlink.js';
import { Reader } from '../../netlink/reader.js';
import { NETLINK_SOCK_DIAG, TCP_STATE, decodeInetDiagMsg, encodeInetDiagReq, exactLookupFor } from '../../netlink/sock-diag.js';
import { openNetlinkSocket, type NetlinkSocket } from '../../netlink/socket.js';
import type { SocketInfo, SocketLookup, SocketQuery } from '../enrich/processes.js';
import { realtimeNs } from './kernel-source.js';
import type { WireRecord } from './wire-pipeline.js';

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
