// netlink/ layer: a cheap fingerprint of one conntrack dump message, so that a periodic refresh can skip
// decoding the copies that did not change since the previous dump. Imports ./attr, ./ct-attrs, ./reader, ./message (type).
// Most of a big table is idle between two refreshes: only CTA_TIMEOUT differs from one dump to the next,
// so the digest covers every byte of the message after the netlink header except that attribute.
import { NLA_TYPE_MASK } from './attr.js';
import { CTA } from './ct-attrs.js';
import type { NlMsg } from './message.js';
import { HOST_IS_LE, type Reader } from './reader.js';

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
  let off = m.payload;
  if (end > v.byteLength || end - off < 4) return false;
  // Murmur3's 32-bit block step in h1 and an FNV-1a step over whole words in h2, both seeded by the length.
  let h1 = (end - off) ^ 0x3c6ef372;
  let h2 = Math.imul((end - off) ^ 0x811c9dc5, 0x01000193);
  let id = -1;
  let timeout: number | null = null;
  let first = true;
  while (off + 4 <= end) {
    let stop: number;
    if (first) {
      stop = off + 4; // the nfgenmsg: family, version, res_id
      first = false;
    } else {
      // nlattr headers are in host order (house style §4.1); the hash below only needs some fixed order.
      const len = v.getUint16(off, HOST_IS_LE);
      if (len < 4 || off + len > end) return false;
      const type = v.getUint16(off + 2, HOST_IS_LE) & NLA_TYPE_MASK;
      if (type === CTA.TIMEOUT) {
        if (len !== 8) return false;
        timeout = v.getUint32(off + 4, false);
        off += 8;
        continue;
      }
      if (type === CTA.ID) {
        if (len !== 8) return false;
        id = v.getUint32(off + 4, false);
      }
      stop = off + ((len + 3) & ~3);
      if (stop > end) stop = end;
    }
    for (; off + 4 <= stop; off += 4) {
      const w = v.getInt32(off, true);
      let k = Math.imul(w, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h1 ^= Math.imul(k, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = Math.imul(h2 ^ w, 0x01000193);
    }
    for (; off < stop; off++) {
      const b = v.getUint8(off);
      h1 = Math.imul(h1 ^ b, 0x5bd1e995);
      h2 = Math.imul(h2 ^ b, 0x01000193);
    }
  }
  if (id < 0 || off !== end) return false;
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
