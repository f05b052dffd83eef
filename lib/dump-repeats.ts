// lib/ layer: recognising the copies a dump repeats (a hash resize mid-dump sends an entry twice) without
// keeping the entries: by kernel id and a fingerprint of the flow's identity (flowKeyHash). Imports nothing.

/**
 * The flows a dump has delivered so far, as (id, identity fingerprint) pairs. A copy is a repeat when its id
 * and fingerprint were seen before: the same flow always is; two distinct flows sharing an id would be taken
 * for one with probability 2^-30 (the fingerprint's width).
 */
export class DumpRepeats {
  // Keyed by the low 30 bits of the id (small-integer keys, no boxed number per entry); the fingerprint
  // covers the whole id, so two ids equal in their low bits are still told apart.
  private readonly firstHash = new Map<number, number>();
  private readonly moreHashes = new Set<number>();

  /** True when (id, keyHash) was seen before; else records it and returns false. keyHash: flowKeyHash, 30 bits. */
  repeated(id: number, keyHash: number): boolean {
    const slot = id & 0x3fffffff;
    const prev = this.firstHash.get(slot);
    if (prev === undefined) {
      this.firstHash.set(slot, keyHash);
      return false;
    }
    if (prev === keyHash || this.moreHashes.has(keyHash)) return true;
    this.moreHashes.add(keyHash);
    return false;
  }
}
