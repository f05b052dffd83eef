// lib/kernel/ (the kernel boundary): a capture made with --record as a FlowSource, played through the same
// WirePipeline a live run used.
import { readPcapFile } from '../../netlink/pcap.js';
import type { DumpShortcut, FlowFilter, FlowSource, SourceHealth, SourceSink } from '../source.js';
import { WirePipeline } from './wire-pipeline.js';

export interface ReplayOptions {
  filter?: FlowFilter;
  /** 1 = as recorded, 2 = twice as fast, Infinity = as fast as possible. */
  speed?: number;
  /** Waits `ms` (injected so tests need no real time); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A capture made with --record as a FlowSource: the recorded datagrams go through the same WirePipeline
 * a live run used, paced by their timestamps. start() resolves after the first complete dump; `done`
 * resolves when the capture is exhausted. No kernel and no privileges are needed.
 */
export class ReplaySource implements FlowSource {
  private readonly pipeline: WirePipeline;
  private closed = false;
  private firstDump: (() => void) | undefined;
  private nextDump: (() => void)[] = [];
  /** Dumps the consumer has asked for (refresh calls) that playback has not yet reached. */
  private credits = 0;
  private gate: (() => void) | undefined;
  private dumpEnded = false;
  /** Resolves when every record has been played (or the source was closed). */
  done: Promise<void> = Promise.resolve();
  /** Records played so far. */
  played = 0;

  constructor(private readonly path: string, private readonly opts: ReplayOptions = {}) {
    this.pipeline = new WirePipeline(() => undefined, opts.filter);
  }

  get health(): SourceHealth {
    return this.pipeline.health;
  }

  start(sink: SourceSink, shortcut?: DumpShortcut): Promise<void> {
    this.pipeline.shortcut = shortcut;
    let fail: (e: unknown) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      this.firstDump = resolve;
      fail = reject;
    });
    this.pipeline.sink = (ev) => {
      sink(ev);
      if (ev.kind === 'dumpEnd') {
        this.dumpEnded = true;
        this.firstDump?.();
        this.firstDump = undefined;
        for (const f of this.nextDump.splice(0)) f();
      }
    };
    // A capture that cannot be opened or read rejects start() (and done); one without dumps resolves at its end.
    this.done = this.play().then(
      () => {
        this.firstDump?.();
        for (const f of this.nextDump.splice(0)) f();
      },
      (e: unknown) => {
        fail(e);
        throw e;
      },
    );
    this.done.catch(() => undefined);
    return started;
  }

  private async play(): Promise<void> {
    const speed = this.opts.speed ?? 1;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let t0: bigint | undefined;
    const wall0 = Date.now();
    for await (const rec of readPcapFile(this.path, { tolerant: true })) {
      if (this.closed) return;
      t0 ??= rec.tsNs;
      if (Number.isFinite(speed)) {
        const dueMs = Number(rec.tsNs - t0) / 1e6 / speed - (Date.now() - wall0);
        if (dueMs > 1) await sleep(dueMs);
      } else if (this.played % 256 === 255) {
        await new Promise<void>((r) => setImmediate(r)); // stay responsive while replaying at full speed
      }
      if (this.closed) return;
      this.dumpEnded = false;
      this.pipeline.feed(rec);
      this.played++;
      // Like a live run, the next dump waits until the consumer asks for it, so each refresh sees one dump.
      if (this.dumpEnded) {
        if (this.credits > 0) this.credits--;
        else await new Promise<void>((r) => (this.gate = r));
      }
    }
  }

  /** In a replay the capture decides when dumps happen: resolves at the next recorded dump's end. */
  refresh(): Promise<void> {
    const p = new Promise<void>((resolve) => this.nextDump.push(resolve));
    const g = this.gate;
    this.gate = undefined;
    if (g) g();
    else this.credits++;
    return p;
  }

  close(): void {
    this.closed = true;
    const g = this.gate;
    this.gate = undefined;
    g?.();
  }
}
