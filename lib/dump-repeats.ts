// lib/ layer: recognising the copies a dump repeats (a hash resize mid-dump sends an entry twice) without
// keeping the entries: by kernel id and a fingerprint of the flow's identity (flowKeyHash). Imports nothing.

const EMPTY = -1;

/**
 * The flows a dump has delivered so far, as (id, identity fingerprint) pairs. A copy is a repeat when its id
 * and fingerprint were seen before: the same flow always is; two distinct flows sharing an id would be taken
 * for one with probability 2^-30 (the fingerprint's width). The first fingerprint of each id lives in an
 * open-addressing table of typed arrays (a Map of 100k numbers cost a twentieth of a --once --json run);
 * the fingerprints of further flows sharing an id, which are rare, in a Set.
 */
export class DumpRepeats {
  private ids = new Uint32Array(1024);
  /** The first fingerprint per slot, EMPTY where the slot is free (fingerprints are 30-bit, never negative). */
  private hashes = new Int32Array(1024).fill(EMPTY);
  private used = 0;
  private readonly moreHashes = new Set<number>();

  /** True when (id, keyHash) was seen before; else records it and returns false. id: u32; keyHash: flowKeyHash, 30 bits. */
  repeated(id: number, keyHash: number): boolean {
    const mask = this.ids.length - 1;
    let i = Math.imul(id, 0x9e3779b1) & mask;
    for (;;) {
      const h = this.hashes[i];
      if (h === EMPTY) break;
      if (this.ids[i] === id >>> 0) {
        if (h === keyHash || this.moreHashes.has(keyHash)) return true;
        this.moreHashes.add(keyHash);
        return false;
      }
      i = (i + 1) & mask;
    }
    this.ids[i] = id;
    this.hashes[i] = keyHash;
    if (++this.used * 2 > this.ids.length) this.grow();
    return false;
  }

  /** Doubles the table (kept at most half full, so probes stay short). */
  private grow(): void {
    const ids = this.ids, hashes = this.hashes;
    this.ids = new Uint32Array(ids.length * 2);
    this.hashes = new Int32Array(ids.length * 2).fill(EMPTY);
    const mask = this.ids.length - 1;
    for (let j = 0; j < ids.length; j++) {
      if (hashes[j] === EMPTY) continue;
      let i = Math.imul(ids[j], 0x9e3779b1) & mask;
      while (this.hashes[i] !== EMPTY) i = (i + 1) & mask;
      this.ids[i] = ids[j];
      this.hashes[i] = hashes[j];
    }
  }
}
