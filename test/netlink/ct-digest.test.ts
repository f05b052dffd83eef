// Tests for netlink/ct-digest.ts: the fingerprint of a dump copy without its nlmsghdr and CTA_TIMEOUT.
// Equal for copies that differ only in timeout (and header), different when any other byte differs, false
// (never a throw) for messages without CTA_ID or with broken top-level framing; real kernel bytes included.
// Literals are little-endian (host order on x86/arm64): skipped on big-endian hosts.
import t from 'tap';
import { CtDigest, digestCtEntry } from '../../netlink/ct-digest.js';
import { decodeCtEntry, isCtEntryMessage } from '../../netlink/ct-decode.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import { splitMessages, type NlMsg } from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import {
  DIGEST_LIMIT, digestOf, dumpMessage, onlyMessage, propDigestAnyBytes, propDigestIgnoresTimeoutAndHeader,
  propDigestSeesEveryByte, topAttrs,
} from '../../fuzz/digest.prop.js';
import { fixtureDatagrams } from '../../fuzz/harness.js';
import { cat, hx } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';
const SEED = 0x5eed;

// A minimal dump copy: 16 + 4 + 3 × 8 = 44 bytes.
const MINI = hx`
  2c000000 0001 0200 07000000 92100000   # len 44, CT_NEW, MULTI, seq 7, pid 4242
  02 00 0000                             # nfgenmsg: AF_INET, version 0, res_id 0
  0800 0c00 0000002a                     # CTA_ID 42
  0800 0700 0000012c                     # CTA_TIMEOUT 300
  0800 0800 deadbeef                     # CTA_MARK 0xdeadbeef
`;

/** Digest of a hand-framed message: `bytes` from 0 to `end` (nlmsg_len need not agree). */
function digestFramed(bytes: Uint8Array, end: number): CtDigest | null {
  const m: NlMsg = { len: end, type: 0x100, flags: 2, seq: 7, pid: 4242, payload: 16, end, index: 0 };
  const d = new CtDigest();
  return digestCtEntry(new Reader(bytes), m, d) ? d : null;
}

const cases: { name: string; input: Uint8Array; end?: number; want: { id: number; timeoutSec: number | null } | false }[] = [
  { name: 'CTA_ID and CTA_TIMEOUT', input: MINI, want: { id: 42, timeoutSec: 300 } },
  {
    name: 'no CTA_TIMEOUT (an offloaded entry): timeoutSec null',
    input: hx`24000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0800 deadbeef`,
    want: { id: 42, timeoutSec: null },
  },
  {
    name: 'flag bits on the type are ignored, as the decoder ignores them',
    input: hx`2c000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c40 0000002a | 0800 0780 0000012c | 0800 0800 deadbeef`,
    want: { id: 42, timeoutSec: 300 },
  },
  {
    name: 'no CTA_ID',
    input: hx`24000000 0001 0200 07000000 92100000 | 02000000 | 0800 0700 0000012c | 0800 0800 deadbeef`,
    want: false,
  },
  {
    name: 'CTA_ID of 2 bytes',
    input: hx`2c000000 0001 0200 07000000 92100000 | 02000000 | 0600 0c00 002a 0000 | 0800 0700 0000012c | 0800 0800 deadbeef`,
    want: false,
  },
  {
    name: 'CTA_TIMEOUT of 8 bytes',
    input: hx`30000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0c00 0700 00000000 0000012c | 0800 0800 deadbeef`,
    want: false,
  },
  {
    name: 'nla_len 3 (below the attribute header)',
    input: hx`2c000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0300 0800 deadbeef | 0800 0700 0000012c`,
    want: false,
  },
  {
    name: 'nla_len past the message',
    input: hx`2c000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0700 0000012c | 0c00 0800 deadbeef`,
    want: false,
  },
  {
    name: 'two bytes after the last attribute',
    input: hx`2e000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0700 0000012c | 0800 0800 deadbeef | 0000 0000`,
    want: false,
  },
  {
    name: 'two CTA_TIMEOUTs (never from the kernel): left to the decoder',
    input: hx`34000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0700 0000012c | 0800 0800 deadbeef | 0800 0700 0000012d`,
    want: false,
  },
  {
    name: 'the last attribute unpadded at the message end: its bytes hashed one by one',
    input: hx`29000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0700 0000012c | 0500 0800 de 000000`,
    end: 41,
    want: { id: 42, timeoutSec: 300 },
  },
  { name: 'payload of 3 bytes (no room for nfgenmsg)', input: hx`13000000 0001 0200 07000000 92100000 | 020000 00`, want: false },
  { name: 'message end past the buffer', input: MINI, end: 48, want: false },
  {
    name: 'an unaligned last attribute ends the message exactly',
    input: hx`29000000 0001 0200 07000000 92100000 | 02000000 | 0800 0c00 0000002a | 0800 0700 0000012c | 0500 1100 ff 000000`,
    want: { id: 42, timeoutSec: 300 },
  },
];

for (const c of cases) {
  t.test(`digestCtEntry: ${c.name}`, { skip }, async (t) => {
    const d = digestFramed(c.input, c.end ?? new Reader(c.input).u32ne(0));
    if (c.want === false) {
      t.equal(d, null);
      return;
    }
    t.ok(d);
    t.match(d, c.want);
    t.ok(Number.isInteger(d!.digest) && d!.digest >= 0 && d!.digest < DIGEST_LIMIT, 'a 52-bit integer');
  });
}

t.test('a false return leaves the previous result in place', { skip }, async (t) => {
  const d = new CtDigest();
  t.ok(digestCtEntry(new Reader(MINI), onlyMessage(MINI).m, d));
  const before = { ...d };
  const noId = hx`24000000 0001 0200 07000000 92100000 | 02000000 | 0800 0700 0000012c | 0800 0800 deadbeef`;
  t.notOk(digestCtEntry(new Reader(noId), onlyMessage(noId).m, d));
  t.same({ ...d }, before);
});

const base: CtEntry = {
  family: 2, protoNum: 6, status: 0x18e, id: 0x9abcdef0, timeoutSec: 431999, mark: 7, use: 1, zone: 0,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 443 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 40000 },
  tcp: { state: 3, wscaleOrig: 7, wscaleReply: 7, flagsOrig: 0x23, flagsReply: 0x23 },
  countersOrig: { packets: 10, bytes: 1000 }, countersReply: { packets: 8, bytes: 6000 },
  startNs: 1_700_000_000_000_000_000n, labels: [1, 5],
};

t.test('copies that differ only in timeout, seq and pid have one digest', async (t) => {
  const a = digestOf(dumpMessage(base, 7, 4242));
  const b = digestOf(dumpMessage({ ...base, timeoutSec: 12 }, 99, 1));
  const c = digestOf(dumpMessage({ ...base, timeoutSec: 0 }, 0, 0));
  t.ok(a && b && c);
  t.equal(b!.digest, a!.digest);
  t.equal(c!.digest, a!.digest);
  t.same([a!.id, a!.timeoutSec, b!.timeoutSec, c!.timeoutSec], [0x9abcdef0, 431999, 12, 0]);
});

t.test('any other field changes the digest (every pair distinct)', async (t) => {
  const variants: [string, Partial<CtEntry>][] = [
    ['base', {}],
    ['orig packets', { countersOrig: { packets: 11, bytes: 1000 } }],
    ['reply bytes', { countersReply: { packets: 8, bytes: 6001 } }],
    ['status', { status: 0x19e }],
    ['mark', { mark: 8 }],
    ['use', { use: 2 }],
    ['tcp state', { tcp: { ...base.tcp!, state: 4 } }],
    ['orig sport', { orig: { ...base.orig, sport: 40001 } }],
    ['reply address', { reply: { ...base.reply, dst: '10.0.0.3' } }],
    ['labels', { labels: [1, 6] }],
    ['id', { id: 0x9abcdef1 }],
    ['zone', { zone: 1 }],
    ['start time', { startNs: base.startNs! + 1n }],
    ['helper', { helper: 'ftp' }],
    ['no counters', { countersOrig: undefined, countersReply: undefined }],
  ];
  const seen = new Map<number, string>();
  for (const [name, over] of variants) {
    const d = digestOf(dumpMessage({ ...base, ...over }));
    t.ok(d, name);
    t.notOk(seen.has(d!.digest), `${name}: digest not shared with ${seen.get(d!.digest)}`);
    seen.set(d!.digest, name);
  }
});

t.test('the digest depends on the message, not on where it lies in the buffer', async (t) => {
  const msg = dumpMessage(base);
  const want = digestOf(msg)!.digest;
  const two = cat(dumpMessage({ ...base, id: 1 }), msg);
  const r = new Reader(two);
  const d = new CtDigest();
  t.ok(digestCtEntry(r, splitMessages(r)[1], d));
  t.equal(d.digest, want, 'second message of a datagram');
  const shifted = new Uint8Array(msg.length + 3);
  shifted.set(msg, 3);
  const view = shifted.subarray(3);
  t.ok(digestCtEntry(new Reader(view), onlyMessage(view).m, d));
  t.equal(d.digest, want, 'a view at byte offset 3 of its ArrayBuffer');
});

t.test('real kernel dump copies: digested, id and timeout as the decoder reads them, timeout not in the digest', { skip }, async (t) => {
  let n = 0;
  for (const dg of fixtureDatagrams(HOST_IS_LE)) {
    const r = new Reader(dg);
    for (const m of splitMessages(r)) {
      if (!isCtEntryMessage(m)) continue;
      const d = new CtDigest();
      t.ok(digestCtEntry(r, m, d), `msg at ${m.payload - 16}`);
      const e = decodeCtEntry(r, m);
      t.same([d.id, d.timeoutSec], [e.id, e.timeoutSec ?? null]);
      const copy = dg.slice(m.payload - 16, m.end);
      const at = topAttrs(copy).find((a) => a.type === 7);
      if (!at) continue;
      new DataView(copy.buffer).setUint32(at.hdr + 4, 1); // CTA_TIMEOUT 1 s (big-endian value)
      const d2 = digestOf(copy)!;
      t.same([d2.digest, d2.timeoutSec], [d.digest, 1]);
      n++;
    }
  }
  t.ok(n >= 8, `${n} real copies with CTA_TIMEOUT`);
});

t.test(`property: timeout, seq and pid do not change the digest (seed ${SEED})`, async (t) => {
  t.doesNotThrow(() => propDigestIgnoresTimeoutAndHeader({ numRuns: 300, seed: SEED }));
});

t.test(`property: flipping any byte outside the header and CTA_TIMEOUT changes the digest (seed ${SEED})`, async (t) => {
  t.doesNotThrow(() => propDigestSeesEveryByte({ numRuns: 2000, seed: SEED }));
});

t.test(`property: any bytes: never throws, a digest is an integer in [0, 2^52) (seed ${SEED})`, async (t) => {
  t.doesNotThrow(() => propDigestAnyBytes({ numRuns: 1000, seed: SEED }));
});
