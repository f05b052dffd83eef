// lib/ layer: the --events output, a SessionOutput that writes one JSON line per change (new, update, destroy,
// resync) and one `stats` line per refresh through a LineWriter. The stream is passed in.
import type { Writable } from 'node:stream';
import { ChangeLine } from './change-line.js';
import type { Enricher } from './enrich/index.js';
import type { FlowChange, TableStats } from './flow-table.js';
import { LineWriter, flowJson } from './output.js';
import type { SessionOutput } from './session.js';
import type { SourceHealth } from './source.js';

/** How long a batch's lines may wait in the buffer for the next events, in ms. */
const FLUSH_MS = 4;

/** The JSON line of one change: the flow as the change described it (README schema) plus its live figures. */
export function changeJson(c: FlowChange, enricher?: Enricher | null): string {
  if (c.kind === 'resync') return JSON.stringify({ event: 'resync', atMs: c.atMs });
  const l = c.live;
  const enrich = enricher ? enricher.enrich(l.flow) : undefined;
  // A 'new' is stamped when the flow was first seen: later changes in the same batch have lines of their own.
  const closed = c.kind === 'destroy' ? l.closed : null;
  const atMs = closed ? closed.atMs : c.kind === 'new' ? l.firstSeenMs : l.lastChangeMs;
  const r = l.rates;
  return `{"event":"${c.kind}","atMs":${atMs}${closed ? `,"reason":"${closed.reason}"` : ''},"flow":${flowJson(c.flow)}` +
    `,"rates":{"orig":{"bytesPerSec":${r.orig.bytesPerSec},"packetsPerSec":${r.orig.packetsPerSec}},"reply":{"bytesPerSec":${r.reply.bytesPerSec},"packetsPerSec":${r.reply.packetsPerSec}}}` +
    `,"ageMs":${l.ageMs},"ageSource":"${l.ageSource}","idleMs":${l.idleMs}${enrich ? `,"enrich":${JSON.stringify(enrich)}` : ''}}`;
}

/**
 * JSON lines for a session. Each batch is written and flushed at once (lines leave within milliseconds);
 * when the reader is slow, changes() waits for the stream to drain, so the session coalesces what follows
 * in the table instead of queueing lines here. After an abort nothing more is written or waited for.
 */
export class EventsOutput implements SessionOutput {
  private readonly out: LineWriter;
  /** Where a change's line is written as bytes (changeJson's text without its strings). */
  private readonly line = new ChangeLine();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** About two of LineWriter's chunks of lines: what is serialized beyond the reader's backlog at most. */
  readonly maxBatch = 1024;

  private readonly closeListeners: (() => void)[] = [];

  /** True once the first refresh's stats line (the end of the first table) was written. */
  private firstTableOut = false;

  /**
   * `released`: called once the first table was written out: start-up's garbage (its lines, the chunks a
   * socket's stream held, the dump's decoding) can go at once (lib/heap.ts fullCollector). Without it V8
   * kept the heap it grew for them until its memory reducer ran, 8-9 s later: 50k flows into a node reader
   * held 140 MiB RSS, then 103 MiB.
   * `flushAtOnce`: write each batch as it comes instead of within FLUSH_MS (the session's batches are already
   * one per burst of events when the source batches its reads: a timer would be one more wake-up each).
   */
  constructor(stream: Writable, private readonly opts: { signal: AbortSignal; enricher?: Enricher | null; released?: () => void; flushAtOnce?: boolean }) {
    this.out = new LineWriter(stream);
    this.out.onClosed = () => {
      for (const fn of this.closeListeners) fn();
    };
  }

  /** True once the reader went away (EPIPE) or a write failed (the session then stops). */
  get closed(): boolean {
    return this.out.closed;
  }

  onClose(fn: () => void): void {
    this.closeListeners.push(fn);
  }

  /** The reader left while nothing was being written (see pipe-reader.ts): the output closes quietly. */
  readerLeft(): void {
    this.out.readerLeft();
  }

  changes(batch: readonly FlowChange[]): void | Promise<void> {
    const { signal } = this.opts;
    // Every line of the batch is serialized now, backlog or not: once this call returns, the table goes on
    // changing the flows (a DESTROY would show up in a 'new' line written later). After an abort the batch is
    // still written, without waiting (finish() flushes it): an event that came in just before the signal is
    // reported on the way out, as the capture has it.
    for (let i = 0; i < batch.length; i++) {
      const line = this.lineOf(batch[i]);
      this.out.lineBytes(line.buf, line.len);
    }
    if (signal.aborted) {
      this.flushNow();
      return;
    }
    if (this.out.backlogged) {
      // The reader is behind: the rest stays in the table's queue (maxBatch) until the stream drained. Lines
      // serialized ahead of the reader cost fresh memory (a page fault every 4 KiB: 37 MiB and 0.04-0.17 s for
      // a 100k-flow first table) and held it, while a queued change costs nothing and coalesces.
      this.flushNow();
      return this.out.drained(signal);
    }
    if (this.opts.flushAtOnce) this.flushNow();
    else this.flushSoon();
  }

  /** The line of one change as bytes (valid until the next call). */
  private lineOf(c: FlowChange): { buf: Uint8Array; len: number } {
    if (c.kind === 'resync') {
      const b = Buffer.from(changeJson(c));
      return { buf: b, len: b.length };
    }
    const enricher = this.opts.enricher;
    this.line.write(c, enricher ? enricher.enrich(c.live.flow) : undefined);
    return this.line;
  }

  /**
   * Writes buffered lines within FLUSH_MS: events arriving in bursts then share one write (one syscall and one
   * wake-up of the reader) instead of one each, and a line still leaves within milliseconds.
   */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.out.flush();
    }, FLUSH_MS);
  }

  private flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.out.flush();
  }

  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void> {
    if (this.opts.signal.aborted) return;
    this.out.line(JSON.stringify({ event: 'stats', atMs, ...stats, health }));
    this.flushNow();
    if (this.out.backlogged) return this.out.drained(this.opts.signal).then(() => this.afterFirstTable());
    this.afterFirstTable();
  }

  private afterFirstTable(): void {
    if (this.firstTableOut) return;
    this.firstTableOut = true;
    this.opts.released?.();
  }

  /**
   * Flushes and resolves once the stream took everything; throws the write failure (OutputError) if one
   * happened. After an abort it neither writes nor waits: a stuck reader must not hold the exit.
   */
  async finish(): Promise<void> {
    this.flushNow(); // after an abort too: written without waiting, lost only if the reader stopped reading
    if (this.opts.signal.aborted) return;
    await this.out.finish();
  }
}
