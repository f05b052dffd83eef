// netlink/ layer: the only code that touches AF_NETLINK, through the `netlink` package's RawNetlinkSocket.
// Imports node builtins and ./errors. Five operations: send, datagrams, join group, set receive buffer, close.
// Errors become SocketError; the caller decides what to tell the user (house style §1, §5).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SocketError, errnoName } from './errors.js';

interface RawSocket {
  on(ev: 'message' | 'truncatedMessage', cb: (msg: Buffer, rinfo: { port: number; groups: number } | Int32Array) => void): void;
  on(ev: 'error', cb: (err: { errno: number; code: string; syscall: string }) => void): void;
  send(msg: Uint8Array, opts: { port: number }, cb: (err?: { errno: number; code: string; syscall: string }) => void): void;
  addMembership(group: number): void;
  setRecvBufferSize(bytes: number): void;
  getRecvBufferSize(): number;
  address(): { port: number; groups: number };
  close(): void;
  unref(): void;
  /** The native object; patch level 3 adds setBatch, setReadDelay and drain to it, level 4 setReadAhead. */
  __native: { setBatch?(meta: Int32Array, bytes: number): void; setReadDelay?(ms: number): void; drain?(): void; setReadAhead?(meta: Int32Array, bytes: number): void };
}
type RawCtor = new (protocol: number, opts: Record<string, unknown>) => RawSocket;

let rawCtor: RawCtor | undefined;
function loadShim(): RawCtor {
  // The shim is CommonJS with a native addon; load it lazily so --replay and --help never need it.
  rawCtor ??= (createRequire(import.meta.url)('netlink/dist/raw') as { RawNetlinkSocket: RawCtor }).RawNetlinkSocket;
  return rawCtor;
}

/**
 * True when the shim carries conntop's install-time patch (netlink/shim/patch-binding.mjs) and was rebuilt
 * with it: without it, a multicast overrun (ENOBUFS) aborts the process inside the 0.3.0 binding.
 */
export function shimPatched(): boolean {
  return shimPatchLevel() >= 1;
}

let patchLevel: number | undefined;
/**
 * 0: the prebuilt 0.3.0 shim; 1: overflow-safe and SO_RCVBUFFORCE; 2: also receives fixed-size reads into one
 * reused buffer; 3: also reads batches of datagrams per JS call, pauses after a read, drains on demand; 4: also
 * reads dump replies ahead on a threadpool thread (patch-binding.mjs). Read once from the source the build was made from.
 */
export function shimPatchLevel(): number {
  if (patchLevel !== undefined) return patchLevel;
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('netlink/package.json'));
    const src = existsSync(join(dir, 'build/Release/netlink_binding.node')) ? readFileSync(join(dir, 'src/binding.cc'), 'utf8') : '';
    patchLevel = src.includes('conntop-patch v4') ? 4 : src.includes('conntop-patch v3') ? 3 : src.includes('conntop-patch v2') ? 2 : src.includes('conntop-patch') ? 1 : 0;
  } catch {
    patchLevel = 0;
  }
  return patchLevel;
}

/** How a socket delivers what it receives: whole datagrams, or errors (ENOBUFS means events were lost). */
export interface SocketHandlers {
  /**
   * One datagram. With recvChunkBytes and the patched shim (level 2) `data` is a view of the socket's one
   * receive buffer, overwritten by the next datagram: use it before returning, copy what must outlive the call.
   */
  onDatagram(data: Uint8Array): void;
  onError(err: SocketError): void;
}

export interface SocketOptions {
  /** Legacy group bitmask to bind with (NEW|UPDATE|DESTROY = 0x7). */
  groups?: number;
  /**
   * Fixed receive buffer per recvmsg. Without it the shim peeks each datagram's size first (two
   * syscalls, exact allocation): right for small event datagrams. Dumps pass 32768: the kernel sizes
   * dump datagrams by the largest buffer it was offered, capped just under 32 KiB (af_netlink.c).
   */
  recvChunkBytes?: number;
  /**
   * With recvChunkBytes and the patched shim (level 3): datagrams are read in batches, one JS entry per batch
   * (onDatagram still sees one datagram at a time), and after a read that got something the socket is not
   * polled for this many ms, so a burst is read in one wake-up instead of one per datagram. For event sockets.
   */
  readDelayMs?: number;
  /**
   * With recvChunkBytes and the patched shim (level 4): replies are read on a libuv threadpool thread, one batch
   * ahead of JS, so the kernel builds the next dump datagrams (inside that thread's recvmsg) on the other core
   * while JS handles these. For the socket that receives dumps; not with readDelayMs.
   */
  readAhead?: boolean;
}

/** An open netlink socket. */
export interface NetlinkSocket {
  /** Our port id (nl_pid); replies to our requests carry it. */
  readonly portId: number;
  send(data: Uint8Array): Promise<void>;
  joinGroup(group: number): void;
  /** Sets SO_RCVBUF and returns the effective size (the kernel doubles it and caps at 2 × rmem_max). */
  setReceiveBuffer(bytes: number): number;
  /**
   * Reads every datagram queued now, synchronously (handlers run before it returns), whatever readDelayMs
   * paused. Returns false (and reads nothing) when the shim cannot (below level 3, or a relayed socket).
   */
  drain?(): boolean;
  /** True when readDelayMs took effect (patch level 3): datagrams come in batches, one wake-up each. */
  readonly batched?: boolean;
  close(): void;
}

/** A read-ahead batch: eight full dump datagrams (the kernel's are just under 32 KiB), twice (double-buffered). */
const AHEAD_BYTES = 256 * 1024;
const AHEAD_DATAGRAMS = 16;
/** Datagrams per batch (the meta array holds two numbers each); at ~300 bytes an event, they fill BATCH_BYTES. */
const BATCH_DATAGRAMS = 256;
/** The batch buffer: room for BATCH_DATAGRAMS events beyond the one full-size read each batch must leave room for. */
const BATCH_EXTRA_BYTES = 128 * 1024;

function truncated(): SocketError {
  return new SocketError('recvmsg', 'EMSGSIZE', 90, 'datagram larger than the receive buffer (truncated)');
}

function toSocketError(e: unknown, syscall: string): SocketError {
  const x = e as { errno?: number; code?: string; syscall?: string; message?: string };
  const errno = typeof x.errno === 'number' ? Math.abs(x.errno) : 0;
  const code = typeof x.code === 'string' ? x.code : errno ? errnoName(errno) : 'EUNKNOWN';
  return new SocketError(x.syscall ?? syscall, code, errno, x.message);
}

/** Opens and binds a netlink socket of `protocol` (12 NETLINK_NETFILTER, 4 NETLINK_SOCK_DIAG). */
export function openNetlinkSocket(protocol: number, handlers: SocketHandlers, opts: SocketOptions = {}): NetlinkSocket {
  let raw: RawSocket;
  try {
    const Ctor = loadShim();
    const o: Record<string, unknown> = { localGroups: opts.groups ?? 0 };
    if (opts.recvChunkBytes) {
      o.messagePeeking = false;
      o.msgBufferSize = opts.recvChunkBytes;
    }
    raw = new Ctor(protocol, o);
  } catch (e) {
    throw toSocketError(e, 'socket');
  }
  let closed = false;
  // These run inside the shim's native callback: an exception thrown there aborts the process in C++
  // ("Error in native callback", SIGABRT: no cleanup). Rethrow it from a fresh task, where the
  // process's uncaughtException handler sees it and restores what it must.
  const guard = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      setImmediate(() => {
        throw e;
      });
    }
  };
  const batched = Boolean(opts.recvChunkBytes && opts.readDelayMs !== undefined && shimPatchLevel() >= 3 && raw.__native.setBatch);
  const ahead = !batched && Boolean(opts.readAhead && opts.recvChunkBytes && shimPatchLevel() >= 4 && raw.__native.setReadAhead);
  if (batched || ahead) {
    try {
      if (batched) {
        raw.__native.setBatch!(new Int32Array(1 + 2 * BATCH_DATAGRAMS), opts.recvChunkBytes! + BATCH_EXTRA_BYTES);
        raw.__native.setReadDelay!(opts.readDelayMs!);
      } else {
        raw.__native.setReadAhead!(new Int32Array(1 + 2 * AHEAD_DATAGRAMS), Math.max(AHEAD_BYTES, opts.recvChunkBytes!));
      }
    } catch (e) {
      raw.close();
      throw toSocketError(e, 'setsockopt');
    }
  }
  raw.on('message', (msg, rinfo) => guard(() => {
    if (!(rinfo instanceof Int32Array)) return handlers.onDatagram(msg);
    // A batch (patch level 3 or 4): rinfo is the meta array, count then (received, real size) per datagram.
    const n = rinfo[0];
    for (let i = 0, off = 0; i < n; i++) {
      const got = rinfo[1 + 2 * i];
      if (rinfo[2 + 2 * i] > got) handlers.onError(truncated());
      else handlers.onDatagram(msg.subarray(off, off + got));
      if (closed) return;
      off += (got + 7) & ~7;
    }
  }));
  raw.on('truncatedMessage', () => guard(() => handlers.onError(truncated())));
  raw.on('error', (err) => {
    if (!closed) guard(() => handlers.onError(toSocketError(err, 'recvmsg')));
  });
  return {
    portId: raw.address().port,
    send(data) {
      return new Promise((resolve, reject) => {
        raw.send(data, { port: 0 }, (err) => (err ? reject(toSocketError(err, 'sendmsg')) : resolve()));
      });
    },
    joinGroup(group) {
      try {
        raw.addMembership(group);
      } catch (e) {
        throw toSocketError(e, 'setsockopt');
      }
    },
    setReceiveBuffer(bytes) {
      try {
        raw.setRecvBufferSize(bytes);
        return raw.getRecvBufferSize();
      } catch (e) {
        throw toSocketError(e, 'setsockopt');
      }
    },
    batched,
    drain: batched
      ? () => {
        if (!closed) raw.__native.drain!();
        return true;
      }
      : () => false,
    close() {
      if (closed) return;
      closed = true;
      raw.close();
    },
  };
}
