// lib/kernel/ (the kernel boundary): feeds datagrams to the pipeline in time slices, for the interactive view.
// The socket shim hands over up to 32 dump datagrams (~100 flows each) per poll callback; decoded and applied
// in one go, they held a key typed meanwhile for tens of ms. Here, once a slice's budget is spent, datagrams are
// copied into a queue and processed in later event-loop turns (setImmediate: after the poll phase has read
// the keys), in arrival order (events and requests too, so the table sees them as a direct feed would).

/** One datagram waiting: direction, its bytes (a view of `buf`, which the feed owns) and arrival time (epoch ms). */
interface Queued {
  dir: 'in' | 'out';
  data: Uint8Array;
  buf: Uint8Array;
  atMs: number;
}

/**
 * Copy buffers kept for reuse at most (32 KiB each for dump datagrams: a 100k-flow dump's backlog). They are
 * the backlog's buffers at its peak, which the highest RSS counts anyway. Freed and allocated again at every
 * refresh (with a pool of 128), the idle view at 50k flows took 0.27-0.28 s/s of CPU against 0.21-0.24 without
 * slicing; with this pool 0.23-0.26 against 0.23 (interleaved runs, load average 1.7-1.9).
 */
const POOL_MAX = 1024;

/** Processes datagrams at once while a slice has budget left, and queues them for the next turns otherwise. */
export class SlicedFeed {
  private readonly queue: Queued[] = [];
  private head = 0;
  /** Monotonic ms when the current slice began, or null between slices. */
  private sliceStartMs: number | null = null;
  private scheduled = false;
  private closed = false;
  /**
   * Buffers of processed datagrams, reused for the next copies: a dump of 100k flows queues about 1,000
   * datagrams of 32 KiB, and a fresh copy each was 32 MB of external memory per refresh for the GC to reclaim.
   */
  private readonly pool: Uint8Array[] = [];

  constructor(
    /** Decodes and applies one datagram (WirePipeline.feedAt or a recording wrapper). */
    private readonly process: (dir: 'in' | 'out', data: Uint8Array, atMs: number) => void,
    /** The most ms one slice spends before the rest waits for the next event-loop turn. */
    private readonly sliceMs: number,
    /** Monotonic ms (performance.now in production). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Datagrams queued and not yet processed. */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  /**
   * Processes `data` now, or queues a copy of it (the shim's receive buffer is reused by the next datagram).
   * Everything after a queued datagram is queued too, so the order of arrival is the order of processing.
   */
  push(dir: 'in' | 'out', data: Uint8Array, atMs: number): void {
    if (this.closed) return;
    if (this.backlog === 0 && this.hasBudget()) {
      this.process(dir, data, atMs);
      return;
    }
    let buf = this.pool.pop();
    if (!buf || buf.length < data.length) buf = new Uint8Array(Math.max(data.length, 32768));
    buf.set(data);
    this.queue.push({ dir, data: buf.subarray(0, data.length), buf, atMs });
    this.schedule();
  }

  /** Drops what is queued (the source closed: nothing waits for it any more). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.pool.length = 0;
  }

  private hasBudget(): boolean {
    const t = this.now();
    if (this.sliceStartMs === null) {
      this.sliceStartMs = t;
      this.schedule(); // the slice ends when this turn's poll phase is over
      return true;
    }
    return t - this.sliceStartMs < this.sliceMs;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.step);
  }

  /** One slice from the queue, in the check phase (after the poll phase read input). */
  private readonly step = (): void => {
    this.scheduled = false;
    this.sliceStartMs = null;
    if (this.closed) return;
    const start = this.now();
    while (this.head < this.queue.length) {
      const q = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as Queued; // the bytes can go as soon as they are used
      this.process(q.dir, q.data, q.atMs);
      if (this.pool.length < POOL_MAX) this.pool.push(q.buf); // the pipeline keeps no reference to the bytes
      if (this.now() - start >= this.sliceMs) break;
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      return;
    }
    // More to do: the next turn continues, and whatever arrives meanwhile queues behind it.
    this.sliceStartMs = start;
    this.schedule();
  };
}
