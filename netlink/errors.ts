// netlink/ layer: the three error classes every byte-level failure is reported with.
// Imports nothing. Tests assert on `code`/`errno`, never on message text (house style §4.7).

/** Why a byte sequence could not be decoded. Stable identifiers, safe to assert on. */
export type DecodeErrorCode =
  | 'SHORT_HEADER' // fewer bytes than a fixed header needs (nlmsghdr, nfgenmsg, nlmsgerr, pcap)
  | 'BAD_MSG_LEN' // nlmsg_len below the 16-byte header
  | 'MSG_PAST_END' // nlmsg_len runs past the datagram
  | 'BAD_ATTR_LEN' // nla_len below the 4-byte attribute header
  | 'ATTR_PAST_END' // nla_len runs past its parent
  | 'BAD_ATTR_SIZE' // a fixed-width attribute of the wrong size
  | 'BAD_NEST' // garbage inside a nest
  | 'MISSING_ATTR' // a mandatory attribute is absent (e.g. a tuple without addresses)
  | 'BAD_VALUE' // a value outside its domain (e.g. an address of the wrong family)
  | 'BAD_STRING' // a string attribute without its NUL terminator
  | 'BAD_CAPTURE' // a capture file that is not the pcap we write
  | 'PCAPNG_CAPTURE' // a pcapng file (what tshark -w and Wireshark write by default), not classic pcap
  | 'TRUNCATED_CAPTURE' // a capture that ends in the middle of a record (its writer was stopped mid-write)
  | 'UNEXPECTED_MESSAGE'; // a message of a type the operation cannot accept

/** A decode failure: code, byte offset in the datagram, and the attribute path to it. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    /** Byte offset from the start of the datagram (or file) where the problem is. */
    readonly offset: number,
    /** Attribute path, e.g. `msg[2]/CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC`. */
    public path: string = '',
    readonly need?: number,
    readonly have?: number,
  ) {
    super(`${code} at byte ${offset}${path ? ` (${path})` : ''}${need !== undefined ? `: need ${need}, have ${have}` : ''}`);
  }

  /** Returns this error with `segment` prepended to its path (used while unwinding nests). */
  within(segment: string): this {
    this.path = this.path ? `${segment}/${this.path}` : segment;
    this.message = `${this.code} at byte ${this.offset} (${this.path})` +
      (this.need !== undefined ? `: need ${this.need}, have ${this.have}` : '');
    return this;
  }
}

/** Prepends `segment` to a DecodeError's path and rethrows anything else unchanged. */
export function rethrowWithin(e: unknown, segment: string): never {
  if (e instanceof DecodeError) throw e.within(segment);
  throw e;
}

/**
 * A capture file could not be opened, read or written (--replay, --record). `code` is the system's errno name
 * (ENOENT, EISDIR, EACCES, ENOSPC...), `path` the file as given, `op` which way the file was used.
 */
export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
  constructor(
    readonly code: string,
    readonly path: string,
    readonly op: 'read' | 'write',
    options?: { cause?: unknown },
  ) {
    super(`cannot ${op} capture ${path}: ${code}`, options);
  }
}

/** Wraps a failed file system call on capture `path` as a CaptureFileError; rethrows anything without an errno code. */
export function captureFileError(e: unknown, path: string, op: 'read' | 'write'): CaptureFileError {
  if (e instanceof CaptureFileError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') throw e;
  return new CaptureFileError(code, path, op, { cause: e });
}

/** The kernel refused a request: a negative errno in NLMSG_ERROR, or a dump ending in a DONE with an errno. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Positive errno, e.g. 1 (EPERM), 2 (ENOENT), 16 (EBUSY). */
  readonly errno: number;
  /** Symbolic errno name, e.g. 'EPERM', or `E?(n)` for numbers this table does not know. */
  readonly code: string;
  constructor(
    errno: number,
    /** What we were doing, e.g. 'dump', 'get', 'stats', 'create'. */
    readonly op: string,
    readonly seq: number,
    /** NLMSGERR_ATTR_MSG when the kernel sent extended-ACK TLVs. */
    readonly extAckMsg?: string,
    /** NLMSGERR_ATTR_OFFS: offset of the offending attribute in our request. */
    readonly extAckOffset?: number,
  ) {
    const code = errnoName(errno);
    super(`${op} failed: ${code}${extAckMsg ? ` (${extAckMsg})` : ''}`);
    this.errno = errno;
    this.code = code;
  }
}

/** A system call on the netlink socket failed (socket, bind, send, recvmsg, setsockopt). */
export class SocketError extends Error {
  override readonly name = 'SocketError';
  constructor(
    readonly syscall: string,
    /** Symbolic errno, e.g. 'EPERM', 'EPROTONOSUPPORT', 'ENOBUFS'. */
    readonly code: string,
    readonly errno: number,
    message?: string,
  ) {
    super(message ?? `${syscall} failed: ${code}`);
  }
}

// Linux asm-generic/errno-base.h and errno.h, for the errnos netlink hands back.
const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM',
  13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL', 28: 'ENOSPC', 34: 'ERANGE',
  90: 'EMSGSIZE', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT', 105: 'ENOBUFS', 110: 'ETIMEDOUT',
};

/** Symbolic name of a positive errno, or `E?(n)`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E?(${errno})`;
}

