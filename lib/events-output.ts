// lib/ layer: the --events output, a SessionOutput that writes one JSON line per change (new, update, destroy,
// resync) and one `stats` line per refresh through a LineWriter. The stream is passed in.
import type { Writable } from 'node:stream';
import type { Enricher } from './enrich/index.js';
import type { FlowChange, TableStats } from './flow-table.js';
import { LineWriter, flowJson } from './output.js';
import type { SessionOutput } from './session.js';
import type { SourceHealth } from './source.js';

/** The JSON line of one change: the flow as the change described it (README schema) plus its live figures. */
export function changeJson(c: FlowChange, enricher?: Enricher | null): string {
  if (c.kind === 'resync') return JSON.stringify({ event: 'resync', atMs: c.atMs });
  const l = c.live;
  const enrich = enricher ? enricher.enrich(l.flow) : undefined;
  const closed = c.kind === 'destroy' ? l.closed : null;
  const atMs = closed ? closed.atMs : l.lastChangeMs;
  const r = l.rates;
  return `{"event":"${c.kind}","atMs":${atMs}${closed ? `,"reason":"${closed.reason}"` : ''},"flow":${flowJson(l.flow)}` +
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

  constructor(stream: Writable, private readonly opts: { signal: AbortSignal; enricher?: Enricher | null }) {
    this.out = new LineWriter(stream);
  }

  /** True once the reader went away (EPIPE). */
  get closed(): boolean {
    return this.out.closed;
  }

  changes(batch: readonly FlowChange[]): void | Promise<void> {
    const { signal, enricher } = this.opts;
    for (let i = 0; i < batch.length; i++) {
      if (signal.aborted) return;
      this.out.line(changeJson(batch[i], enricher));
      if (this.out.backlogged) return this.rest(batch, i + 1);
    }
    this.out.flush();
  }

  /** The rest of a batch, once the stream has drained. */
  private async rest(batch: readonly FlowChange[], from: number): Promise<void> {
    const { signal, enricher } = this.opts;
    for (let i = from; i < batch.length; i++) {
      if (this.out.backlogged) await this.out.drained(signal);
      if (signal.aborted) return;
      this.out.line(changeJson(batch[i], enricher));
    }
    this.out.flush();
    if (this.out.backlogged) await this.out.drained(signal);
  }

  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void> {
    if (this.opts.signal.aborted) return;
    this.out.line(JSON.stringify({ event: 'stats', atMs, ...stats, health }));
    this.out.flush();
    if (this.out.backlogged) return this.out.drained(this.opts.signal);
  }

  /** Flushes and resolves once the stream took everything (not after an abort: a stuck reader must not hold the exit). */
  end(): Promise<void> {
    if (this.opts.signal.aborted) return Promise.resolve();
    return this.out.end();
  }
}
