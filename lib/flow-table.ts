// lib/ layer: the live flow table, a pure state machine: apply(input), tick(nowMs), snapshot(), stats().
// Imports lib/flow.ts, lib/flow-stats.ts, lib/change-queue.ts and lib/source.ts types only: never netlink/, no timers, no sockets, no global state.
// Dump/event reconciliation and what counts as a change are documented on FlowTable below.
import type { CopyDigest, DumpShortcut, SourceEvent } from './source.js';
import { flowKey, flowKeyId, mergeEventFields, sameFlowKey, sameList, sameReportable, type Flow } from './flow.js';
import { ChangeQueue, ChangeSlot, type QueuedChange } from './change-queue.js';
import { FlowCounts, ZERO_RATES, allZero, sameCounters, setRates, zeroRates, type BothCounters, type FlowRates, type ReadonlyFlowRates, type TableStats } from './flow-stats.js';

export type { DirRate, FlowRates, ReadonlyFlowRates, TableStats } from './flow-stats.js';

/**
 * One input, in arrival order (same shape as source.ts's SourceEvent). Times are epoch ms. Dump entries come
 * between dumpBegin and dumpEnd; complete=false means the dump failed and must not sweep. Contract for the
 * source: apply every event already received before applying dumpBegin (drain the event socket first).
 * The table takes ownership of every Flow it is given: it stores them and mutates them on later events.
 */
export type TableInput = SourceEvent;

/** Why a flow left the table: a DESTROY event, or absent from a complete dump (or replaced, see startNs). */
export type CloseReason = 'destroy' | 'gone';

/** A flow as the table tracks it: plain serializable data, one stable object per open flow (mutated in place). */
export interface LiveFlow {
  /** flowKey(flow): kernel id + zone + original tuple. */
  readonly key: string;
  /** Latest merged kernel view (counters/use/startNs from dumps or DESTROY, never from NEW/UPDATE). */
  flow: Flow;
  /** Epoch ms when the table first saw this flow, and of its last reportable change (see FlowTable). */
  firstSeenMs: number;
  lastChangeMs: number;
  /** Kernel start timestamp in epoch ms (from flow.startNs), null when the kernel sent none. */
  startMs: number | null;
  /** 'kernel' when ageMs counts from startMs, 'first-seen' when it counts from firstSeenMs. */
  ageSource: 'kernel' | 'first-seen';
  /** Age and time since lastChangeMs, in whole ms, as of the last tick (frozen when the flow closes). */
  ageMs: number;
  idleMs: number;
  /**
   * Rates between the last two counter samples; 0 when unknown, after a counter decrease, and once closed.
   * While all four are 0 this is the shared frozen ZERO_RATES: the table replaces the object, never mutates it
   * (readonly here: only the table writes rates, into a flow's own object).
   */
  rates: ReadonlyFlowRates;
  /** Set once the flow has closed; the object then lingers as a ghost for lingerMs. */
  closed: { atMs: number; reason: CloseReason } | null;
  /** How many times the counters went down (zeroed, or a new flow on the same key). */
  countersReset: number;
}

/**
 * The table's LiveFlow, whose key is made when first read. Why: `--events` and the server read almost no keys
 * (a ghost's, a flow destroyed during a dump, a selected row's), and a key string made for each flow as it
 * came was about a tenth of the start to a complete 100k-flow table (0.73-0.81 s against 0.83-0.87 s with no
 * key at all, 2026-12-05), its 100k strings copied by every young collection on their way to the old
 * generation. A getter on the prototype, so a spread copy (`{ ...l }`) must copy `key` itself; JSON.stringify
 * writes it (toJSON).
 */
class TableLiveFlow implements LiveFlow {
  declare flow: Flow;
  declare firstSeenMs: number;
  declare lastChangeMs: number;
  declare startMs: number | null;
  declare ageSource: LiveFlow['ageSource'];
  declare ageMs: number;
  declare idleMs: number;
  declare rates: ReadonlyFlowRates;
  declare closed: LiveFlow['closed'];
  declare countersReset: number;
  #key: string | undefined;

  // Every field assigned here, in one order (declared fields emit no definitions): one shape for every live flow.
  constructor(flow: Flow, atMs: number) {
    this.flow = flow;
    this.firstSeenMs = atMs;
    this.lastChangeMs = atMs;
    this.startMs = null;
    this.ageSource = 'first-seen';
    this.ageMs = 0;
    this.idleMs = 0;
    this.rates = ZERO_RATES;
    this.closed = null;
    this.countersReset = 0;
  }

  get key(): string {
    return (this.#key ??= flowKey(this.flow));
  }

  /** JSON.stringify's text is the plain data it was before the key became a getter (key first). */
  toJSON(): LiveFlow {
    const { flow, firstSeenMs, lastChangeMs, startMs, ageSource, ageMs, idleMs, rates, closed, countersReset } = this;
    return { key: this.key, flow, firstSeenMs, lastChangeMs, startMs, ageSource, ageMs, idleMs, rates, closed, countersReset };
  }
}

/**
 * One change for the streaming output. `live` is the table's current object; `flow` is the flow as this change
 * describes it: live.flow, or for a 'new' that later changes followed before the drain, a copy frozen then
 * (so a 'new' never shows a later state; see ChangeQueue for the merging rules). A drained 'new' is never closed.
 */
export type FlowChange = QueuedChange<LiveFlow>;

/** Rows snapshot copies per call of copyOpen. */
const SNAPSHOT_CHUNK = 4096;

/** Copies the open flows of rows[from..to) into out from index i; returns the next index. */
function copyOpen(rows: readonly (LiveFlow | null)[], out: LiveFlow[], from: number, to: number, i: number): number {
  for (let r = from; r < to; r++) {
    const live = rows[r];
    if (live !== null) out[i++] = live;
  }
  return i;
}

/** Construction options; all durations in ms. */
export interface FlowTableOptions {
  /** How long closed flows stay visible as ghosts (ms). */
  lingerMs: number;
  /** Cap on ghosts, oldest dropped first (default 10000; 0 keeps none). */
  maxClosed?: number;
  /** Queue changes for drainChanges() (default false: nothing is queued). */
  trackChanges?: boolean;
  /**
   * Cap on queued changes between drains (default 200000; the queue holds at most one per flow, so this only
   * bites on tables that large); beyond it they are counted in droppedChanges, as are flows born and closed
   * between two drains beyond maxBornClosed of them.
   */
  maxChanges?: number;
  /** Cap on queued flows born and closed between two drains (default maxClosed, as their ghosts are capped). */
  maxBornClosed?: number;
}

/** Internal per-flow bookkeeping around the public LiveFlow; its change-queue slot is the base class. */
class Entry extends ChangeSlot {
  /**
   * The counters sample before the current one (flow.counters), and its time; the time of the current
   * sample; the time of the last counted reset; the time of the dump or DESTROY that gave the current
   * counters (FlowTable.sampleMs). null when none. Times are ms since the first one stored (relTime): small
   * integers for 12 days, which V8 stores in the field itself. An epoch-ms time is a heap number: one shared
   * young box per dump, stored in every flow, left 100k old-to-young pointers for the next scavenges to walk
   * (5-7 ms each under a storm at 100k flows, against 2-3 with small integers).
   */
  prev: BothCounters | undefined = undefined;
  prevMs: number | null = null;
  curMs: number | null = null;
  resetMs: number | null = null;
  sampleAt: number | null = null;
  /** Dump generation that proved this flow alive (its copy, or an event after dumpBegin). */
  seenGen = 0;
  /** Input sequence numbers of the last NEW/UPDATE, of the last one carrying a state, and carrying labels/helper. */
  eventSeq = 0;
  stateSeq = 0;
  auxSeq = 0;
  /**
   * The source's 52-bit digest of the dump copy the flow was last taken from whole (see DumpShortcut), as
   * two 26-bit halves (small integers, where one number was a boxed double per flow); digestHi -1 once
   * anything else touched the flow (an event, a merge), so only a flow equal to that copy is skipped.
   */
  digestHi = -1;
  digestLo = 0;
  /** The next open entry with the same kernel id (ids rarely collide across tuples). */
  nextSameId: Entry | null = null;
  /**
   * The entry the copy after this one's went to in the last dump: the kernel dumps its hash buckets in the
   * same order each time, so the next copy is most likely that entry's (FlowTable.unchanged tries it first).
   */
  dumpNext: Entry | null = null;
  /** Index in FlowTable.rows while open; -1 once closed. */
  row = -1;
  /** Neighbours in the ghost list (close order) while the entry is a ghost. */
  olderGhost: Entry | null = null;
  newerGhost: Entry | null = null;
  constructor(readonly live: TableLiveFlow) {
    super();
  }

  /** Remembers `digest` (undefined or NaN: none). */
  setDigest(digest: number | undefined): void {
    if (digest === undefined || !(digest >= 0)) {
      this.digestHi = -1;
      return;
    }
    // `| 0` keeps both halves typed as integers: a float result, even a whole one, makes V8 box the field.
    const hi = Math.floor(digest / DIGEST_HALF) | 0;
    this.digestHi = hi;
    this.digestLo = (digest - hi * DIGEST_HALF) | 0;
  }

  /** True when this flow was last taken whole from a dump copy identical to `copy` (same id, same digest). */
  isCopy(copy: CopyDigest): boolean {
    return this.hasDigest(copy.digest) && this.live.flow.id === copy.id;
  }

  /** True when the remembered digest is `digest`. */
  hasDigest(digest: number): boolean {
    const hi = Math.floor(digest / DIGEST_HALF);
    return this.digestHi === hi && this.digestLo === digest - hi * DIGEST_HALF; // NaN matches nothing
  }
}

/** 2^26: a digest's low half. */
const DIGEST_HALF = 0x4000000;

/**
 * The live flow table. Identity is flowKey (id + zone + orig tuple); a dump copy whose startNs differs from
 * the stored one is a new incarnation (the old one closes as 'gone'). Every complete dump is a mark-and-sweep:
 * open flows neither in the dump nor touched by a NEW/UPDATE after its dumpBegin close as 'gone'. Once a
 * DESTROY for a key arrives after dumpBegin, every later copy of that key in the same dump is ignored (the
 * copy predates the destroy). A dump copy replaces the flow unless a NEW/UPDATE for it arrived after
 * dumpBegin; then the fields that event carried stay (it is at least as fresh) and the copy gives the rest
 * (counters, use, timestamps). NEW/UPDATE merge state/status/timeout/mark/labels/helper when present and
 * insert unknown flows. Reportable changes ('update', lastChangeMs): counters, state, status, mark, labels,
 * helper; timeoutSec (ticks down constantly) and use are not. Lookups go through a kernel-id index.
 */
export class FlowTable implements DumpShortcut {
  /**
   * The open flows in the order they opened, with null where a flow closed since the last compaction, and
   * their entries at the same index. Walks read these, not a map: a snapshot of 100k flows that reached each
   * flow through its entry spent 4 ms of a sort change in cache misses; here it copies pointers. There is no
   * map of the open flows by key: the id index finds them (openEntry), and a 100k-entry map hashing each new
   * flow's key string was a sixth of the table's work in a first dump.
   */
  private rows: (LiveFlow | null)[] = [];
  private rowEntries: (Entry | null)[] = [];
  /** Slots of rows whose flow closed since the last compaction. */
  private holes = 0;
  /** True while the sweep walks rowEntries: compaction waits for its end. */
  private sweeping = false;
  /** The next row index of the stepped tick under way (tickInSteps), else -1; compaction moves it with its row. */
  private tickAt = -1;
  /** Stepped ticks begun: one that sees a later one begun stops. */
  private tickRuns = 0;
  /**
   * Open entries by the low 30 bits of the kernel id (idSlot), chained: lookups compare fields instead of
   * building flowKey strings. Kernel ids are hashes spread over all 32 bits; 30 bits keep the keys small
   * integers (V8 Smis) instead of boxed numbers: faster Map lookups and no allocation per key.
   */
  private readonly byId = new Map<number, Entry>();
  /** Ghosts by key; their close order is the list from oldestGhost to newestGhost. */
  private readonly closed = new Map<string, Entry>();
  /**
   * Ends of the ghost list. Evicting and expiring go by this list, not by the map's first key: a map keeps
   * a hole per deleted entry until it is rehashed, and its first key sat behind all of them (a storm paid
   * thousands of skipped holes per closing flow, a tenth of conntop's CPU).
   */
  private oldestGhost: Entry | null = null;
  private newestGhost: Entry | null = null;
  /**
   * How many ghosts have an id with each value of its low 16 bits. A flow whose id no ghost shares is not looked
   * up by key among the ghosts: under a storm there are thousands of them, and the lookup of each new flow's fresh
   * key was 2.8 ms a second of the view's main thread at 3,000 events/s and 100k flows (its key is still hashed
   * once, when the flow closes and becomes a ghost).
   */
  private readonly ghostIds = new Int32Array(65536);
  private readonly counts = new FlowCounts();
  private readonly destroyedInDump = new DestroyedKeys();
  private readonly lingerMs: number;
  private readonly maxClosed: number;
  /** Undelivered changes, coalesced per flow (null unless trackChanges). */
  private readonly q: ChangeQueue<LiveFlow> | null;
  /** Where sample() computes rates before choosing ZERO_RATES or a flow's own object. */
  private readonly rateScratch = zeroRates();
  private seq = 0;
  private gen = 0;
  private inDump = false;
  /** The dump under way began with no open flow. */
  private dumpOnEmpty = false;
  private dumpSeq = 0;
  private dumpAtMs = 0;
  private lastAtMs = 0;
  /** The first time stored in an Entry: Entry times count from it (relTime). */
  private baseMs = 0;
  private based = false;
  private overflowSeq = -1;
  /**
   * The entry the previous copy of this dump went to (null before the first), and the one the first copy of
   * the last dump went to: unchanged() tries the entry that followed in the last dump before the id index
   * (at 50k flows, the Map lookup was a third of an unchanged copy's cost: a cache miss or two).
   */
  private dumpCursor: Entry | null = null;
  private dumpFirst: Entry | null = null;
  private lastTickMs = NaN;
  private eventsSinceTick = 0;
  private readonly st: Omit<TableStats, 'total' | 'byProto' | 'byTcpState' | 'closedLingering'> = {
    max: null, kernelCount: null, rates: zeroRates(), eventsPerSec: 0, droppedEvents: 0, unknownDestroys: 0,
    ignoredDumpCopies: 0, dumps: 0, failedDumps: 0, resyncs: 0, lastResyncMs: null, stale: false, droppedChanges: 0,
  };

  constructor(opts: FlowTableOptions) {
    this.lingerMs = opts.lingerMs;
    this.maxClosed = opts.maxClosed ?? 10000;
    this.q = opts.trackChanges ? new ChangeQueue(opts.maxChanges ?? 200000, opts.maxBornClosed ?? this.maxClosed, () => this.st.droppedChanges++) : null;
  }

  /** True while events may have been lost and no complete dump begun since has finished. */
  get needsResync(): boolean {
    return this.st.stale;
  }

  /** Applies one input; never throws for odd sequences (unmatched dumpEnd, entries outside a dump). */
  apply(input: TableInput): void {
    const seq = ++this.seq;
    if ('atMs' in input) this.lastAtMs = input.atMs;
    switch (input.kind) {
      case 'dumpBegin':
        if (this.inDump) this.st.failedDumps++;
        this.inDump = true;
        this.gen++;
        this.dumpSeq = seq;
        this.dumpAtMs = input.atMs;
        this.destroyedInDump.clear();
        this.dumpCursor = null;
        this.dumpOnEmpty = this.openCount === 0;
        return;
      case 'dumpEntry':
        return this.dumpEntry(input.flow, input.digest);
      case 'dumpEnd':
        return this.dumpEnd(input.atMs, input.complete);
      case 'new':
      case 'update':
        this.eventsSinceTick++;
        return this.upsert(input.flow, input.atMs, seq);
      case 'destroy':
        this.eventsSinceTick++;
        return this.destroy(input.flow, input.atMs);
      case 'overflow':
        this.st.droppedEvents++;
        this.st.stale = true;
        this.overflowSeq = seq;
        return;
      case 'stats':
        this.st.kernelCount = input.count;
        this.st.max = input.max;
        return;
    }
  }

  /** Publishes ages, idle times, total rates and eventsPerSec as of `nowMs`, and expires ghosts; O(open). */
  tick(nowMs: number): void {
    const sum = this.tickBegin(nowMs);
    tickRange(this.rows, 0, this.rows.length, nowMs, sum);
    this.st.rates = sum;
  }

  /**
   * tick(nowMs) in steps of `rows` open flows: each next() of the generator does one step, and the tick is
   * whole when it is done. For the interactive view, which reads keys between steps: a tick walks every open
   * flow (10.9 ms at 100k flows in process), and a key pressed meanwhile waited for all of it. Flows opened
   * between steps are ticked too (they are appended to the rows; a compaction between steps moves the tick's
   * position, tickAt, with its row); flows closed between steps keep the age they closed with. The total
   * rates change once, at the end, so stats() never shows a partial sum.
   */
  *tickInSteps(nowMs: number, rows: number): Generator<void, void, void> {
    const sum = this.tickBegin(nowMs);
    const run = ++this.tickRuns;
    for (let at = 0; ;) {
      const list = this.rows;
      const end = Math.min(list.length, at + rows);
      tickRange(list, at, end, nowMs, sum);
      at = end;
      if (at >= list.length) break;
      this.tickAt = at;
      yield;
      if (run !== this.tickRuns) return; // a later tick took over
      at = this.tickAt;
    }
    this.tickAt = -1;
    this.st.rates = sum;
  }

  /** A tick's first part: the event rate, expired ghosts; returns the zeroed sum the flows' rates go into. */
  private tickBegin(nowMs: number): FlowRates {
    const dtMs = nowMs - this.lastTickMs;
    this.st.eventsPerSec = dtMs > 0 ? (this.eventsSinceTick * 1000) / dtMs : 0;
    this.eventsSinceTick = 0;
    this.lastTickMs = nowMs;
    // Close order ~ time order.
    while (this.oldestGhost && this.oldestGhost.live.closed!.atMs + this.lingerMs <= nowMs) this.dropGhost(this.oldestGhost);
    return zeroRates();
  }

  /** Epoch ms of the dump (its dumpBegin) or DESTROY that gave the counters of the flow (open or ghost) with this key; null if none. */
  sampleMs(key: string): number | null {
    const at = (this.openEntry(key) ?? this.closed.get(key))?.sampleAt;
    return at === undefined || at === null ? null : at + this.baseMs;
  }

  /** `atMs` as ms since the first time stored (Entry's time fields); that first time is the base. */
  private relTime(atMs: number): number {
    if (!this.based) {
      this.based = true;
      this.baseMs = atMs;
    }
    return atMs - this.baseMs;
  }

  /** The open flow with this key, else its ghost, else undefined. */
  get(key: string): LiveFlow | undefined {
    return (this.openEntry(key) ?? this.closed.get(key))?.live;
  }

  /** How many flows are open: the rows that are not holes. */
  private get openCount(): number {
    return this.rows.length - this.holes;
  }

  /** The open entry with this key, found through the id index (flowKeyId). */
  private openEntry(key: string): Entry | undefined {
    const id = flowKeyId(key);
    if (id < 0) return undefined;
    for (let e: Entry | null = this.byId.get(idSlot(id)) ?? null; e; e = e.nextSameId) if (e.live.key === key) return e;
    return undefined;
  }

  /**
   * An array of the open flows (plus ghosts if includeClosed), filtered then sorted; O(n log n). A new array,
   * or `into` refilled (without a filter): the view re-sorts every refresh, and a fresh array of 50k flows
   * is a 400 KB object in V8's large-object space, which counts towards the old generation's limit at once
   * (with the view's own row array, 0.8 MB a second at 50k flows idle: a full collection every 9 s).
   */
  snapshot(opts: { sort?: (a: LiveFlow, b: LiveFlow) => number; filter?: (f: LiveFlow) => boolean; includeClosed?: boolean; into?: LiveFlow[] } = {}): LiveFlow[] {
    const { filter, sort } = opts;
    let out: LiveFlow[];
    if (!filter) {
      // Sized once and filled by index (push grew the array 17 times); the open flows from rows, the ghosts
      // through forEach (for-of over a Map allocated an iterator result per flow: 3 MB per 100k-row snapshot,
      // which the view takes on every re-sort).
      const n = this.openCount + (opts.includeClosed ? this.closed.size : 0);
      if (opts.into) {
        out = opts.into;
        out.length = n;
      } else out = new Array<LiveFlow>(n);
      let i = 0;
      const rows = this.rows;
      // In chunks: a loop run once per call is optimized only on the stack, and V8 drops that code at each full
      // collection; the view's first re-sort after a while of paging ran it unoptimized (see tui/key-sort.ts).
      for (let r = 0; r < rows.length; r += SNAPSHOT_CHUNK) i = copyOpen(rows, out, r, Math.min(rows.length, r + SNAPSHOT_CHUNK), i);
      if (opts.includeClosed) this.closed.forEach((e) => { out[i++] = e.live; });
    } else {
      out = [];
      for (const live of this.rows) if (live !== null && filter(live)) out.push(live);
      if (opts.includeClosed) this.closed.forEach((e) => { if (filter(e.live)) out.push(e.live); });
    }
    if (sort) out.sort(sort);
    return out;
  }

  /** Table-wide figures as a fresh plain object. */
  stats(): TableStats {
    const s = this.st;
    return {
      ...s, total: this.openCount, byProto: this.counts.byProto(), byTcpState: this.counts.byTcpState(),
      closedLingering: this.closed.size,
      rates: { orig: { ...s.rates.orig }, reply: { ...s.rates.reply } },
    };
  }

  /** How many flows (and resyncs) have changes queued for drainChanges(). */
  get pendingChanges(): number {
    return this.q ? this.q.size : 0;
  }

  /**
   * Returns and clears the queued changes (empty unless trackChanges), coalesced per flow (see ChangeQueue):
   * all of them, or the oldest `max` flows' (and resyncs'), the others staying queued.
   */
  drainChanges(max?: number): FlowChange[] {
    return this.q ? this.q.drain(max) : [];
  }

  /**
   * DumpShortcut: a dump copy identical to the one this open flow was last taken from (same kernel id and
   * digest), but for its timeout. Same effect as that copy through dumpEntry: seen by this dump, new timeout,
   * an unchanged counters sample (rates fall to 0), no reportable change. False outside a dump, and for
   * every flow an event or merge touched since (its digest is forgotten): the source then sends the whole copy.
   */
  unchanged(copy: CopyDigest): boolean {
    // A dump that began on an empty table (the first) can only repeat its own copies, which the kernel does
    // rarely (ctnetlink.md): dumpEntry handles those, without 100k id lookups that miss.
    if (!this.inDump || this.dumpOnEmpty) return false;
    // The copy's fields are read where they are compared (Entry.isCopy), not passed as arguments: a 52-bit
    // digest or an id above 2^30 passed as an argument was boxed into a new heap number per call (50k per refresh).
    this.seq++;
    // Closed entries have no digest (close), so a guess that matches is an open flow.
    const c = this.dumpCursor;
    let e = c === null ? this.dumpFirst : c.dumpNext;
    if (e === null || !e.isCopy(copy)) {
      for (e = this.byId.get(idSlot(copy.id)) ?? null; e !== null && !e.isCopy(copy); e = e.nextSameId);
      if (e === null) return false;
    }
    if (this.destroyedInDump.mayHold(e.live.flow) && this.destroyedInDump.has(e.live.key)) {
      this.st.ignoredDumpCopies++;
      return true;
    }
    const flow = e.live.flow;
    flow.timeoutSec = copy.timeoutSec;
    this.sample(e, flow.counters, flow.counters);
    this.seen(e);
    return true;
  }

  /** Marks `e` proven alive by a copy of this dump, which came after the previous copy's entry. */
  private seen(e: Entry): void {
    e.seenGen = this.gen;
    const c = this.dumpCursor;
    if (c === null) this.dumpFirst = e;
    else if (c.row >= 0) c.dumpNext = e; // not from a flow closed since its copy (a ghost holds no entry alive)
    this.dumpCursor = e;
  }

  private dumpEntry(flow: Flow, digest: number | undefined): void {
    if (this.inDump && this.destroyedInDump.mayHold(flow) && this.destroyedInDump.has(flowKey(flow))) {
      this.st.ignoredDumpCopies++;
      return;
    }
    const t = this.inDump ? this.dumpAtMs : this.lastAtMs;
    let e = this.find(flow);
    if (isEnding(flow) && (!e || e.live.flow.startNs !== flow.startNs)) {
      // The kernel is destroying it (its DESTROY event may already be applied, or be retried later): not a
      // flow to open or reopen. An open one is not marked seen either, so the sweep closes it if no DESTROY comes.
      this.st.ignoredDumpCopies++;
      return;
    }
    if (e && e.live.flow.startNs !== undefined && flow.startNs !== undefined && e.live.flow.startNs !== flow.startNs) {
      this.close(e, t, 'gone'); // same key, another incarnation: a new flow, not a counter jump
      const fresh = this.inDump && e.eventSeq > this.dumpSeq;
      if (fresh) { // events since dumpBegin described the new incarnation: keep what they carried
        const merged = { ...e.live.flow };
        fillFromCopy(merged, flow, e.stateSeq > this.dumpSeq, e.auxSeq > this.dumpSeq);
        flow = merged;
      }
      const prev = e;
      e = this.insert(flow, t);
      if (fresh) { e.eventSeq = prev.eventSeq; e.stateSeq = prev.stateSeq; e.auxSeq = prev.auxSeq; }
      else e.setDigest(digest);
      this.sample(e, undefined, flow.counters);
    } else if (!e) {
      e = this.insert(flow, t);
      e.setDigest(digest);
      this.sample(e, undefined, flow.counters);
    } else {
      const live = e.live;
      const cur = live.flow;
      const old = cur.counters;
      this.q?.beforeChange(e);
      let changed: boolean;
      if (this.inDump && e.eventSeq > this.dumpSeq) {
        // An event since dumpBegin is at least as fresh for the evented fields; the copy fills what events lack.
        const state = cur.state;
        changed = fillFromCopy(cur, flow, e.stateSeq > this.dumpSeq, e.auxSeq > this.dumpSeq);
        this.counts.moveState(cur, state);
        e.setDigest(undefined);
      } else {
        changed = !sameReportable(cur, flow);
        const state = cur.state;
        adoptCopy(cur, flow);
        this.counts.moveState(cur, state);
        e.setDigest(digest);
      }
      setStart(live);
      if (this.sample(e, old, flow.counters)) changed = true;
      if (changed) this.changed(e, t);
    }
    if (this.inDump) this.seen(e);
  }

  private dumpEnd(atMs: number, complete: boolean): void {
    if (!this.inDump) return;
    this.inDump = false;
    this.destroyedInDump.clear();
    // Nothing followed the last copy's entry: it keeps no guess (which could outlive the flow it names).
    if (this.dumpCursor !== null) this.dumpCursor.dumpNext = null;
    this.dumpCursor = null;
    if (!complete) {
      this.st.failedDumps++;
      return;
    }
    this.st.dumps++;
    // Closing leaves a hole at the closed entry's index and compacts only after the walk.
    const entries = this.rowEntries;
    this.sweeping = true;
    try {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e !== null && e.seenGen !== this.gen) this.close(e, atMs, 'gone');
      }
    } finally {
      this.sweeping = false;
    }
    this.compactSoon();
    if (this.st.stale && this.overflowSeq < this.dumpSeq) {
      this.st.stale = false;
      this.st.resyncs++;
      this.st.lastResyncMs = atMs;
      this.q?.resync(atMs);
    }
  }

  private upsert(ev: Flow, atMs: number, seq: number): void {
    let e = this.find(ev);
    // A storm shows NEW/UPDATE events that already say DYING (sent while the kernel destroys the entry, after
    // or before its DESTROY): they describe the end of a flow, so they never open one.
    if (!e && isEnding(ev)) return;
    if (!e) e = this.insert(ev, atMs);
    else {
      const cur = e.live.flow;
      const state = cur.state;
      this.q?.beforeChange(e);
      if (mergeEventFields(cur, ev)) this.changed(e, atMs);
      this.counts.moveState(cur, state);
    }
    e.eventSeq = seq;
    e.setDigest(undefined);
    if (ev.state !== null) e.stateSeq = seq;
    if (ev.labels.length > 0 || ev.helper !== null) e.auxSeq = seq;
    if (this.inDump) e.seenGen = this.gen;
  }

  private destroy(ev: Flow, atMs: number): void {
    const e = this.find(ev);
    if (this.inDump) this.destroyedInDump.add(ev, e ? e.live.key : flowKey(ev));
    if (e) {
      const cur = e.live.flow;
      const state = cur.state;
      mergeEventFields(cur, ev);
      this.counts.moveState(cur, state);
      takeFinal(cur, ev);
      if (ev.counters) e.sampleAt = this.relTime(atMs);
      this.close(e, atMs, 'destroy');
      return;
    }
    const g = this.ghostOf(ev);
    const ghost = g?.live;
    if (!ghost) this.st.unknownDestroys++;
    else if (ghost.closed!.reason === 'gone') {
      ghost.closed!.reason = 'destroy'; // swept by a dump first; the late DESTROY brings the final counters
      takeFinal(ghost.flow, ev);
      if (ev.counters) g.sampleAt = this.relTime(atMs);
    }
  }

  /** Opens a flow (its key is made when first read). */
  private insert(flow: Flow, atMs: number): Entry {
    const live = new TableLiveFlow(flow, atMs);
    this.dropGhostOf(live); // a reborn key replaces its ghost: keys stay unique in snapshots
    setStart(live);
    live.ageMs = msSince(atMs, live.startMs ?? atMs);
    const e = new Entry(live);
    e.row = this.rows.length;
    this.rows.push(live);
    this.rowEntries.push(e);
    const slot = idSlot(flow.id);
    e.nextSameId = this.byId.get(slot) ?? null;
    this.byId.set(slot, e);
    this.counts.add(flow, 1);
    this.q?.added(e);
    return e;
  }

  private close(e: Entry, atMs: number, reason: CloseReason): void {
    const live = e.live;
    this.rows[e.row] = null;
    this.rowEntries[e.row] = null;
    e.row = -1;
    this.holes++;
    this.compactSoon();
    this.unlink(e);
    // A ghost is never a dump copy's guess (unchanged) and holds no other entry alive.
    e.setDigest(undefined);
    e.dumpNext = null;
    if (this.dumpFirst === e) this.dumpFirst = null;
    this.counts.add(live.flow, -1);
    live.closed = { atMs, reason };
    live.rates = ZERO_RATES;
    live.ageMs = ageAt(live, atMs);
    live.idleMs = msSince(atMs, live.lastChangeMs);
    this.q?.closed(e);
    if (this.maxClosed <= 0) return;
    this.dropGhostOf(live);
    this.closed.set(live.key, e);
    this.ghostIds[live.flow.id & 0xffff]++;
    e.olderGhost = this.newestGhost;
    if (this.newestGhost) this.newestGhost.newerGhost = e;
    else this.oldestGhost = e;
    this.newestGhost = e;
    if (this.closed.size > this.maxClosed) this.dropGhost(this.oldestGhost!);
  }

  /** Closes the holes in rows once they are half of it, keeping the order; O(rows), so amortised O(1) a close. */
  private compactSoon(): void {
    if (this.sweeping || this.holes < 64 || this.holes * 2 < this.rows.length) return;
    const rows = this.rows, entries = this.rowEntries;
    let n = 0, tickAt = -1;
    for (let i = 0; i < rows.length; i++) {
      if (i === this.tickAt) tickAt = n;
      const e = entries[i];
      if (e === null) continue;
      e.row = n;
      rows[n] = rows[i];
      entries[n++] = e;
    }
    if (this.tickAt >= 0) this.tickAt = tickAt >= 0 ? tickAt : n;
    rows.length = n;
    entries.length = n;
    this.holes = 0;
  }

  /**
   * The ghost with the key of `of` (a live flow, or an event's flow), if any: looked up by that key only when a
   * ghost's id has the low 16 bits of its id.
   */
  private ghostOf(of: TableLiveFlow | Flow): Entry | undefined {
    const live = of instanceof TableLiveFlow;
    if (this.ghostIds[(live ? of.flow.id : of.id) & 0xffff] === 0) return undefined;
    return this.closed.get(live ? of.key : flowKey(of));
  }

  /** Forgets the ghost with the key of `live` (see ghostOf), if any. */
  private dropGhostOf(live: TableLiveFlow): void {
    const ghost = this.ghostOf(live);
    if (ghost) this.dropGhost(ghost);
  }

  /** Forgets a ghost (expired, evicted, replaced by a reborn flow); O(1). */
  private dropGhost(e: Entry): void {
    this.closed.delete(e.live.key);
    this.ghostIds[e.live.flow.id & 0xffff]--;
    if (e.olderGhost) e.olderGhost.newerGhost = e.newerGhost;
    else this.oldestGhost = e.newerGhost;
    if (e.newerGhost) e.newerGhost.olderGhost = e.olderGhost;
    else this.newestGhost = e.olderGhost;
    e.olderGhost = e.newerGhost = null;
  }

  private find(f: Flow): Entry | undefined {
    for (let e: Entry | null = this.byId.get(idSlot(f.id)) ?? null; e; e = e.nextSameId) if (sameFlowKey(e.live.flow, f)) return e;
    return undefined;
  }

  private unlink(e: Entry): void {
    const id = idSlot(e.live.flow.id);
    let h: Entry | null = this.byId.get(id) ?? null;
    if (h === e) {
      if (e.nextSameId) this.byId.set(id, e.nextSameId);
      else this.byId.delete(id);
    } else {
      while (h && h.nextSameId !== e) h = h.nextSameId;
      if (h) h.nextSameId = e.nextSameId;
    }
    e.nextSameId = null;
  }

  /**
   * Records a counters sample taken now (the dump's time, or the latest input's outside a dump); computes
   * rates against the previous sample. True if counters changed. The time is read here, not passed: a
   * number argument was boxed per call on the refresh fast path.
   */
  private sample(e: Entry, old: BothCounters | undefined, cur: BothCounters | undefined): boolean {
    const t = this.relTime(this.inDump ? this.dumpAtMs : this.lastAtMs);
    const live = e.live;
    if (!cur) {
      e.prev = undefined;
      e.curMs = null;
      live.rates = ZERO_RATES;
      return old !== undefined;
    }
    const cur0 = e.curMs;
    const next = cur0 === null || t !== cur0; // null apart: a comparison that also met null boxed t per call
    if (next) {
      e.prev = old; // a second copy in the same dump keeps the previous dump as its base
      e.prevMs = cur0;
      e.curMs = t;
    }
    e.sampleAt = t;
    live.flow.counters = cur;
    const same = sameCounters(old, cur);
    // A new sample equal to its base moved nothing: every rate is 0 and nothing was reset, which is what
    // setRates would find; skipping it matters for an idle table (its number arguments were boxed per call).
    if (next && same) {
      live.rates = ZERO_RATES;
      return false;
    }
    const r = this.rateScratch;
    if (setRates(r, e.prev, e.prevMs ?? NaN, cur, t) === 'reset' && e.resetMs !== t) {
      live.countersReset++;
      e.resetMs = t; // a duplicate copy in the same dump does not count twice
    }
    if (allZero(r)) live.rates = ZERO_RATES;
    else {
      // The flow's own object once it left ZERO_RATES: the one place the table writes rates in place.
      const o = live.rates === ZERO_RATES ? (live.rates = zeroRates()) : (live.rates as FlowRates);
      o.orig.bytesPerSec = r.orig.bytesPerSec;
      o.orig.packetsPerSec = r.orig.packetsPerSec;
      o.reply.bytesPerSec = r.reply.bytesPerSec;
      o.reply.packetsPerSec = r.reply.packetsPerSec;
    }
    return !same;
  }

  private changed(e: Entry, atMs: number): void {
    e.live.lastChangeMs = atMs;
    this.q?.updated(e);
  }
}

/**
 * Merges a dump copy into a flow that an event updated after dumpBegin: status, mark and timeout stay (every
 * NEW/UPDATE carries them); state, labels and helper are taken unless such an event carried them.
 */
function fillFromCopy(dst: Flow, copy: Flow, keepState: boolean, keepAux: boolean): boolean {
  let changed = false;
  dst.use = copy.use;
  if (copy.startNs !== undefined) dst.startNs = copy.startNs;
  if (copy.stopNs !== undefined) dst.stopNs = copy.stopNs;
  dst.counters = copy.counters;
  if (dst.timeoutSec === null) dst.timeoutSec = copy.timeoutSec;
  if (!keepState && dst.state !== copy.state) { dst.state = copy.state; changed = true; }
  if (!keepAux && (dst.helper !== copy.helper || !sameList(dst.labels, copy.labels))) {
    changed = true;
    dst.helper = copy.helper;
    dst.labels = copy.labels;
  }
  return changed;
}

/**
 * Takes a dump copy's view into the stored flow in place (tuples and id are the key, so equal). The copy is
 * then garbage while still young: replacing the stored object instead promoted every flow to the old
 * generation on every dump (hundreds of MiB of heap at 50k flows). Counters are set by sample().
 */
function adoptCopy(dst: Flow, copy: Flow): void {
  dst.state = copy.state;
  dst.status = copy.status;
  dst.timeoutSec = copy.timeoutSec;
  dst.mark = copy.mark;
  dst.use = copy.use;
  if (!sameList(dst.labels, copy.labels)) dst.labels = copy.labels;
  dst.helper = copy.helper;
  if (dst.startNs !== copy.startNs) dst.startNs = copy.startNs;
  if (dst.stopNs !== copy.stopNs) dst.stopNs = copy.stopNs;
  if (dst.master !== undefined || copy.master !== undefined) dst.master = copy.master;
  if (dst.secctx !== copy.secctx) dst.secctx = copy.secctx;
}

/**
 * Ticks the open flows of list[from, to). A plain function, not a loop in the generator (tickInSteps): one
 * there kept allocating iterator results (12 scavenges per 50 ticks of 100k flows, when it walked a Map).
 */
function tickRange(list: readonly (LiveFlow | null)[], from: number, to: number, now: number, sum: FlowRates): void {
  for (let i = from; i < to; i++) {
    const live = list[i];
    if (live !== null) tickFlow(live, now, sum);
  }
}

/** One open flow's part of a tick: its age and idle time as of `now`, its rates added to `sum`. */
function tickFlow(live: LiveFlow, now: number, sum: FlowRates): void {
  live.ageMs = ageAt(live, now);
  live.idleMs = msSince(now, live.lastChangeMs);
  const r = live.rates;
  if (r === ZERO_RATES) return;
  sum.orig.bytesPerSec += r.orig.bytesPerSec;
  sum.orig.packetsPerSec += r.orig.packetsPerSec;
  sum.reply.bytesPerSec += r.reply.bytesPerSec;
  sum.reply.packetsPerSec += r.reply.packetsPerSec;
}

/**
 * Whole milliseconds from `then` to `now`, at least 0. Whole: a small integer is stored in a flow without
 * allocating, where a fractional age or idle time took a new heap number per flow per tick.
 */
function msSince(now: number, then: number): number {
  return Math.max(0, Math.round(now - then));
}

/**
 * ageMs as of `now`. Not `now - (startMs ?? firstSeenMs)`: V8 joins the nullable startMs and the number
 * firstSeenMs into one boxed value, a new heap number per flow per tick.
 */
function ageAt(live: LiveFlow, now: number): number {
  const start = live.startMs;
  return start === null ? msSince(now, live.firstSeenMs) : msSince(now, start);
}

/** The byId key of a kernel id: its low 30 bits, a small integer (V8 Smi) on every platform. */
function idSlot(id: number): number {
  return id & 0x3fffffff;
}

/**
 * The keys of the flows destroyed while a dump is under way (that dump's later copies of them are stale), with a
 * bit per value of their ids' low 16 bits. Under a storm the set is hardly ever empty, and every copy of a dump
 * asked it about its key: a Set lookup per unchanged copy and a key built per changed one, 2.4 µs of CPU per
 * event at 3,000 events/s on a 20k-flow table with a refresh every 0.5 s. The bit rules out almost every copy
 * without its key. Flows are passed, not ids: an id above 2^30 passed as a number was boxed per call.
 */
class DestroyedKeys {
  private readonly keys = new Set<string>();
  private readonly bits = new Uint32Array(65536 / 32);

  add(f: Pick<Flow, 'id'>, key: string): void {
    this.keys.add(key);
    const b = f.id & 0xffff;
    this.bits[b >>> 5] |= 1 << (b & 31);
  }

  /** False when no flow with f's id can be in (has() would say false); true when has() must tell. */
  mayHold(f: Pick<Flow, 'id'>): boolean {
    if (this.keys.size === 0) return false;
    const b = f.id & 0xffff;
    return (this.bits[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  clear(): void {
    if (this.keys.size === 0) return;
    this.keys.clear();
    this.bits.fill(0);
  }
}

/** True when the kernel is destroying the flow (DYING): such a view never opens a flow. */
function isEnding(f: Flow): boolean {
  return f.status.includes('DYING');
}

/** Takes a DESTROY's final counters and timestamps when it carries them. */
function takeFinal(dst: Flow, ev: Flow): void {
  if (ev.counters) dst.counters = ev.counters;
  if (ev.startNs !== undefined) dst.startNs = ev.startNs;
  if (ev.stopNs !== undefined) dst.stopNs = ev.stopNs;
}

function setStart(live: LiveFlow): void {
  const ns = live.flow.startNs;
  live.startMs = ns === undefined ? null : Number(ns) / 1e6;
  live.ageSource = ns === undefined ? 'first-seen' : 'kernel';
}
