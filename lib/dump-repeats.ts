// lib/ layer: recognising the copies a dump repeats (a hash resize mid-dump sends an entry twice) without
// keeping the entries: by kernel id and a fingerprint of the flow's identity (flowKeyHash). Imports nothing.

const EMPTY = -1;

/**
 * The flows a dump has delivered so far, as (id, identity fingerprint) pairs. A copy is a repeat when its id
 * and fingerprint were seen before: the same flow always is; two distinct flows sharing an id would be taken
 * for one with probability 2^-30 (the fingerprint's width). The first fingerprint of each id lives in an
 * open-addressing table of typed arrays (a Map of 100k numbers cost a twentieth of a --once --json run);
 * further flows sharing an id, which are rare, in a Set of (id, fingerprint) pairs.
 */
export class DumpRepeats {
  /**
   * Slot i is the pair [2i] id, [2i + 1] its first fingerprint (EMPTY where the slot is free; fingerprints are
   * 30-bit, never negative). One array of pairs: a probe touches one cache line, where an array of ids and
   * one of fingerprints took two misses per flow (kernel ids are hashes, so slots are random).
   */
  private slots = new Int32Array(2048).fill(EMPTY);
  private used = 0;
  /** Further flows of an id already in a slot, rare: as `id fingerprint` text (both together, not the fingerprint alone). */
  private readonly more = new Set<string>();

  /** True when (id, keyHash) was seen before; else records it and returns false. id: u32; keyHash: flowKeyHash, 30 bits. */
  repeated(id: number, keyHash: number): boolean {
    const s = this.slots;
    const mask = (s.length >> 1) - 1;
    const id32 = id | 0;
    let i = Math.imul(id, 0x9e3779b1) & mask;
    for (;;) {
      const h = s[2 * i + 1];
      if (h === EMPTY) break;
      if (s[2 * i] === id32) {
        if (h === keyHash) return true;
        const pair = `${id >>> 0} ${keyHash}`;
        if (this.more.has(pair)) return true;
        this.more.add(pair);
        return false;
      }
      i = (i + 1) & mask;
    }
    s[2 * i] = id32;
    s[2 * i + 1] = keyHash;
    if (++this.used * 2 > mask + 1) this.grow();
    return false;
  }

  /** Doubles the table (kept at most half full, so probes stay short). */
  private grow(): void {
    const old = this.slots;
    const s = (this.slots = new Int32Array(old.length * 2).fill(EMPTY));
    const mask = (s.length >> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === EMPTY) continue;
      let i = Math.imul(old[j], 0x9e3779b1) & mask;
      while (s[2 * i + 1] !== EMPTY) i = (i + 1) & mask;
      s[2 * i] = old[j];
      s[2 * i + 1] = old[j + 1];
    }
  }
}
