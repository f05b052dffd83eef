// lib/kernel/ (the kernel boundary): a capture made with --record as a FlowSource, played through the same
// WirePipeline a live run used.
import { readPcapFile } from '../../netlink/pcap.js';
import type { DumpJsonSink, DumpShortcut, FlowFilter, FlowSource, SourceHealth, SourceSink } from '../source.js';
import { explain } from '../errors.js';
import { abortableSleep, nextTurn } from '../sleep.js';
import { WirePipeline } from './wire-pipeline.js';

export interface ReplayOptions {
  filter?: FlowFilter;
  /** 1 = as recorded, 2 = twice as fast, Infinity = as fast as possible. */
  speed?: number;
  /** Waits `ms`, resolving early once `signal` aborts (injected so tests need no real time); default a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Epoch-ms clock the pacing follows (injected in tests); default Date.now. */
  now?: () => number;
  /** Longest wait between two records, in ms of playback time; a longer gap in the capture is cut to it with a notice. Default 1000. */
  maxGapMs?: number;
}

/**
 * A capture made with --record as a FlowSource: the recorded datagrams go through the same WirePipeline
 * a live run used, paced by their timestamps. start() resolves after the first complete dump; `ended`
 * resolves when the capture is exhausted. No kernel and no privileges are needed. close() ends every wait.
 */
export class ReplaySource implements FlowSource {
  private readonly pipeline: WirePipeline;
  /** Aborted by close(): wakes the pacing sleep. */
  private readonly stop = new AbortController();
  private firstDump: (() => void) | undefined;
  private nextDump: (() => void)[] = [];
  /** Dumps the consumer has asked for (refresh calls) that playback has not yet reached. */
  private credits = 0;
  private gate: (() => void) | undefined;
  private dumpEnded = false;
  private sink: SourceSink = () => undefined;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  /** Resolves when every record has been played (or the source was closed); rejects if the capture is unreadable. */
  readonly ended: Promise<void>;
  /** The capture decides when dumps happen. */
  readonly schedulesRefreshes = true;
  /** Records played so far. */
  played = 0;

  constructor(private readonly path: string, private readonly opts: ReplayOptions = {}) {
    this.pipeline = new WirePipeline(() => undefined, opts.filter);
    this.ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.ended.catch(() => undefined);
  }

  get health(): SourceHealth {
    return this.pipeline.health;
  }

  private get closed(): boolean {
    return this.stop.signal.aborted;
  }

  start(sink: SourceSink, shortcut?: DumpShortcut, json?: DumpJsonSink): Promise<void> {
    this.sink = sink;
    this.pipeline.shortcut = shortcut;
    this.pipeline.json = json;
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
    // A capture that cannot be opened or read rejects start() (and ended); one without dumps resolves at its end.
    this.play().then(() => this.settle!.resolve(), (e: unknown) => {
      fail(e);
      this.settle!.reject(e);
    });
    // Waiters wake after `ended` settles, so a consumer racing refresh() against `ended` sees the end first.
    const wake = (): void => {
      this.firstDump?.();
      for (const f of this.nextDump.splice(0)) f();
    };
    this.ended.then(wake, wake);
    return started;
  }

  private async play(): Promise<void> {
    const speed = this.opts.speed ?? 1;
    const sleep = this.opts.sleep ?? abortableSleep;
    const now = this.opts.now ?? Date.now;
    const maxGapMs = Math.max(0, this.opts.maxGapMs ?? 1000);
    const signal = this.stop.signal;
    let prevNs: bigint | undefined;
    let dueMs = 0; // when the current record is due, in ms of playback since the first one
    const wall0 = now();
    const capture = readPcapFile(this.path, { tolerant: true });
    for await (const rec of capture) {
      if (this.closed) return;
      if (Number.isFinite(speed)) {
        if (prevNs !== undefined) {
          let stepMs = Number(rec.tsNs - prevNs) / 1e6 / speed;
          if (!(stepMs >= 0)) stepMs = 0; // a clock that stepped back: play at once
          if (stepMs > maxGapMs) {
            this.sink({ kind: 'notice', message: `the capture jumps ${(stepMs * speed / 1000).toFixed(1)} s at record ${this.played + 1}; replaying it as a ${(maxGapMs / 1000).toFixed(1)} s pause` });
            stepMs = maxGapMs;
          }
          dueMs += stepMs;
        }
        prevNs = rec.tsNs;
        const waitMs = dueMs - (now() - wall0);
        if (waitMs > 1) await sleep(Math.min(waitMs, maxGapMs), signal);
      } else if (this.played % 256 === 255) {
        await nextTurn(); // stay responsive while replaying at full speed
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
    // A capture cut mid-record (its recorder was killed, or the disk filled) played up to the cut: say so.
    if (capture.cut) this.sink({ kind: 'notice', message: explain(capture.cut) });
  }

  /** In a replay the capture decides when dumps happen: resolves at the next recorded dump's end (or the capture's). */
  refresh(): Promise<void> {
    const p = new Promise<void>((resolve) => this.nextDump.push(resolve));
    const g = this.gate;
    this.gate = undefined;
    if (g) g();
    else this.credits++;
    return p;
  }

  close(): void {
    this.stop.abort();
    const g = this.gate;
    this.gate = undefined;
    g?.();
  }
}
