// lib/ layer (enrich): a bounded least-recently-used cache with per-entry expiry.
// Imports nothing. Time comes from the injected clock, so there are no timers and no global state:
// expired entries are dropped lazily on access and when the cache is full.

/** Options for BoundedCache; `maxEntries` ≥ 1, `ttlMs` in milliseconds of the injected clock. */
export interface BoundedCacheOptions {
  maxEntries: number;
  /** Default time to live in ms; Infinity keeps entries until evicted by size. */
  ttlMs: number;
  /** Monotonic clock in ms (e.g. `performance.now`). */
  now: () => number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
}

/** A map that never holds more than `maxEntries` entries: the least recently used ones are evicted (1/64 at a time). */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, Slot<V>>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Entries evicted because the cache was full (not counting expiries). */
  evictions = 0;

  constructor(opts: BoundedCacheOptions) {
    if (!(opts.maxEntries >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${opts.maxEntries}`);
    this.#max = Math.floor(opts.maxEntries);
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now;
  }

  /** Number of entries held, expired ones included until they are touched. */
  get size(): number {
    return this.#map.size;
  }

  /** The live value for `key`, marking it most recently used; undefined when absent or expired. */
  get(key: K): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.#now()) {
      this.#map.delete(key);
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, slot);
    return slot.value;
  }

  /** True when a live entry exists; does not change recency. */
  has(key: K): boolean {
    const slot = this.#map.get(key);
    return slot !== undefined && slot.expiresAt > this.#now();
  }

  /** Stores `value` for `ttlMs` (default: the cache's), evicting the oldest entry when full. */
  set(key: K, value: V, ttlMs: number = this.#ttlMs): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) this.#evictOne();
    this.#map.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Live keys, oldest first. */
  *keys(): IterableIterator<K> {
    const now = this.#now();
    for (const [k, slot] of this.#map) if (slot.expiresAt > now) yield k;
  }

  #evictOne(): void {
    // Prefer an expired entry among the oldest few, else the least recently used.
    const now = this.#now();
    let scanned = 0;
    for (const [k, slot] of this.#map) {
      if (slot.expiresAt <= now) {
        this.#map.delete(k);
        return;
      }
      if (++scanned >= 8) break;
    }
    // The oldest 1/64 of the entries go at once. A Map keeps deleted entries as holes at its front until it
    // is rebuilt, and every walk from the front steps over them: evicting one entry per insert made filling a
    // full 65,536-entry cache quadratic (100k inserts took 4 s, 9 s of a 100k-flow `--once` table).
    let n = Math.max(1, this.#max >> 6);
    for (const k of this.#map.keys()) {
      this.#map.delete(k);
      this.evictions++;
      if (--n === 0) break;
    }
  }
}
