// netlink/ layer: capture files of raw netlink datagrams, classic pcap with LINKTYPE_NETLINK (253).
// Imports node:fs, node:fs/promises, ./reader, ./writer, ./errors. Layout: ctnetlink.md §6.1 (libpcap
// LINKTYPE_NETLINK page, Wireshark packet-netlink.c); tshark 4.0 dissects what we write (test/netlink/pcap.test.ts).
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DecodeError, captureFileError } from './errors.js';
import { HOST_IS_LE, Reader } from './reader.js';
import { EncodeError } from './writer.js';

/** LINKTYPE_NETLINK = DLT_NETLINK (Wireshark: encapsulation "Linux Netlink", WTAP_ENCAP 158). */
export const LINKTYPE_NETLINK = 253;
/** ARPHRD_NETLINK (linux/if_arp.h): Wireshark refuses the cooked header without it. */
export const ARPHRD_NETLINK = 824;
/** Global header magics as read in the writer's byte order. */
export const PCAP_MAGIC = {
  US: 0xa1b2c3d4, // TCPDUMP_MAGIC: microsecond timestamps
  NS: 0xa1b23c4d, // NSEC_TCPDUMP_MAGIC: nanosecond timestamps (what we write)
} as const;
/** pcapng's Section Header Block type, the first 4 bytes of a pcapng file in either byte order (a palindrome). */
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
/** SLL packet types we use (linux/if_packet.h). */
export const PACKET_TYPE = {
  HOST: 0, // PACKET_HOST: received from the kernel
  OUTGOING: 4, // PACKET_OUTGOING: we sent it to the kernel
} as const;
/** Snapshot length we write; records longer than this are cut (orig_len keeps the full size). */
export const PCAP_SNAPLEN = 262144;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** The Linux-cooked header in front of each datagram. */
export const COOKED_HEADER_LEN = 16;

/** One datagram as sent to (`out`) or received from (`in`) the kernel on a netlink socket of `family`. */
export interface CaptureRecord {
  /** CLOCK_REALTIME in ns (µs files decode to multiples of 1000). */
  tsNs: bigint;
  direction: 'out' | 'in';
  /** Netlink protocol: 12 NETLINK_NETFILTER, 4 NETLINK_SOCK_DIAG. */
  family: number;
  /** The datagram exactly as on the socket (host-order netlink headers). */
  data: Uint8Array;
  /** Present only when the record was cut at the snaplen: the datagram's full length in bytes. */
  origLen?: number;
}

export type TsResolution = 'us' | 'ns';

/** The global header of a decoded file. */
export interface PcapInfo {
  tsResolution: TsResolution;
  byteOrder: 'le' | 'be';
  snaplen: number;
}

/** A whole decoded file. `truncated` is true only in tolerant mode, when bytes of an incomplete last record were dropped. */
export interface PcapFile extends PcapInfo {
  records: CaptureRecord[];
  truncated: boolean;
}

export interface PcapReadOptions {
  /** Accept an incomplete last record (a capture of a killed process), reporting `truncated` instead of throwing. */
  tolerant?: boolean;
}

/** The 24-byte global header, little-endian, linktype 253, snaplen 262144. */
export function encodePcapHeader(resolution: TsResolution = 'ns'): Uint8Array {
  const b = new Uint8Array(PCAP_HEADER_LEN);
  const v = new DataView(b.buffer);
  v.setUint32(0, resolution === 'ns' ? PCAP_MAGIC.NS : PCAP_MAGIC.US, true);
  v.setUint16(4, 2, true); // version_major
  v.setUint16(6, 4, true); // version_minor; thiszone and sigfigs stay 0
  v.setUint32(16, PCAP_SNAPLEN, true);
  v.setUint32(20, LINKTYPE_NETLINK, true);
  return b;
}

/** One record: 16-byte LE record header, 16-byte BE cooked header, the datagram. Throws EncodeError BAD_VALUE. */
export function encodePcapRecord(rec: CaptureRecord, resolution: TsResolution = 'ns'): Uint8Array {
  const sec = rec.tsNs / 1_000_000_000n;
  if (rec.tsNs < 0n || sec > 0xffff_ffffn) throw new EncodeError('BAD_VALUE', `timestamp ${rec.tsNs} ns does not fit pcap`);
  if (!(rec.family >= 0 && rec.family <= 0xffff)) throw new EncodeError('BAD_VALUE', `netlink family ${rec.family} is not a u16`);
  const frac = Number(rec.tsNs % 1_000_000_000n);
  const orig = COOKED_HEADER_LEN + Math.max(rec.origLen ?? 0, rec.data.byteLength);
  const incl = Math.min(COOKED_HEADER_LEN + rec.data.byteLength, PCAP_SNAPLEN);
  const b = new Uint8Array(PCAP_RECORD_HEADER_LEN + incl);
  const v = new DataView(b.buffer);
  v.setUint32(0, Number(sec), true);
  v.setUint32(4, resolution === 'ns' ? frac : Math.floor(frac / 1000), true);
  v.setUint32(8, incl, true);
  v.setUint32(12, orig, true);
  const c = PCAP_RECORD_HEADER_LEN;
  v.setUint16(c, rec.direction === 'out' ? PACKET_TYPE.OUTGOING : PACKET_TYPE.HOST, false);
  v.setUint16(c + 2, ARPHRD_NETLINK, false); // link-layer address length and address stay 0
  v.setUint16(c + 14, rec.family, false);
  b.set(rec.data.subarray(0, incl - COOKED_HEADER_LEN), c + COOKED_HEADER_LEN);
  return b;
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** A u32 in the file's byte order, read through Reader (host order, swapped when the file's order differs). */
function u32file(r: Reader, off: number, le: boolean): number {
  const v = r.u32ne(off);
  return le === HOST_IS_LE ? v : swap32(v);
}

function bad(offset: number, need?: number, have?: number, path = 'pcap'): DecodeError {
  return new DecodeError('BAD_CAPTURE', offset, path, need, have);
}

/**
 * Incremental decoder: `push` chunks of any size, get the records completed so far; `end` checks the tail.
 * Error offsets are absolute file offsets. Throws only DecodeError (BAD_CAPTURE, PCAPNG_CAPTURE,
 * TRUNCATED_CAPTURE); after a throw the decoder is spent.
 */
export class PcapStreamDecoder {
  info: PcapInfo | undefined;
  private le = true;
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of pending[0]. */
  private base = 0;
  private index = 0;

  push(chunk: Uint8Array): CaptureRecord[] {
    if (this.pending.byteLength === 0) this.pending = chunk;
    else {
      const next = new Uint8Array(this.pending.byteLength + chunk.byteLength);
      next.set(this.pending);
      next.set(chunk, this.pending.byteLength);
      this.pending = next;
    }
    const r = new Reader(this.pending);
    let pos = 0;
    const out: CaptureRecord[] = [];
    if (!this.info) {
      if (r.length < PCAP_HEADER_LEN) return out;
      this.info = this.readHeader(r);
      pos = PCAP_HEADER_LEN;
    }
    for (;;) {
      const rec = this.readRecord(r, pos);
      if (!rec) break;
      out.push(rec.record);
      pos = rec.next;
    }
    this.pending = this.pending.slice(pos);
    this.base += pos;
    return out;
  }

  /**
   * Call after the last chunk. A cut last record throws TRUNCATED_CAPTURE in strict mode; tolerant mode returns
   * `truncated` and, in `cut`, that same error (offset, bytes needed and present) for a warning.
   */
  end(opts: PcapReadOptions = {}): { truncated: boolean; cut?: DecodeError } {
    if (!this.info) {
      if (this.pending.byteLength >= 4 && new Reader(this.pending).u32ne(0) === PCAPNG_SHB_TYPE) throw new DecodeError('PCAPNG_CAPTURE', 0, 'pcap/magic');
      throw bad(0, PCAP_HEADER_LEN, this.pending.byteLength, 'pcap/header');
    }
    const left = this.pending.byteLength;
    if (left === 0) return { truncated: false };
    const r = new Reader(this.pending);
    const need = left < PCAP_RECORD_HEADER_LEN ? PCAP_RECORD_HEADER_LEN : PCAP_RECORD_HEADER_LEN + u32file(r, 8, this.le);
    const cut = new DecodeError('TRUNCATED_CAPTURE', this.base, `pcap/record[${this.index}]`, need, left);
    if (opts.tolerant) return { truncated: true, cut };
    throw cut;
  }

  private readHeader(r: Reader): PcapInfo {
    const m = r.u32ne(0);
    const le = HOST_IS_LE;
    let info: { tsResolution: TsResolution; fileLe: boolean } | undefined;
    if (m === PCAP_MAGIC.US || m === PCAP_MAGIC.NS) info = { tsResolution: m === PCAP_MAGIC.US ? 'us' : 'ns', fileLe: le };
    else if (swap32(m) === PCAP_MAGIC.US || swap32(m) === PCAP_MAGIC.NS) info = { tsResolution: swap32(m) === PCAP_MAGIC.US ? 'us' : 'ns', fileLe: !le };
    if (!info && m === PCAPNG_SHB_TYPE) throw new DecodeError('PCAPNG_CAPTURE', 0, 'pcap/magic');
    if (!info) throw bad(0, undefined, undefined, 'pcap/magic');
    this.le = info.fileLe;
    const rawMajor = r.u16ne(4);
    const major = this.le === HOST_IS_LE ? rawMajor : ((rawMajor & 0xff) << 8) | (rawMajor >> 8);
    if (major !== 2) throw bad(4, 2, major, 'pcap/version');
    const snaplen = u32file(r, 16, this.le);
    // LT_LINKTYPE(): the upper 6 bits may carry FCS information.
    const linktype = u32file(r, 20, this.le) & 0x03ff_ffff;
    if (linktype !== LINKTYPE_NETLINK) throw bad(20, LINKTYPE_NETLINK, linktype, 'pcap/linktype');
    return { tsResolution: info.tsResolution, byteOrder: this.le ? 'le' : 'be', snaplen };
  }

  private readRecord(r: Reader, pos: number): { record: CaptureRecord; next: number } | undefined {
    if (r.length - pos < PCAP_RECORD_HEADER_LEN) return undefined;
    const at = this.base + pos;
    const path = `pcap/record[${this.index}]`;
    const sec = u32file(r, pos, this.le);
    const frac = u32file(r, pos + 4, this.le);
    const incl = u32file(r, pos + 8, this.le);
    const orig = u32file(r, pos + 12, this.le);
    const ns = this.info!.tsResolution === 'ns';
    if (frac >= (ns ? 1_000_000_000 : 1_000_000)) throw bad(at + 4, undefined, undefined, `${path}/ts_frac`);
    if (incl < COOKED_HEADER_LEN || incl > orig || incl > Math.max(this.info!.snaplen, PCAP_SNAPLEN)) {
      throw bad(at + 8, COOKED_HEADER_LEN, incl, `${path}/incl_len`);
    }
    const c = pos + PCAP_RECORD_HEADER_LEN;
    if (r.length - c < incl) return undefined;
    const pkttype = r.u16be(c);
    if (pkttype !== PACKET_TYPE.OUTGOING && pkttype !== PACKET_TYPE.HOST) throw bad(at + 16, undefined, pkttype, `${path}/pkttype`);
    if (r.u16be(c + 2) !== ARPHRD_NETLINK) throw bad(at + 18, ARPHRD_NETLINK, r.u16be(c + 2), `${path}/arphrd`);
    const record: CaptureRecord = {
      tsNs: BigInt(sec) * 1_000_000_000n + BigInt(ns ? frac : frac * 1000),
      direction: pkttype === PACKET_TYPE.OUTGOING ? 'out' : 'in',
      family: r.u16be(c + 14),
      data: r.bytes(c + COOKED_HEADER_LEN, incl - COOKED_HEADER_LEN),
    };
    if (orig > incl) record.origLen = orig - COOKED_HEADER_LEN;
    this.index++;
    return { record, next: c + incl };
  }
}

/**
 * Decodes a whole capture held in memory. Throws DecodeError BAD_CAPTURE, PCAPNG_CAPTURE, or TRUNCATED_CAPTURE
 * for a cut last record unless tolerant.
 */
export function decodePcap(buf: Uint8Array, opts: PcapReadOptions = {}): PcapFile {
  const d = new PcapStreamDecoder();
  const records = d.push(buf);
  const { truncated } = d.end(opts);
  return { ...d.info!, records, truncated };
}

/**
 * Streams a capture file record by record; after iteration, `truncated` and `info` describe the file. Throws
 * DecodeError for bad contents and CaptureFileError for a file that cannot be opened or read (EISDIR, ENOENT...).
 */
export class PcapFileReader implements AsyncIterable<CaptureRecord> {
  truncated = false;
  /** In tolerant mode, what was cut from a truncated file (TRUNCATED_CAPTURE: offset, bytes needed and present). */
  cut: DecodeError | undefined;
  info: PcapInfo | undefined;
  constructor(
    readonly path: string,
    private readonly opts: PcapReadOptions & { chunkSize?: number } = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<CaptureRecord> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      throw captureFileError(e, this.path, 'read');
    }
    try {
      const d = new PcapStreamDecoder();
      const chunk = new Uint8Array(this.opts.chunkSize ?? 65536);
      for (;;) {
        let bytesRead: number;
        try {
          ({ bytesRead } = await fh.read(chunk, 0, chunk.byteLength, null)); // a directory fails here: EISDIR
        } catch (e) {
          throw captureFileError(e, this.path, 'read');
        }
        if (bytesRead === 0) break;
        const recs = d.push(chunk.slice(0, bytesRead));
        this.info = d.info;
        yield* recs;
      }
      ({ truncated: this.truncated, cut: this.cut } = d.end(this.opts));
      this.info = d.info;
    } finally {
      await fh.close();
    }
  }
}

/** `for await (const rec of readPcapFile(path))`: reads in chunks, never the whole file at once. */
export function readPcapFile(path: string, opts: PcapReadOptions & { chunkSize?: number } = {}): PcapFileReader {
  return new PcapFileReader(path, opts);
}

/** Where a PcapWriter writes: a file descriptor (written with writeSync) or anything with a `write(bytes)` method. */
export type PcapSink = number | { write(chunk: Uint8Array): unknown };

/**
 * Appends records as they happen. On an fd every record is one synchronous write, so a crash loses at most
 * the record being written (readers in tolerant mode skip its cut tail). System errors (ENOSPC...) propagate,
 * as CaptureFileError when `open` made the file.
 */
export class PcapWriter {
  /** Records written. */
  records = 0;
  /** Bytes written, global header included. */
  bytes = 0;
  private closed = false;

  constructor(
    private readonly sink: PcapSink,
    private readonly opts: { resolution?: TsResolution; writeHeader?: boolean; ownsFd?: boolean; path?: string } = {},
  ) {
    if (opts.writeHeader !== false) this.put(encodePcapHeader(opts.resolution ?? 'ns'));
  }

  /**
   * Creates (or truncates) `path` with mode 0600 (captures hold addresses) and writes the header. Throws
   * CaptureFileError (ENOENT for a missing folder, EISDIR, EACCES...).
   */
  static open(path: string, resolution: TsResolution = 'ns'): PcapWriter {
    let fd: number;
    try {
      fd = openSync(path, 'w', 0o600);
    } catch (e) {
      throw captureFileError(e, path, 'write');
    }
    try {
      fchmodSync(fd, 0o600); // an existing file keeps its old mode on open
      return new PcapWriter(fd, { resolution, ownsFd: true, path });
    } catch (e) {
      closeSync(fd);
      throw captureFileError(e, path, 'write');
    }
  }

  write(rec: CaptureRecord): void {
    if (this.closed) throw new Error('PcapWriter.write after close');
    this.put(encodePcapRecord(rec, this.opts.resolution ?? 'ns'));
    this.records++;
  }

  /** Closes the fd if `open` created it; a caller-supplied sink stays open. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.opts.ownsFd && typeof this.sink === 'number') closeSync(this.sink);
  }

  private put(b: Uint8Array): void {
    if (typeof this.sink === 'number') {
      try {
        for (let off = 0; off < b.byteLength; ) off += writeSync(this.sink, b, off, b.byteLength - off);
      } catch (e) {
        throw this.opts.path === undefined ? e : captureFileError(e, this.opts.path, 'write');
      }
    } else {
      this.sink.write(b);
    }
    this.bytes += b.byteLength;
  }
}
