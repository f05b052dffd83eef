// netlink/ layer: a cheap fingerprint of one conntrack dump message, so that a periodic refresh can skip
// decoding the copies that did not change since the previous dump. Imports ./attr, ./ct-attrs, ./reader, ./message (type).
// Most of a big table is idle between two refreshes: only CTA_TIMEOUT differs from one dump to the next,
// so the digest covers every byte of the message after the netlink header except that attribute.
import { NLA_TYPE_MASK } from './attr.js';
import { CTA } from './ct-attrs.js';
import type { NlMsg } from './message.js';
import { HOST_IS_LE, type Reader } from './reader.js';

/** Host order, as a constant of this module: an imported binding read in the attribute walk was not folded (V8). */
const LE = HOST_IS_LE;

/** What digestCtEntry found; one object reused for every message (no allocation per entry). */
export class CtDigest {
  /** CTA_ID of the entry. */
  id = 0;
  /** CTA_TIMEOUT in seconds, or null when the message carried none (offloaded entries). */
  timeoutSec: number | null = null;
  /**
   * 52 bits (an exact double) from two independent 32-bit hashes of the message without its header and
   * CTA_TIMEOUT: equal digests for one kernel id mean an unchanged copy, wrong once in 2^52 comparisons.
   */
  digest = 0;
}

/**
 * Fingerprints the ctnetlink message `m` into `out`. Returns false, leaving the message to the full
 * decoder (which reports problems with their paths), when the top-level framing is off or CTA_ID is
 * missing. Nested attributes are hashed as bytes, not checked: a digest equal to that of a copy the full
 * decoder accepted before stands for the same bytes.
 */
export function digestCtEntry(r: Reader, m: NlMsg, out: CtDigest): boolean {
  const v = r.view;
  const end = m.end;
  const start = m.payload;
  if (end > v.byteLength || end - start < 4) return false;
  // The attributes are walked first, then the words hashed in two runs around CTA_TIMEOUT, not attribute by
  // attribute: the same words in the same order (attributes are padded to 4 bytes; only the message's end
  // can cut one), the same digest, in four fifths of the time. A message's payload is word-aligned.
  if ((start & 3) !== 0) return false;
  let id = -1;
  let timeout: number | null = null;
  let tOff = end; // where CTA_TIMEOUT is (end: none)
  let off = start + 4; // after the nfgenmsg: family, version, res_id
  while (off + 4 <= end) {
    // nlattr headers are in host order (house style §4.1).
    const len = v.getUint16(off, LE);
    if (len < 4 || off + len > end) return false;
    const type = v.getUint16(off + 2, LE) & NLA_TYPE_MASK;
    if (type === CTA.TIMEOUT) {
      // A second one (never from the kernel) is left to the decoder: the runs skip one.
      if (len !== 8 || tOff !== end) return false;
      timeout = v.getUint32(off + 4, false);
      tOff = off;
    } else if (type === CTA.ID) {
      if (len !== 8) return false;
      id = v.getUint32(off + 4, false);
    }
    off += (len + 3) & ~3;
    if (off > end) off = end; // the last attribute, unpadded
  }
  if (id < 0 || off !== end) return false;
  // Murmur3's 32-bit block step in h1 and an FNV-1a step over whole words in h2, both seeded by the length.
  let h1 = (end - start) ^ 0x3c6ef372;
  let h2 = Math.imul((end - start) ^ 0x811c9dc5, 0x01000193);
  const w = r.words();
  const whole = end & ~3;
  // The words skipped: CTA_TIMEOUT's two, or none (an empty span at the end) when the copy has none.
  const skipFrom = tOff === end ? whole : tOff;
  const skipTo = tOff === end ? whole : tOff + 8;
  for (let run = 0; run < 2; run++) {
    let i = (run === 0 ? start : skipTo) >> 2;
    const e = (run === 0 ? skipFrom : whole) >> 2;
    for (; i < e; i++) {
      const x = w[i];
      let k = Math.imul(x, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h1 ^= Math.imul(k, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = Math.imul(h2 ^ x, 0x01000193);
    }
  }
  for (let i = whole; i < end; i++) {
    const b = r.buf[i];
    h1 = Math.imul(h1 ^ b, 0x5bd1e995);
    h2 = Math.imul(h2 ^ b, 0x01000193);
  }
  out.id = id;
  out.timeoutSec = timeout;
  out.digest = (fmix(h1) >>> 0) * 0x100000 + (fmix(h2 ^ 0x27d4eb2f) >>> 12);
  return true;
}

/** Murmur3's finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
