// lib/ layer: the --events output, a SessionOutput that writes one JSON line per change (new, update, destroy,
// resync) and one `stats` line per refresh through a LineWriter. The stream is passed in.
import type { Writable } from 'node:stream';
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
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(stream: Writable, private readonly opts: { signal: AbortSignal; enricher?: Enricher | null }) {
    this.out = new LineWriter(stream);
  }

  /** True once the reader went away (EPIPE) or a write failed (the session then stops). */
  get closed(): boolean {
    return this.out.closed;
  }

  changes(batch: readonly FlowChange[]): void | Promise<void> {
    const { signal, enricher } = this.opts;
    for (let i = 0; i < batch.length; i++) {
      if (signal.aborted) return;
      this.out.line(changeJson(batch[i], enricher));
      if (this.out.backlogged) {
        // Serialize the rest now: once this call returns, the table goes on changing the flows (a DESTROY
        // would show up in a 'new' line written later). The batch is bounded by the table, so are its lines.
        const rest: string[] = [];
        for (let j = i + 1; j < batch.length; j++) rest.push(changeJson(batch[j], enricher));
        return this.rest(rest);
      }
    }
    this.flushSoon();
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

  /** The rest of a batch's lines, written as the stream drains. */
  private async rest(lines: readonly string[]): Promise<void> {
    const { signal } = this.opts;
    for (const l of lines) {
      if (this.out.backlogged) await this.out.drained(signal);
      if (signal.aborted) return;
      this.out.line(l);
    }
    this.out.flush();
    if (this.out.backlogged) await this.out.drained(signal);
  }

  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void> {
    if (this.opts.signal.aborted) return;
    this.out.line(JSON.stringify({ event: 'stats', atMs, ...stats, health }));
    this.flushNow();
    if (this.out.backlogged) return this.out.drained(this.opts.signal);
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
