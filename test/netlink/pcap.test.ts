// Tests for netlink/pcap.ts: byte-exact headers, round trips, both magics and byte orders, bad files by code
// (pcapng, version, link type), truncated captures (strict and tolerant), files that cannot be opened or written,
// streaming reads, the 0600 writer, tshark's dissection, and properties.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { CTA, CTA_IP, CTA_PROTO, CTA_TUPLE } from '../../netlink/ct-attrs.js';
import { DecodeError } from '../../netlink/errors.js';
import { NLM_F, beginMessage, encodeDone, endMessage } from '../../netlink/message.js';
import { encodeNfGenMsg } from '../../netlink/nfnetlink.js';
import {
  PcapStreamDecoder, PcapWriter, decodePcap, encodePcapHeader, encodePcapRecord, readPcapFile, type CaptureRecord, type TsResolution,
} from '../../netlink/pcap.js';
import { Writer } from '../../netlink/writer.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const file = (records: CaptureRecord[], res: TsResolution = 'ns'): Uint8Array =>
  concat(encodePcapHeader(res), ...records.map((r) => encodePcapRecord(r, res)));

const REC_OUT: CaptureRecord = { tsNs: 1_700_000_000_000_001_007n, direction: 'out', family: 12, data: hex('14000000 0101 0103 01000000 00000000 02000000') };
/** Bytes of one encoded REC_OUT or REC_IN: record header 16 + cooked header 16 + datagram 20. */
const REC_LEN = 52;
const REC_IN: CaptureRecord = { tsNs: 1_700_000_001_250_000_000n, direction: 'in', family: 4, data: hex('14000000 0300 0200 01000000 92100000 00000000') };

t.test('global header and record bytes (ctnetlink.md §6.1)', async (t) => {
  t.equal(toHex(encodePcapHeader()),
    'a1b23c4d'.match(/../g)!.reverse().join('') + // magic 0xA1B23C4D (ns), little-endian
    '0200 0400 00000000 00000000 00000400 fd000000'.replace(/ /g, '')); // v2.4, thiszone, sigfigs, snaplen 262144, linktype 253
  t.equal(toHex(encodePcapHeader('us')).slice(0, 8), 'd4c3b2a1', 'µs magic');
  t.equal(toHex(encodePcapRecord(REC_OUT)), (
    '00f15365 ef030000 24000000 24000000' + // ts_sec 1700000000, ts_nsec 1007, incl_len = orig_len = 16 + 20 (LE)
    '0004 0338 0000 0000000000000000 000c' + // cooked (BE): PACKET_OUTGOING, ARPHRD_NETLINK 824, no address, family 12
    toHex(REC_OUT.data)).replace(/ /g, ''));
  t.equal(toHex(encodePcapRecord(REC_IN, 'us')).slice(0, 16), '01f15365' + '90d00300', 'µs: ts_usec 250000');
  t.equal(toHex(encodePcapRecord(REC_IN)).slice(32, 36), '0000', 'PACKET_HOST for received datagrams');
});

t.test('round trip, ns and µs', async (t) => {
  const recs = [REC_OUT, REC_IN, { ...REC_IN, data: new Uint8Array(0), tsNs: 0n }];
  const ns = decodePcap(file(recs));
  t.same(ns, { tsResolution: 'ns', byteOrder: 'le', snaplen: 262144, records: recs, truncated: false });
  const us = decodePcap(file(recs, 'us'));
  t.equal(us.tsResolution, 'us');
  t.same(us.records.map((r) => r.tsNs), [1_700_000_000_000_001_000n, 1_700_000_001_250_000_000n, 0n], 'µs files lose the sub-µs digits');
});

t.test('big-endian files (written on a BE host) decode the same', async (t) => {
  for (const res of ['us', 'ns'] as const) {
    const le = file([REC_OUT, REC_IN], res);
    const be = le.slice();
    // Swap the u32/u16 fields of the global header and each record header; cooked header and data stay as they are.
    const swap = (off: number, n: number) => be.set(le.subarray(off, off + n).slice().reverse(), off);
    swap(0, 4); swap(4, 2); swap(6, 2); swap(16, 4); swap(20, 4);
    for (let off = 24; off < le.length; ) {
      const incl = new DataView(le.buffer, le.byteOffset).getUint32(off + 8, true);
      for (let i = 0; i < 16; i += 4) swap(off + i, 4);
      off += 16 + incl;
    }
    const d = decodePcap(be);
    t.equal(d.byteOrder, 'be');
    t.same(d.records, decodePcap(le).records, res);
  }
});

t.test('records over the snaplen are cut and keep their full length', async (t) => {
  const big = { tsNs: 5n, direction: 'in' as const, family: 12, data: new Uint8Array(262144 + 100).fill(7) };
  const d = decodePcap(file([big]));
  t.equal(d.records[0].data.length, 262144 - 16);
  t.equal(d.records[0].origLen, 262144 + 100);
  t.same(decodePcap(file(d.records)).records, d.records, 'a cut record re-encodes identically');
});

t.test('encodePcapRecord rejects timestamps and families pcap cannot hold', async (t) => {
  t.throws(() => encodePcapRecord({ ...REC_OUT, tsNs: -1n }), { name: 'EncodeError', code: 'BAD_VALUE' });
  t.throws(() => encodePcapRecord({ ...REC_OUT, tsNs: 2n ** 32n * 1_000_000_000n }), { name: 'EncodeError', code: 'BAD_VALUE' });
  t.throws(() => encodePcapRecord({ ...REC_OUT, family: 65536 }), { name: 'EncodeError', code: 'BAD_VALUE' });
});

t.test('bad captures throw BAD_CAPTURE with the offset of the problem', async (t) => {
  const good = file([REC_OUT, REC_IN]);
  const patch = (off: number, bytes: string) => {
    const b = good.slice();
    b.set(hex(bytes), off);
    return b;
  };
  const second = 24 + 16 + 16 + 20; // offset of record 2
  const cases: [string, Uint8Array, number][] = [
    ['empty file', new Uint8Array(0), 0],
    ['10 bytes', good.subarray(0, 10), 0],
    ['version 1', patch(4, '0100'), 4],
    ['linktype 1 (Ethernet)', patch(20, '01000000'), 20],
    ['ARPHRD_ETHER in record 2', patch(second + 18, '0001'), second + 18],
    ['packet type 3 (OTHERHOST)', patch(24 + 16, '0003'), 24 + 16],
    ['incl_len 8 (no cooked header)', patch(24 + 8, '08000000'), 24 + 8],
    ['incl_len > orig_len', patch(24 + 12, '20000000'), 24 + 8],
    ['incl_len past any snaplen', patch(24 + 8, 'ffffff00ffffff00'), 24 + 8],
    ['ts_nsec of 1e9', patch(24 + 4, '00ca9a3b'), 24 + 4],
  ];
  for (const [name, buf, offset] of cases) t.throws(() => decodePcap(buf), { name: 'DecodeError', code: 'BAD_CAPTURE', offset }, name);
});

t.test('a bad header says what it found: the version, the link type, the length', async (t) => {
  const good = file([REC_OUT]);
  const patch = (off: number, bytes: string) => {
    const b = good.slice();
    b.set(hex(bytes), off);
    return b;
  };
  t.throws(() => decodePcap(patch(4, '0100')), { code: 'BAD_CAPTURE', path: 'pcap/version', need: 2, have: 1 });
  t.throws(() => decodePcap(patch(4, '0000')), { code: 'BAD_CAPTURE', path: 'pcap/version', need: 2, have: 0 }, 'version 0, not undefined');
  t.throws(() => decodePcap(patch(20, '01000000')), { code: 'BAD_CAPTURE', path: 'pcap/linktype', need: 253, have: 1 });
  t.throws(() => decodePcap(good.subarray(0, 10)), { code: 'BAD_CAPTURE', path: 'pcap/header', need: 24, have: 10 });
});

t.test('a pcapng file (what tshark -w writes by default) is PCAPNG_CAPTURE, however short', async (t) => {
  // A Section Header Block: type 0x0A0D0D0A, length 28, byte-order magic 0x1A2B3C4D, version 1.0, section length -1.
  const shb = hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000');
  t.throws(() => decodePcap(shb), { name: 'DecodeError', code: 'PCAPNG_CAPTURE', offset: 0 });
  t.throws(() => decodePcap(shb.subarray(0, 8)), { code: 'PCAPNG_CAPTURE' }, 'shorter than a pcap header');
  t.throws(() => decodePcap(shb, { tolerant: true }), { code: 'PCAPNG_CAPTURE' }, 'never tolerated');
});

t.test('a capture cut in its last record is TRUNCATED_CAPTURE: where, and how much is missing', async (t) => {
  const good = file([REC_OUT, REC_IN]);
  const second = 24 + REC_LEN;
  t.throws(() => decodePcap(good.subarray(0, second + 9)), { code: 'TRUNCATED_CAPTURE', offset: second, need: 16, have: 9 }, 'cut in its header');
  t.throws(() => decodePcap(good.subarray(0, good.length - 1)), { code: 'TRUNCATED_CAPTURE', offset: second, need: REC_LEN, have: REC_LEN - 1 }, 'cut in its data');
  const d = new PcapStreamDecoder();
  d.push(good.subarray(0, good.length - 1));
  const end = d.end({ tolerant: true });
  t.equal(end.truncated, true);
  t.match(end.cut, { name: 'DecodeError', code: 'TRUNCATED_CAPTURE', offset: second, need: REC_LEN, have: REC_LEN - 1 }, 'tolerant mode describes the cut');
});

t.test('capture files that cannot be opened are CaptureFileError with the errno name, the path and the way', async (t) => {
  const dir = t.testdir({});
  const read = async (path: string) => {
    for await (const _ of readPcapFile(path)) void _;
  };
  await t.rejects(read(dir), { name: 'CaptureFileError', code: 'EISDIR', path: dir, op: 'read' }, 'a directory');
  await t.rejects(read(join(dir, 'nope.pcap')), { name: 'CaptureFileError', code: 'ENOENT', op: 'read' }, 'a missing file');
  t.throws(() => PcapWriter.open(dir), { name: 'CaptureFileError', code: 'EISDIR', path: dir, op: 'write' }, 'record into a directory');
  t.throws(() => PcapWriter.open(join(dir, 'no/such/x.pcap')), { name: 'CaptureFileError', code: 'ENOENT', op: 'write' }, 'a missing folder');
});

t.test('a capture that fills its disk is CaptureFileError ENOSPC', { skip: process.platform === 'linux' ? false : '/dev/full is Linux' }, async (t) => {
  t.throws(() => PcapWriter.open('/dev/full'), { name: 'CaptureFileError', code: 'ENOSPC', path: '/dev/full', op: 'write' });
});

t.test('tolerant mode keeps the complete records of a cut capture', async (t) => {
  const good = file([REC_OUT, REC_IN]);
  for (let cut = 24; cut <= good.length; cut++) {
    const d = decodePcap(good.subarray(0, cut), { tolerant: true });
    const complete = cut >= good.length ? 2 : cut >= 24 + REC_LEN ? 1 : 0;
    t.equal(d.records.length, complete);
    t.equal(d.truncated, cut !== good.length && cut !== 24 + REC_LEN && cut !== 24, `cut at ${cut}`);
  }
  t.throws(() => decodePcap(good.subarray(0, 23), { tolerant: true }), { code: 'BAD_CAPTURE' }, 'no header is never tolerated');
});

t.test('stream decoder: any chunking yields the same records', async (t) => {
  const recs = [REC_OUT, REC_IN, REC_OUT];
  const whole = file(recs);
  for (const size of [1, 3, 16, 17, 40, 1000]) {
    const d = new PcapStreamDecoder();
    const got: CaptureRecord[] = [];
    for (let off = 0; off < whole.length; off += size) got.push(...d.push(whole.subarray(off, off + size)));
    t.same(d.end(), { truncated: false });
    t.same(got, recs, `chunks of ${size}`);
  }
});

t.test('PcapWriter.open: mode 0600, one record per write, readPcapFile streams it back', async (t) => {
  const dir = t.testdir({ 'old.pcap': 'x' });
  const path = join(dir, 'old.pcap');
  chmodSync(path, 0o644);
  const w = PcapWriter.open(path);
  t.equal(statSync(path).mode & 0o777, 0o600, 'an existing file is made 0600 too');
  w.write(REC_OUT);
  t.equal(statSync(path).size, 24 + REC_LEN, 'written through, not buffered');
  w.write(REC_IN);
  w.close();
  w.close();
  t.same({ records: w.records, bytes: w.bytes }, { records: 2, bytes: readFileSync(path).length });
  t.throws(() => w.write(REC_OUT));
  const reader = readPcapFile(path, { chunkSize: 7 });
  const got: CaptureRecord[] = [];
  for await (const r of reader) got.push(r);
  t.same(got, [REC_OUT, REC_IN]);
  t.same({ truncated: reader.truncated, res: reader.info?.tsResolution }, { truncated: false, res: 'ns' });

  // A process killed mid-write leaves a cut last record: strict readers throw, tolerant ones keep the rest.
  truncateSync(path, 24 + REC_LEN + 10);
  await t.rejects(async () => {
    for await (const _ of readPcapFile(path)) void _;
  }, { code: 'TRUNCATED_CAPTURE', offset: 24 + REC_LEN });
  const tolerant = readPcapFile(path, { tolerant: true });
  const kept: CaptureRecord[] = [];
  for await (const r of tolerant) kept.push(r);
  t.same({ kept, truncated: tolerant.truncated }, { kept: [REC_OUT], truncated: true });
  t.match(tolerant.cut, { code: 'TRUNCATED_CAPTURE', offset: 24 + REC_LEN, need: 16, have: 10 }, 'cut inside the record header');
});

t.test('PcapWriter on a caller-owned sink (fd or stream-like)', async (t) => {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter({ write: (c: Uint8Array) => chunks.push(c) }, { resolution: 'us' });
  w.write(REC_IN);
  w.close();
  t.same(decodePcap(concat(...chunks)).records.map((r) => r.tsNs), [1_700_000_001_250_000_000n]);
  const noHeader = new PcapWriter({ write: (c: Uint8Array) => chunks.push(c) }, { writeHeader: false });
  t.equal(noHeader.bytes, 0, 'writeHeader: false appends to an existing capture');
});

/** A ctnetlink dump request (type 0x0101, flags 0x301, nfgenmsg AF_UNSPEC) built by hand. */
function dumpRequest(): Uint8Array {
  const w = new Writer();
  const s = beginMessage(w, 0x0101, NLM_F.REQUEST | NLM_F.DUMP, 1);
  encodeNfGenMsg(w, 0);
  endMessage(w, s);
  return w.finish();
}
/** A reply datagram: one TCP entry 192.0.2.1:12345 -> 198.51.100.2:443 (status 0xe, timeout 120, id 0x12345678) + NLMSG_DONE. */
function dumpReply(): Uint8Array {
  const w = new Writer();
  const s = beginMessage(w, 0x0100, NLM_F.MULTI, 1, 4242);
  encodeNfGenMsg(w, 2);
  const tuple = (type: number, src: string, dst: string, sport: number, dport: number) =>
    w.nest(type, (w) => {
      w.nest(CTA_TUPLE.IP, (w) => w.attrBytes(CTA_IP.V4_SRC, Uint8Array.from(src.split('.').map(Number))).attrBytes(CTA_IP.V4_DST, Uint8Array.from(dst.split('.').map(Number))));
      w.nest(CTA_TUPLE.PROTO, (w) => w.attrU8(CTA_PROTO.NUM, 6).attrU16be(CTA_PROTO.SRC_PORT, sport).attrU16be(CTA_PROTO.DST_PORT, dport));
    });
  tuple(CTA.TUPLE_ORIG, '192.0.2.1', '198.51.100.2', 12345, 443);
  tuple(CTA.TUPLE_REPLY, '198.51.100.2', '192.0.2.1', 443, 12345);
  w.attrU32be(CTA.STATUS, 0xe).attrU32be(CTA.TIMEOUT, 120).attrU32be(CTA.ID, 0x12345678);
  endMessage(w, s);
  return concat(w.finish(), encodeDone(1, 4242));
}

const hasTshark = spawnSync('tshark', ['-v']).status === 0;

t.test('tshark dissects our capture as netlink-netfilter', { skip: !hasTshark && 'tshark not installed' }, async (t) => {
  const path = join(t.testdir(), 'dump.pcap');
  const w = PcapWriter.open(path);
  w.write({ tsNs: 1_700_000_000_000_000_001n, direction: 'out', family: 12, data: dumpRequest() });
  w.write({ tsNs: 1_700_000_000_000_500_000n, direction: 'in', family: 12, data: dumpReply() });
  w.close();
  const fields = ['frame.number', 'netlink.family', 'netlink.hdr_type', 'netlink.hdr_flags', 'netlink-netfilter.nfct_tuple.ip.ip_addr',
    'netlink-netfilter.nfct_tuple.proto.src_port', 'netlink-netfilter.ct_attr.status', 'netlink-netfilter.ct_attr.timeout', 'netlink-netfilter.ct_attr.id', '_ws.expert'];
  const r = spawnSync('tshark', ['-r', path, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  t.equal(r.status, 0, 'tshark exits 0');
  const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  t.same(rows[0].slice(0, 4), ['1', '0x000c', '0x0101', '0x0301,0x0301'],
    'request: netfilter family, type 0x0101, flags 0x301 (printed twice: tshark 4.0 shows the GET and the NEW reading)');
  t.same(rows[1].slice(0, 9), ['2', '0x000c', '0x0100,0x0003', '0x0002,0x0002', '192.0.2.1,198.51.100.2,198.51.100.2,192.0.2.1', '12345,443', '0x0000000e', '120', '0x12345678'],
    'reply: entry + NLMSG_DONE in one record, tuples descended into');
  t.same(rows.map((row) => row[9] ?? ''), ['', ''], 'no expert warnings (malformed packets)');
});

t.test('properties: decode(encode(x)) = x; arbitrary or damaged bytes throw only DecodeError', async (t) => {
  const rec = fc.record({
    tsNs: fc.bigInt({ min: 0n, max: 2n ** 32n * 1_000_000_000n - 1n }),
    direction: fc.constantFrom('out' as const, 'in' as const),
    family: fc.integer({ min: 0, max: 0xffff }),
    data: fc.uint8Array({ maxLength: 200 }),
  });
  fc.assert(fc.property(fc.array(rec, { maxLength: 8 }), (recs) => {
    const d = decodePcap(file(recs));
    return d.records.length === recs.length && d.records.every((r, i) =>
      r.tsNs === recs[i].tsNs && r.direction === recs[i].direction && r.family === recs[i].family && toHex(r.data) === toHex(recs[i].data) && r.origLen === undefined);
  }), { seed: 253, numRuns: 200 });
  t.pass('round trip holds for 200 random captures');
  const onlyDecodeError = (b: Uint8Array, tolerant: boolean) => {
    try {
      decodePcap(b, { tolerant });
    } catch (e) {
      if (!(e instanceof DecodeError) || !['BAD_CAPTURE', 'PCAPNG_CAPTURE', 'TRUNCATED_CAPTURE'].includes(e.code)) throw e;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (b, tol) => onlyDecodeError(b, tol)), { seed: 254, numRuns: 200 });
  fc.assert(fc.property(fc.array(rec, { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.boolean(),
    (recs, flips, cut, tol) => {
      const b = file(recs).slice();
      for (const [at, v] of flips) b[at % b.length] = v;
      onlyDecodeError(b, tol);
      onlyDecodeError(b.subarray(0, cut % (b.length + 1)), tol);
    }), { seed: 255, numRuns: 200 });
  t.pass('only DecodeError capture codes for 400 arbitrary and damaged inputs');
});

t.test('a capture written here is readable after a write of a fresh file', async (t) => {
  const path = join(t.testdir(), 'new.pcap');
  writeFileSync(path, file([REC_OUT]));
  t.same(decodePcap(readFileSync(path)).records, [REC_OUT]);
});
