// lib/ layer: the FlowTable's queue of undelivered changes, coalesced per flow so that its size is bounded by
// the table (open flows, plus ghosts up to a cap), not by the number of events a slow reader did not take.
// Pure data structure: no timers, no I/O. Imports ./flow types only.
import type { Flow } from './flow.js';

/** One drained change; `live` is the table's object for the flow (see FlowChange in flow-table.ts). */
export type QueuedChange<L extends { flow: Flow }> =
  | { kind: 'new' | 'update' | 'destroy'; live: L; flow: Flow }
  | { kind: 'resync'; atMs: number };

const NONE = 0;
const NEW = 1;
const UPDATE = 2;
const DESTROY = 3;
/** A 'destroy' of a flow born since it was last delivered (counted in bornClosed until delivered). */
const BORN_DESTROY = 4;
const KINDS = [null, 'new', 'update', 'destroy', 'destroy'] as const;

/**
 * A place in the queue: one per flow (the table's entries extend it) or per resync. Intrusive links: queueing
 * and coalescing allocate nothing, and a slot leaves the queue in O(1).
 */
export class ChangeSlot {
  /** The kind of the pending change that reports the flow as it is now: NONE, NEW, UPDATE, DESTROY or BORN_DESTROY. */
  pend = NONE;
  /** The flow as its undelivered 'new' described it, frozen when a later change came before delivery. */
  newSnap: Flow | null = null;
  qPrev: ChangeSlot | null = null;
  qNext: ChangeSlot | null = null;
}

/** A slot that reports a flow. */
export interface FlowSlot<L extends { flow: Flow }> extends ChangeSlot {
  readonly live: L;
}

class ResyncSlot extends ChangeSlot {
  constructor(readonly atMs: number) {
    super();
  }
}

/**
 * Undelivered changes in the order they first happened, at most one slot per flow. Rules (the --events
 * merging rule): a change never reports a later state under an earlier kind, and a flow's changes keep their
 * order. 'new' then a change: the 'new' is frozen as it was (a shallow copy of the flow, made once) and an
 * 'update' follows; updates merge into one; an update then the close merge into the 'destroy'; a flow born
 * and closed before delivery costs one 'destroy' line, or nothing once `maxBornClosed` such flows wait.
 */
export class ChangeQueue<L extends { flow: Flow }> {
  private head: ChangeSlot | null = null;
  private tail: ChangeSlot | null = null;
  /** Slots queued. */
  size = 0;
  /** Queued flows born and closed before their first delivery (BORN_DESTROY slots). */
  private bornClosed = 0;

  /**
   * maxSlots: cap on queued slots (beyond it a change is dropped and `dropped` called); maxBornClosed: cap on
   * queued flows born and closed since the last drain (beyond it they cost nothing, and `dropped` is called).
   */
  constructor(private readonly maxSlots: number, private readonly maxBornClosed: number, private readonly dropped: () => void) {}

  /** A flow appeared. */
  added(s: FlowSlot<L>): void {
    if (this.link(s)) s.pend = NEW;
  }

  /** The flow is about to change (before its fields are overwritten): an undelivered 'new' keeps what it said. */
  beforeChange(s: FlowSlot<L>): void {
    if (s.pend !== NEW) return;
    s.newSnap = { ...s.live.flow };
    s.pend = NONE;
  }

  /** A reportable change happened (after beforeChange). */
  updated(s: FlowSlot<L>): void {
    if (s.pend !== NONE) return; // a pending update or destroy already reports the flow as it is now
    if (s.newSnap === null && !this.link(s)) return;
    s.pend = UPDATE;
  }

  /** The flow closed (destroyed or gone). */
  closed(s: FlowSlot<L>): void {
    if (s.pend === NEW || s.newSnap !== null) {
      // Born and closed before anyone saw it: one 'destroy' line carries all of it (or, past the cap, nothing).
      s.newSnap = null;
      if (this.bornClosed >= this.maxBornClosed) {
        this.unlink(s);
        this.dropped();
        return;
      }
      this.bornClosed++;
      s.pend = BORN_DESTROY;
      return;
    }
    if (s.pend === NONE && !this.link(s)) return;
    s.pend = DESTROY;
  }

  /** The table is consistent again after lost events. */
  resync(atMs: number): void {
    this.link(new ResyncSlot(atMs));
  }

  /**
   * The queued changes in order, at most `max` slots of them (a 'new' frozen before an update counts with
   * its update as one slot); the rest stay queued, where later changes go on coalescing with them.
   */
  drain(max = Number.POSITIVE_INFINITY): QueuedChange<L>[] {
    const out: QueuedChange<L>[] = [];
    let s = this.head;
    for (let n = 0; s !== null && n < max; n++) {
      const next: ChangeSlot | null = s.qNext;
      if (s instanceof ResyncSlot) out.push({ kind: 'resync', atMs: s.atMs });
      else {
        const live = (s as FlowSlot<L>).live;
        if (s.newSnap !== null) out.push({ kind: 'new', live, flow: s.newSnap });
        if (s.pend !== NONE) out.push({ kind: KINDS[s.pend]!, live, flow: live.flow });
        if (s.pend === BORN_DESTROY) this.bornClosed--;
      }
      s.pend = NONE;
      s.newSnap = null;
      s.qPrev = s.qNext = null;
      this.size--;
      s = next;
    }
    this.head = s;
    if (s === null) this.tail = null;
    else s.qPrev = null;
    return out;
  }

  private link(s: ChangeSlot): boolean {
    if (this.size >= this.maxSlots) {
      this.dropped();
      return false;
    }
    s.qPrev = this.tail;
    s.qNext = null;
    if (this.tail) this.tail.qNext = s;
    else this.head = s;
    this.tail = s;
    this.size++;
    return true;
  }

  private unlink(s: ChangeSlot): void {
    if (s.qPrev) s.qPrev.qNext = s.qNext;
    else this.head = s.qNext;
    if (s.qNext) s.qNext.qPrev = s.qPrev;
    else this.tail = s.qPrev;
    s.qPrev = s.qNext = null;
    s.pend = NONE;
    s.newSnap = null;
    this.size--;
  }
}
