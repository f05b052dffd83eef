// lib/ layer (enrich): the Enricher, which gives every flow an Enrichment record without ever blocking:
// derived fields are computed once per flow, GeoIP and DNS answer from caches and queue misses, and process
// lookups are batched once per tick. Imports lib/flow.ts and ./ files (types only for the optional sources,
// so that loading it loads no GeoIP reader or resolver); all sources are injected (null = off).
import { flowKey, type Flow } from '../flow.js';
import { classifyAddress, isLocalClass, type AddrClass, type LocalAddresses } from './addr-class.js';
import type { ReverseDns } from './dns.js';
import { directionOf, natKind, remoteAddress, serviceSide, socketQuery, type Direction, type NatKind, type ServiceSide } from './direction.js';
import type { GeoInfo, GeoIp } from './geoip.js';
import { BoundedCache } from './lru.js';
import type { ProcessAttributor, ProcessLabel, SocketQuery } from './processes.js';
import type { ServiceTable } from './services.js';

/** Everything conntop adds to one flow. */
export interface Enrichment {
  dir: Direction;
  nat: NatKind;
  /** Classes of orig.src and orig.dst. */
  classes: { src: AddrClass; dst: AddrClass };
  service: ServiceSide | null;
  /** The address `geo` describes (the far end), null when both ends are local or none is public. */
  remote: string | null;
  geo: GeoInfo | null;
  /** First PTR name of orig.src / orig.dst; null while pending, without a name, or with DNS off. */
  rdns: { src: string | null; dst: string | null };
  /** Which of the names are still being looked up (absent when none is): tells "pending" from "no name". */
  rdnsPending?: 'src' | 'dst' | 'both';
  /** Owner of the local end (the client's when both are local); null while pending; absent when there is none. */
  process?: ProcessLabel | null;
  /** A DNS query to one of conntop's own resolver servers: 'yes' when the socket is this process's. */
  ownDns?: 'yes' | 'maybe';
}

/** Injected sources and bounds. */
export interface EnricherOptions {
  /** Monotonic clock in ms. */
  now: () => number;
  local: Pick<LocalAddresses, 'has' | 'isBroadcast' | 'refresh' | 'generation'>;
  services?: Pick<ServiceTable, 'lookup'> | null;
  geo?: Pick<GeoIp, 'lookup' | 'poll' | 'close'> | null;
  dns?: Pick<ReverseDns, 'request' | 'servers' | 'close'> | null;
  /** Null in client mode: the server attributes processes, the client does the rest. */
  processes?: Pick<ProcessAttributor, 'attribute' | 'close'> | null;
  /**
   * Client mode: the process a server shared for the flow with this flowKey (`--share-processes`), undefined
   * when it shared none (the flow then has no `process`).
   */
  processOf?: (key: string) => ProcessLabel | undefined;
  /** This process's PID, to recognise conntop's own DNS queries. */
  selfPid?: number;
  /** Flows remembered (derived fields and process labels). */
  maxFlows?: number;
  /**
   * False when each flow is enriched once (--once): its derived fields are not remembered (no key, no cache
   * entry per flow). Default true.
   */
  rememberDerived?: boolean;
  /** Process queries sent per tick; the rest wait for later ticks (bounded by maxFlows). */
  maxBatch?: number;
  /** Minimum ms between interface re-reads. */
  localRefreshMs?: number;
  /** Called when background work produced new answers (redraw hint). */
  onUpdate?: () => void;
}

interface Derived {
  gen: number;
  dir: Direction;
  nat: NatKind;
  classes: { src: AddrClass; dst: AddrClass };
  service: ServiceSide | null;
  remote: string | null;
  query: SocketQuery | null;
}

/** rDNS is not asked for addresses no server will have a PTR for. */
const NO_RDNS = new Set<AddrClass>(['unspecified', 'loopback', 'multicast', 'broadcast', 'link-local', 'documentation']);

/** Caches per flow key; every method returns at once. */
export class Enricher {
  readonly #o: EnricherOptions;
  readonly #derived: BoundedCache<string, Derived>;
  readonly #procs: BoundedCache<string, ProcessLabel>;
  /** Process queries waiting for the next tick, by flow key (the pending set; bounded by maxFlows). */
  readonly #want = new Map<string, SocketQuery>();
  readonly #inFlight = new Set<string>();
  #batchRunning = false;
  #lastLocal = -Infinity;
  #closed = false;
  /** Address classes by address text, valid for the local-address generation #classesGen. */
  readonly #classes = new Map<string, AddrClass>();
  #classesGen = -1;
  /** The resolver's servers, re-read each tick. */
  #dnsServers: Array<{ addr: string; port: number }>;
  /** The service table's lookup, made once (serviceSide's callback). */
  readonly #serviceLookup: ((proto: string, port: number) => string | undefined) | null;

  constructor(opts: EnricherOptions) {
    this.#o = opts;
    const maxEntries = opts.maxFlows ?? 65_536;
    this.#derived = new BoundedCache({ maxEntries, ttlMs: Infinity, now: opts.now });
    this.#procs = new BoundedCache({ maxEntries, ttlMs: 300_000, now: opts.now });
    this.#dnsServers = opts.dns?.servers() ?? [];
    const services = opts.services;
    this.#serviceLookup = services ? (proto, port) => services.lookup(proto, port) : null;
  }

  /** The enrichment of `flow` from what is known now; unknown parts are queued for the background. */
  enrich(flow: Flow): Enrichment {
    // The key (a string per flow) only for what is kept by flow: derived fields, process labels.
    const key = this.#o.rememberDerived !== false || this.#o.processes || this.#o.processOf ? flowKey(flow) : '';
    const d = this.#derive(key, flow);
    const { src, dst } = flow.orig;
    const srcName = this.#name(src, d.classes.src);
    const dstName = this.#name(dst, d.classes.dst);
    const e: Enrichment = {
      dir: d.dir, nat: d.nat, classes: d.classes, service: d.service, remote: d.remote,
      geo: d.remote !== null && this.#o.geo ? this.#o.geo.lookup(d.remote) : null,
      rdns: { src: srcName ?? null, dst: dstName ?? null },
    };
    if (srcName === undefined || dstName === undefined) e.rdnsPending = srcName !== undefined ? 'dst' : dstName !== undefined ? 'src' : 'both';
    if (d.query !== null && this.#o.processes) {
      const label = this.#procs.get(key);
      if (label === undefined && !this.#inFlight.has(key) && !this.#closed && this.#want.size < (this.#o.maxFlows ?? 65_536)) this.#want.set(key, d.query);
      e.process = label ?? null;
    } else if (this.#o.processOf) {
      const shared = this.#o.processOf(key);
      if (shared !== undefined) e.process = shared;
    }
    const own = this.#ownDns(flow, e.process);
    if (own) e.ownDns = own;
    return e;
  }

  /** Once per refresh: re-reads interfaces when due, lets GeoIP check its files, and sends one process batch. */
  tick(): void {
    if (this.#closed) return;
    const now = this.#o.now();
    if (now - this.#lastLocal >= (this.#o.localRefreshMs ?? 5_000)) {
      this.#lastLocal = now;
      this.#o.local.refresh(); // a new generation invalidates derived fields lazily
    }
    this.#dnsServers = this.#o.dns?.servers() ?? [];
    void this.#o.geo?.poll();
    this.#sendBatch();
  }

  /** Process lookups waiting for a tick. */
  get queuedProcessLookups(): number {
    return this.#want.size;
  }

  /** Process lookups queued or in flight (0 once every asked-for label has arrived). */
  get pendingProcessLookups(): number {
    return this.#want.size + this.#inFlight.size;
  }

  /** Drops queued work and closes the sources; nothing scheduled survives, so exit is immediate. */
  close(): void {
    this.#closed = true;
    this.#want.clear();
    this.#o.dns?.close();
    this.#o.geo?.close();
    this.#o.processes?.close();
  }

  #derive(key: string, flow: Flow): Derived {
    const gen = this.#o.local.generation;
    const remember = this.#o.rememberDerived !== false;
    const hit = remember ? this.#derived.get(key) : undefined;
    if (hit && hit.gen === gen) return hit;
    // Flows share addresses: each is classified once per interface generation (a 100k-flow --once table spent
    // a third of its enrichment parsing the same addresses again).
    if (this.#classesGen !== gen) {
      this.#classes.clear();
      this.#classesGen = gen;
    }
    // Each address of the flow is looked up once (the reply tuple mostly repeats the original's addresses), and
    // only the client's (orig.src) and the server's (reply.src) classes decide: no closure per flow (a 100k-flow
    // --once table allocated 490 B a flow here, a quarter of its garbage, in closures and their results).
    const o = flow.orig, r = flow.reply;
    const cSrc = this.#cls(o.src), cDst = this.#cls(o.dst);
    const cServer = r.src === o.dst ? cDst : r.src === o.src ? cSrc : this.#cls(r.src);
    const dir = directionOf(isLocalClass(cSrc), isLocalClass(cServer));
    const d: Derived = {
      gen, dir, nat: natKind(flow),
      // Only process attribution asks for the socket.
      query: this.#o.processes ? socketQuery(flow, dir) : null,
      classes: { src: cSrc, dst: cDst },
      service: this.#serviceLookup ? serviceSide(flow, this.#serviceLookup) : null,
      remote: remoteAddress(flow, dir, cServer === 'public', cSrc === 'public'),
    };
    if (remember) this.#derived.set(key, d);
    return d;
  }

  /** The class of address text `a`, from the cache of the current interface generation when it is there. */
  #cls(a: string): AddrClass {
    let c = this.#classes.get(a);
    if (c === undefined) {
      c = classifyAddress(a, this.#o.local);
      if (this.#classes.size < 65_536) this.#classes.set(a, c);
    }
    return c;
  }

  /** The first PTR name, null when there is none (or DNS is off), undefined while the lookup runs. */
  #name(addr: string, c: AddrClass): string | null | undefined {
    if (!this.#o.dns || NO_RDNS.has(c) || this.#closed) return null;
    const r = this.#o.dns.request(addr);
    if (r === null) return undefined;
    return r.status === 'ok' ? r.names[0] : null;
  }

  #ownDns(flow: Flow, proc: ProcessLabel | null | undefined): 'yes' | 'maybe' | null {
    if (!this.#o.dns || (flow.protoNum !== 17 && flow.protoNum !== 6)) return null;
    const dst = flow.orig.dst, port = flow.orig.dport;
    if (!this.#dnsServers.some((s) => s.port === port && s.addr === dst)) return null;
    if (proc?.kind === 'process') return proc.pid === this.#o.selfPid ? 'yes' : null;
    return this.#o.local.has(flow.orig.src) || classifyAddress(flow.orig.src) === 'loopback' ? 'maybe' : null;
  }

  #sendBatch(): void {
    const procs = this.#o.processes;
    if (!procs || this.#batchRunning || this.#want.size === 0) return;
    const keys: string[] = [];
    const batch: SocketQuery[] = [];
    for (const [k, q] of this.#want) {
      if (batch.length >= (this.#o.maxBatch ?? 256)) break;
      keys.push(k); batch.push(q); this.#want.delete(k); this.#inFlight.add(k);
    }
    this.#batchRunning = true;
    procs.attribute(batch).then((labels) => {
      if (this.#closed) return;
      keys.forEach((k, i) => this.#procs.set(k, labels[i]));
      this.#o.onUpdate?.();
    }).catch(() => undefined).finally(() => {
      this.#batchRunning = false;
      for (const k of keys) this.#inFlight.delete(k);
    });
  }
}

