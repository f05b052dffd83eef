// lib/ layer (enrich): reverse DNS that never blocks: a bounded queue with drop-when-full, bounded
// concurrency, coalesced queries, positive and negative caches with expiry, and close() that cancels all.
// Imports `node:dns` (for the default resolver factory) and ./ files. The resolver and clock are injected.
import { promises as dnsPromises } from 'node:dns';
import { canonicalIp, parseIPv4, parseIPv6 } from './addr-class.js';
import { BoundedCache } from './lru.js';

/**
 * The part of `dns.promises.Resolver` used here. PTR queries go through resolvePtr, not reverse():
 * reverse() (ares_gethostbyaddr) reports a server that never answers as ENOTFOUND, like NXDOMAIN.
 */
export interface ReverseResolver {
  resolvePtr(name: string): Promise<string[]>;
  /** Rejects every outstanding query with ECANCELLED. */
  cancel(): void;
  getServers(): string[];
}

/** Result of one reverse lookup. `none`: NXDOMAIN or no PTR; `timeout`/`error`: the server failed us. */
export type RdnsEntry =
  | { status: 'ok'; names: string[] }
  | { status: 'none' | 'timeout' | 'error' | 'dropped' | 'cancelled'; code: string };

/** The PTR query name: `4.3.2.1.in-addr.arpa`, or nibbles under `ip6.arpa`; null for non-addresses. */
export function arpaName(ip: string): string | null {
  const v4 = parseIPv4(ip);
  if (v4 !== null) return `${v4 & 255}.${(v4 >>> 8) & 255}.${(v4 >>> 16) & 255}.${v4 >>> 24}.in-addr.arpa`;
  const g = parseIPv6(ip);
  if (g === null) return null;
  const nibbles: string[] = [];
  for (let i = 7; i >= 0; i--) for (let n = 0; n < 4; n++) nibbles.push(((g[i] >> (4 * n)) & 15).toString(16));
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** A resolver with short timeouts and few tries: `timeoutMs` per try (c-ares doubles it per retry). */
export function createResolver(opts: { timeoutMs?: number; tries?: number; servers?: string[] } = {}): ReverseResolver {
  const r = new dnsPromises.Resolver({ timeout: opts.timeoutMs ?? 1000, tries: opts.tries ?? 2 });
  if (opts.servers) r.setServers(opts.servers);
  return r;
}

/** `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:5353` as address and port (53 when absent). */
export function parseServer(s: string): { addr: string; port: number } {
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (br) return { addr: canonicalIp(br[1]), port: br[2] ? Number(br[2]) : 53 };
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(s);
  if (v4) return { addr: v4[1], port: v4[2] ? Number(v4[2]) : 53 };
  return { addr: canonicalIp(s), port: 53 };
}

/** Policy; all bounds are counts, all durations ms of the injected clock. */
export interface ReverseDnsOptions {
  resolver: ReverseResolver;
  now: () => number;
  /** Queries in flight at once. */
  maxInFlight?: number;
  /** Addresses waiting for a slot; more are dropped (and asked for again on a later frame). */
  maxQueue?: number;
  cacheEntries?: number;
  positiveTtlMs?: number;
  /** For NXDOMAIN / no PTR. */
  negativeTtlMs?: number;
  /** For timeouts and server errors, retried sooner than NXDOMAIN. */
  failureTtlMs?: number;
  /** Called when an answer arrives, e.g. to schedule a redraw. */
  onResult?: (ip: string, entry: RdnsEntry) => void;
}

interface Waiter {
  promise: Promise<RdnsEntry>;
  settle: (e: RdnsEntry) => void;
}

const NONE_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** Reverse DNS with caches; every method returns at once except resolve(), which the UI never awaits. */
export class ReverseDns {
  readonly #o: Required<Omit<ReverseDnsOptions, 'onResult'>> & Pick<ReverseDnsOptions, 'onResult'>;
  readonly #positive: BoundedCache<string, RdnsEntry>;
  readonly #negative: BoundedCache<string, RdnsEntry>;
  /** Queued or in flight, by canonical address; size ≤ maxQueue + maxInFlight. */
  readonly #pending = new Map<string, Waiter>();
  readonly #queue: string[] = [];
  #inFlight = 0;
  #closed = false;
  /** Counters for the status line. */
  readonly stats = { queries: 0, dropped: 0, cancelled: 0 };

  constructor(opts: ReverseDnsOptions) {
    this.#o = {
      maxInFlight: 4, maxQueue: 256, cacheEntries: 4096, positiveTtlMs: 600_000, negativeTtlMs: 300_000, failureTtlMs: 30_000,
      ...opts,
    };
    const c = { maxEntries: this.#o.cacheEntries, now: opts.now };
    this.#positive = new BoundedCache({ ...c, ttlMs: this.#o.positiveTtlMs });
    this.#negative = new BoundedCache({ ...c, ttlMs: this.#o.negativeTtlMs });
  }

  /** Queued plus in-flight lookups. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The cached answer for `ip`, or undefined (not asked, pending or expired). Never queues. */
  peek(ip: string): RdnsEntry | undefined {
    const k = canonicalIp(ip);
    return this.#positive.get(k) ?? this.#negative.get(k);
  }

  /** The cached answer, or null while pending, in which case a lookup is queued (or dropped when full). */
  request(ip: string): RdnsEntry | null {
    const hit = this.peek(ip);
    if (hit) return hit;
    void this.resolve(ip);
    return null;
  }

  /** The answer for `ip`, coalesced with any lookup already pending; resolves `dropped` when the queue is full. */
  resolve(ip: string): Promise<RdnsEntry> {
    const k = canonicalIp(ip);
    const hit = this.peek(k);
    if (hit) return Promise.resolve(hit);
    const waiting = this.#pending.get(k);
    if (waiting) return waiting.promise;
    if (this.#closed) return Promise.resolve({ status: 'cancelled', code: 'ECANCELLED' });
    if (this.#inFlight >= this.#o.maxInFlight && this.#queue.length >= this.#o.maxQueue) {
      this.stats.dropped++;
      return Promise.resolve({ status: 'dropped', code: 'EQUEUEFULL' });
    }
    let settle!: (e: RdnsEntry) => void;
    const promise = new Promise<RdnsEntry>((res) => { settle = res; });
    this.#pending.set(k, { promise, settle });
    this.#queue.push(k);
    this.#pump();
    return promise;
  }

  /** The resolver's servers, so flows from this process to them on that port can be tagged as conntop's own. */
  servers(): Array<{ addr: string; port: number }> {
    try {
      return this.#o.resolver.getServers().map(parseServer);
    } catch {
      return [];
    }
  }

  /** Cancels queued and in-flight queries at once (they resolve `cancelled`); later calls answer from cache only. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#o.resolver.cancel();
    for (const [, w] of this.#pending) w.settle({ status: 'cancelled', code: 'ECANCELLED' });
    this.stats.cancelled += this.#pending.size;
    this.#pending.clear();
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < this.#o.maxInFlight && this.#queue.length > 0) {
      const k = this.#queue.shift()!;
      this.#inFlight++;
      this.stats.queries++;
      const name = arpaName(k);
      const query = name === null ? Promise.reject(Object.assign(new Error('not an address'), { code: 'EBADADDR' })) : this.#o.resolver.resolvePtr(name);
      query.then(
        (names) => this.#finish(k, names.length > 0 ? { status: 'ok', names } : { status: 'none', code: 'ENODATA' }),
        (err: { code?: string }) => {
          const code = err?.code ?? 'ERROR';
          this.#finish(k, { status: NONE_CODES.has(code) ? 'none' : code === 'ETIMEOUT' ? 'timeout' : code === 'ECANCELLED' ? 'cancelled' : 'error', code });
        },
      );
    }
  }

  #finish(k: string, entry: RdnsEntry): void {
    this.#inFlight--;
    const w = this.#pending.get(k);
    if (w === undefined) return; // close() already settled it
    this.#pending.delete(k);
    if (entry.status === 'ok') this.#positive.set(k, entry);
    else if (entry.status === 'none') this.#negative.set(k, entry);
    else if (entry.status !== 'cancelled') this.#negative.set(k, entry, this.#o.failureTtlMs);
    w.settle(entry);
    if (!this.#closed) this.#o.onResult?.(k, entry);
    this.#pump();
  }
}
