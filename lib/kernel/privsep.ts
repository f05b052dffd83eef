// lib/kernel/ (the kernel boundary): privilege separation for `conntopd --user`. The root process keeps the
// netlink sockets and forwards their datagrams over the IPC channel to a child running as the user, which
// does everything else; the child's KernelSource talks to "sockets" that are proxies of the root's. The root
// sends to the kernel only conntrack dump and statistics requests, checked byte by byte (checkRequest).
import { SocketError } from '../../netlink/errors.js';
import { NLM_F } from '../../netlink/message.js';
import { CT_MSG } from '../../netlink/ct-attrs.js';
import { NETLINK_NETFILTER, NFNL_SUBSYS, nfType } from '../../netlink/nfnetlink.js';
import { openNetlinkSocket, shimPatchLevel, type NetlinkSocket, type SocketHandlers, type SocketOptions } from '../../netlink/socket.js';

/** Opens a netlink socket (netlink/socket.ts openNetlinkSocket, or a relayed one). */
export type SocketOpener = (protocol: number, handlers: SocketHandlers, opts?: SocketOptions) => NetlinkSocket;

/** The two ends of the IPC channel: a forked ChildProcess (root side) or `process` (child side). */
export interface Channel {
  send(message: unknown): unknown;
  on(event: 'message', fn: (message: unknown) => void): unknown;
}

/** Child to root. */
type ToRoot =
  | { op: 'open'; id: number; events: boolean }
  | { op: 'send'; id: number; data: Uint8Array }
  | { op: 'rcvbuf'; id: number; bytes: number }
  | { op: 'close'; id: number }
  | { op: 'sysctls'; on: boolean };

/** Root to child. */
type ToChild =
  | { op: 'data'; id: number; data: Uint8Array }
  | { op: 'error'; id: number; syscall: string; code: string; errno: number; message: string };

/** Sockets one child may hold at once (a request and an event socket, and one wake's overlap). */
const MAX_SOCKETS = 4;
/** Longest request accepted (a dump request with a mark and zone filter is under 64 bytes). */
const MAX_REQUEST_BYTES = 256;
const GET = nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.GET);
const GET_STATS = nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.GET_STATS);

/**
 * Null when `data` is one conntrack request the root may send for the child: a dump (GET with REQUEST|DUMP)
 * or table statistics (GET_STATS with REQUEST|ACK), nothing else (no create, delete, counter zeroing, no
 * other subsystem); else why not.
 */
export function checkRequest(data: unknown): string | null {
  if (!(data instanceof Uint8Array)) return 'not bytes';
  if (data.length < 20 || data.length > MAX_REQUEST_BYTES) return `length ${data.length}`;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint32(0, true) !== data.length) return 'not exactly one message';
  const type = v.getUint16(4, true);
  const flags = v.getUint16(6, true);
  if (type === GET && flags === (NLM_F.REQUEST | NLM_F.DUMP)) return null;
  if (type === GET_STATS && flags === (NLM_F.REQUEST | NLM_F.ACK) && data.length === 20) return null;
  return `message type 0x${type.toString(16)} flags 0x${flags.toString(16)}`;
}

/** What the root side needs besides the channel. */
export interface RootRelayOptions {
  /** Turns the sysctls on (the child woke) or restores them (it sleeps). */
  sysctls: (on: boolean) => void;
  /** Runs the event socket's receive-buffer setsockopt under a raised rmem_max cap (sysctl.ts withRmemMax). */
  withReceiveCap?: <T>(bytes: number, fn: () => T) => T;
  log: (message: string) => void;
  openSocket?: SocketOpener;
}

/** The root side: opens sockets for the child, relays its checked requests and every datagram back. */
export class RootRelay {
  private readonly socks = new Map<number, NetlinkSocket>();

  constructor(private readonly channel: Channel, private readonly o: RootRelayOptions) {
    channel.on('message', (m) => this.handle(m));
  }

  /** Sockets open for the child now. */
  get socketCount(): number {
    return this.socks.size;
  }

  /** Closes every socket (the child exited). */
  closeAll(): void {
    for (const s of this.socks.values()) s.close();
    this.socks.clear();
  }

  private handle(raw: unknown): void {
    const m = raw as ToRoot;
    if (typeof m !== 'object' || m === null) return this.o.log('privsep: a message that is not an object, ignored');
    if (m.op === 'sysctls' && typeof m.on === 'boolean') return this.o.sysctls(m.on);
    if (!('id' in m) || !Number.isInteger(m.id)) return this.o.log('privsep: a message without a socket id, ignored');
    const id = m.id;
    switch (m.op) {
      case 'open': {
        if (this.socks.has(id) || this.socks.size >= MAX_SOCKETS) return this.fail(id, 'EMFILE', 'too many relayed sockets');
        const handlers: SocketHandlers = {
          onDatagram: (data) => this.channel.send({ op: 'data', id, data: data.slice() } satisfies ToChild), // the shim reuses its buffer
          onError: (e) => this.channel.send({ op: 'error', id, syscall: e.syscall, code: e.code, errno: e.errno, message: e.message } satisfies ToChild),
        };
        try {
          const open = this.o.openSocket ?? openNetlinkSocket;
          this.socks.set(id, m.events === true
            ? open(NETLINK_NETFILTER, handlers, { groups: 0x7, recvChunkBytes: shimPatchLevel() >= 2 ? 32768 : undefined })
            : open(NETLINK_NETFILTER, handlers, { recvChunkBytes: 32768, readAhead: true })); // dumps: read ahead (shim v4)
        } catch (e) {
          const se = e as SocketError;
          this.channel.send({ op: 'error', id, syscall: se.syscall ?? 'socket', code: se.code ?? 'EUNKNOWN', errno: se.errno ?? 0, message: se.message } satisfies ToChild);
        }
        return;
      }
      case 'send': {
        const sock = this.socks.get(id);
        const why = checkRequest(m.data);
        if (why !== null) {
          this.o.log(`privsep: refused a request from the unprivileged process (${why})`);
          return this.fail(id, 'EPERM', `request refused (${why})`);
        }
        if (!sock) return this.fail(id, 'EBADF', 'no such relayed socket');
        sock.send(m.data).catch((e: SocketError) => this.fail(id, e.code ?? 'EIO', e.message));
        return;
      }
      case 'rcvbuf': {
        const sock = this.socks.get(id);
        if (!sock || !Number.isInteger(m.bytes) || m.bytes <= 0 || m.bytes > 1 << 30) return;
        const set = () => sock.setReceiveBuffer(m.bytes);
        if (set() < m.bytes && this.o.withReceiveCap) this.o.withReceiveCap(m.bytes, set);
        return;
      }
      case 'close':
        this.socks.get(id)?.close();
        this.socks.delete(id);
        return;
      default:
        this.o.log('privsep: an unknown message, ignored');
    }
  }

  private fail(id: number, code: string, message: string): void {
    this.channel.send({ op: 'error', id, syscall: 'sendmsg', code, errno: 0, message } satisfies ToChild);
  }
}

/**
 * The child side: a SocketOpener whose sockets are the root's (NETLINK_NETFILTER only). Opening is
 * asynchronous at the root: a refusal arrives as the socket's error. setReceiveBuffer asks the root and
 * answers with the doubled request (the kernel's figure stays at the root).
 */
export function relayOpener(channel: Channel): SocketOpener {
  const post = (m: ToRoot): void => void safeSend(channel, m);
  let next = 1;
  const handlers = new Map<number, SocketHandlers>();
  channel.on('message', (raw) => {
    const m = raw as ToChild;
    const h = handlers.get(m?.id);
    if (!h) return;
    if (m.op === 'data' && m.data instanceof Uint8Array) h.onDatagram(m.data);
    else if (m.op === 'error') h.onError(new SocketError(m.syscall, m.code, m.errno, m.message));
  });
  return (protocol, h, opts = {}) => {
    if (protocol !== NETLINK_NETFILTER) throw new SocketError('socket', 'EPROTONOSUPPORT', 93, 'only NETLINK_NETFILTER is relayed');
    const id = next++;
    handlers.set(id, h);
    post({ op: 'open', id, events: (opts.groups ?? 0) !== 0 });
    return {
      portId: 0,
      send: (data) => {
        return safeSend(channel, { op: 'send', id, data }) ? Promise.resolve() : Promise.reject(new SocketError('sendmsg', 'EPIPE', 32, 'the root process is gone'));
      },
      joinGroup: () => {
        throw new SocketError('setsockopt', 'EPERM', 1, 'groups are chosen at open through the relay');
      },
      setReceiveBuffer: (bytes) => {
        post({ op: 'rcvbuf', id, bytes });
        return bytes * 2;
      },
      close: () => {
        handlers.delete(id);
        post({ op: 'close', id });
      },
    };
  };
}

/** Asks the root to turn the sysctls on or restore them (the child's sysctl guard). */
export function relaySysctls(channel: Channel, on: boolean): void {
  safeSend(channel, { op: 'sysctls', on });
}

/** Sends unless the channel is closed (the root exited); false when it could not. */
function safeSend(channel: Channel, m: ToRoot): boolean {
  if ((channel as { connected?: boolean }).connected === false) return false;
  try {
    channel.send(m);
    return true;
  } catch {
    return false; // closed meanwhile
  }
}
