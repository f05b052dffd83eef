// lib/ layer: the server's side of `--share-processes`: finds the process behind each new flow's local end
// (the same sock_diag lookup and /proc index as the view's PROCESS column, lib/enrich/processes.ts) and hands
// the answers to the server. Imports lib/ only; the socket lookup (lib/kernel/) and /proc are passed in.
import type { FlowChange, LiveFlow } from './flow-table.js';
import { classifyAddress, isLocalClass, type LocalAddresses } from './enrich/addr-class.js';
import { flowDirection, socketQuery } from './enrich/direction.js';
import type { ProcessAttributor, ProcessLabel, SocketQuery } from './enrich/processes.js';

/** Queries sent per refresh at most; the rest wait for the next ones. */
const MAX_BATCH = 512;
/** Flows waiting for a lookup at most (a storm of new flows beyond it is not looked up). */
const MAX_WAITING = 65_536;

/** Construction options. */
export interface ProcessShareOptions {
  attributor: Pick<ProcessAttributor, 'attribute' | 'close'>;
  /** This host's addresses (which end of a flow is local); refreshed at most every `localRefreshMs`. */
  local: Pick<LocalAddresses, 'has' | 'isBroadcast' | 'refresh'>;
  /** Receives the labels found, for flows still open. */
  found: (labels: (readonly [LiveFlow, ProcessLabel])[]) => void;
  /** Monotonic ms. */
  now: () => number;
  localRefreshMs?: number;
}

/** Looks up each new flow's process once, in batches, one batch in flight at a time. */
export class ProcessShare {
  private readonly waiting = new Map<LiveFlow, SocketQuery>();
  private inflight: Promise<void> | null = null;
  private closed = false;
  private lastLocalMs = -Infinity;

  constructor(private readonly o: ProcessShareOptions) {}

  /** Flows waiting for their lookup. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Queues the new flows of a change batch that have a local end; forgets the closed ones. */
  changes(batch: readonly FlowChange[]): void {
    for (const c of batch) {
      if (c.kind === 'destroy') this.waiting.delete(c.live);
      else if (c.kind === 'new') this.add(c.live);
    }
  }

  /** Queues every open flow (a fresh table after a wake: its flows came as one dump, not as changes). */
  addAll(flows: Iterable<LiveFlow>): void {
    for (const l of flows) this.add(l);
  }

  /** Once per refresh: sends the next batch unless one is in flight; resolves when that batch settled. */
  tick(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.closed || this.waiting.size === 0) return Promise.resolve();
    this.inflight = this.batch().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /**
   * Looks up everything waiting, batch after batch, for at most `maxMs`: a server that just woke settles its
   * table's processes before the first snapshot, so that a new client (`--once`) gets them.
   */
  async settle(maxMs: number): Promise<void> {
    const end = this.o.now() + maxMs;
    while (!this.closed && (this.waiting.size > 0 || this.inflight) && this.o.now() < end) await this.tick();
  }

  private async batch(): Promise<void> {
    const lives: LiveFlow[] = [];
    const batch: SocketQuery[] = [];
    for (const [l, q] of this.waiting) {
      if (batch.length >= MAX_BATCH) break;
      this.waiting.delete(l);
      if (l.closed) continue;
      lives.push(l);
      batch.push(q);
    }
    if (batch.length === 0) return;
    const labels = await this.o.attributor.attribute(batch); // never rejects
    if (this.closed) return;
    const out: (readonly [LiveFlow, ProcessLabel])[] = [];
    for (let i = 0; i < lives.length; i++) if (!lives[i].closed) out.push([lives[i], labels[i]]);
    if (out.length > 0) this.o.found(out);
  }

  /** Drops what waits (the server went to sleep: its table is emptied). */
  clear(): void {
    this.waiting.clear();
  }

  /** Stops: nothing more is looked up or reported. */
  close(): void {
    this.closed = true;
    this.waiting.clear();
    this.o.attributor.close();
  }

  private add(l: LiveFlow): void {
    if (this.waiting.size >= MAX_WAITING || l.closed) return;
    const now = this.o.now();
    if (now - this.lastLocalMs >= (this.o.localRefreshMs ?? 5000)) {
      this.lastLocalMs = now;
      this.o.local.refresh();
    }
    const local = this.o.local;
    const { dir } = flowDirection(l.flow, (a) => isLocalClass(classifyAddress(a, local)));
    const q = socketQuery(l.flow, dir);
    if (q) this.waiting.set(l, q);
  }
}
