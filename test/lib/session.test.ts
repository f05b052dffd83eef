// The session loop with a fake source: refresh counting (--iterations), live delivery of events before the
// next refresh, the order of changes and statistics, the end of a source, backpressure, abort and notices.
// Waits are on conditions with deadlines; nothing asserts how long anything took.
import t from 'tap';
import { FlowTable, type FlowChange, type TableStats } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';
import { Session, type SessionOutput } from '../../lib/session.js';
import type { FlowSource, SourceEvent, SourceHealth, SourceSink } from '../../lib/source.js';

const T0 = 1_700_000_000_000;

function mk(id: number, over: Partial<Flow> = {}): Flow {
  return {
    id, family: 'ipv4', proto: 'tcp', protoNum: 6,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000 + id, dport: 80 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1000 + id },
    state: 'ESTABLISHED', status: ['CONFIRMED'], timeoutSec: 300, mark: 0, zone: 0, use: 1,
    counters: { orig: { packets: 1, bytes: 100 }, reply: { packets: 1, bytes: 100 } },
    labels: [], helper: null, ...over,
  };
}

/** A source whose dumps hold `flows`; events are pushed with emit(); ends when end() is called. */
class FakeSource implements FlowSource {
  flows: Flow[] = [];
  sink: SourceSink = () => undefined;
  refreshes = 0;
  closed = false;
  readonly health: SourceHealth = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
  readonly ended: Promise<void>;
  end!: () => void;
  /** When set, refresh() waits for it (a dump that never comes, until close()). */
  hang = false;
  private wakeHang: (() => void) | null = null;
  constructor(readonly schedulesRefreshes = false) {
    this.ended = new Promise((r) => (this.end = r));
  }
  private clock = T0;
  private dump(): void {
    const at = (this.clock += 1000);
    this.sink({ kind: 'dumpBegin', atMs: at });
    for (const f of this.flows) this.sink({ kind: 'dumpEntry', flow: { ...f } });
    this.sink({ kind: 'dumpEnd', atMs: at + 1, complete: true });
  }
  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.dump();
  }
  async refresh(): Promise<void> {
    this.refreshes++;
    if (this.hang) await new Promise<void>((r) => (this.wakeHang = r));
    if (!this.closed) this.dump();
  }
  emit(ev: SourceEvent): void {
    this.sink(ev);
  }
  close(): void {
    this.closed = true;
    this.wakeHang?.();
  }
}

/** Records what the session delivers, in order: 'new:1', 'stats:2' (stats with their total). */
class Recorder implements SessionOutput {
  readonly log: string[] = [];
  stats: TableStats[] = [];
  ended = 0;
  /** When set, changes() returns this promise (a stuck reader). */
  block: Promise<void> | null = null;
  changes(batch: readonly FlowChange[]): void | Promise<void> {
    for (const c of batch) this.log.push(c.kind === 'resync' ? 'resync' : `${c.kind}:${c.live.flow.id}`);
    return this.block ?? undefined;
  }
  refreshed(stats: TableStats): void {
    this.stats.push(stats);
    this.log.push(`stats:${stats.total}`);
  }
  sourceEnded(): void {
    this.ended++;
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function session(source: FlowSource, over: Partial<ConstructorParameters<typeof Session>[0]> = {}): { s: Session; abort: AbortController; warnings: string[] } {
  const abort = new AbortController();
  const warnings: string[] = [];
  const s = new Session({
    source, table: new FlowTable({ lingerMs: 5000, trackChanges: true }), intervalMs: 10, signal: abort.signal,
    warn: (m) => warnings.push(m), ...over,
  });
  return { s, abort, warnings };
}

t.test('--iterations N: exactly N refreshes, the initial dump being the first; each dump\'s changes before its stats', async (t) => {
  const src = new FakeSource();
  src.flows = [mk(1), mk(2)];
  const { s } = session(src, { iterations: 3 });
  const out = new Recorder();
  t.equal(await s.run(out), 'iterations');
  t.equal(out.stats.length, 3, 'three stats');
  t.equal(src.refreshes, 2, 'two refreshes after the initial dump');
  t.same(out.log.slice(0, 3), ['new:1', 'new:2', 'stats:2'], 'the initial dump\'s lines, then its stats at once');
});

t.test('tickStepRows: the table is ticked in steps, other tasks run between them, and the stats follow the whole tick', async (t) => {
  const src = new FakeSource();
  src.flows = Array.from({ length: 25 }, (_, i) => mk(i + 1));
  const table = new FlowTable({ lingerMs: 5000, trackChanges: true });
  const stepsFn = table.tickInSteps.bind(table);
  let steps = 0;
  let turnsBetween = 0;
  table.tickInSteps = function* (nowMs: number, rows: number) {
    t.equal(rows, 10);
    const g = stepsFn(nowMs, rows);
    while (!g.next().done) {
      steps++;
      // A task queued now runs before the next step only if the session yields a whole event-loop turn.
      const before = steps;
      setImmediate(() => { if (steps === before) turnsBetween++; });
      yield;
    }
  };
  const { s } = session(src, { iterations: 2, table, tickStepRows: 10 });
  const out = new Recorder();
  t.equal(await s.run(out), 'iterations');
  t.equal(steps, 4, '25 flows in steps of 10: two pauses a tick, two ticks');
  t.equal(turnsBetween, 4, 'a task queued at each pause ran before the next step');
  t.same(out.log.filter((l) => l.startsWith('stats')), ['stats:25', 'stats:25']);
  t.ok(out.stats.every((st) => st.total === 25));
});

t.test('events are delivered as they arrive, long before the next refresh', async (t) => {
  const src = new FakeSource();
  const { s, abort } = session(src, { intervalMs: 3_600_000 });
  const out = new Recorder();
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  src.emit({ kind: 'new', flow: mk(7, { counters: undefined, use: null }), atMs: T0 + 5 });
  await until(() => out.log.includes('new:7'), 'the new flow');
  src.emit({ kind: 'update', flow: mk(7, { state: 'FIN_WAIT', counters: undefined, use: null }), atMs: T0 + 6 });
  await until(() => out.log.includes('update:7'), 'its update');
  src.emit({ kind: 'destroy', flow: mk(7, { state: 'FIN_WAIT', status: ['CONFIRMED', 'DYING'] }), atMs: T0 + 7 });
  await until(() => out.log.includes('destroy:7'), 'its destroy');
  t.equal(out.stats.length, 1, 'no refresh happened meanwhile');
  t.equal(src.refreshes, 0);
  abort.abort();
  t.equal(await run, 'aborted');
});

t.test('a source that batches its events gets one delivery per turn: events of one turn share a batch, delivered right after it', async (t) => {
  const src = Object.assign(new FakeSource(), { batchesEvents: true });
  const { s, abort } = session(src, { intervalMs: 3_600_000 });
  const batches: string[][] = [];
  const out = new Recorder();
  const changes = out.changes.bind(out);
  out.changes = (b) => {
    batches.push(b.map((c) => (c.kind === 'resync' ? 'resync' : `${c.kind}:${c.live.flow.id}`)));
    return changes(b);
  };
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  batches.length = 0;
  // One read batch: three events in one turn.
  for (const id of [7, 8, 9]) src.emit({ kind: 'new', flow: mk(id, { counters: undefined, use: null }), atMs: T0 + id });
  await new Promise((r) => setImmediate(r));
  t.same(batches, [['new:7', 'new:8', 'new:9']], 'delivered by the next check phase, as one batch (no timer waited for)');
  abort.abort();
  t.equal(await run, 'aborted');
});

/** A Recorder whose reader leaves (EPIPE) after the first line it writes: closed a moment later, as a write callback. */
class LeavingReader extends Recorder {
  closed = false;
  private listeners: (() => void)[] = [];
  onClose(fn: () => void): void {
    this.listeners.push(fn);
  }
  leave(): void {
    this.closed = true;
    for (const fn of this.listeners) fn();
  }
  override changes(batch: readonly FlowChange[]): void | Promise<void> {
    super.changes(batch);
    if (this.stats.length > 0) setImmediate(() => this.leave());
  }
}

t.test('a reader that leaves ends the run at once, not at the next refresh', async (t) => {
  const src = new FakeSource();
  const { s } = session(src, { intervalMs: 3_600_000 });
  const out = new LeavingReader();
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  src.emit({ kind: 'new', flow: mk(7, { counters: undefined, use: null }), atMs: T0 + 5 });
  let end: string | undefined;
  void run.then((e) => (end = e));
  await until(() => end !== undefined, 'the end of the run');
  t.equal(end, 'output-closed');
  t.equal(src.refreshes, 0, 'no refresh came first');
});

t.test('an output that closes by itself (no line written) ends the run at once', async (t) => {
  const src = new FakeSource();
  const { s } = session(src, { intervalMs: 3_600_000 });
  const out = new LeavingReader();
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  out.leave();
  let end: string | undefined;
  void run.then((e) => (end = e));
  await until(() => end !== undefined, 'the end of the run');
  t.equal(end, 'output-closed');
  t.equal(src.refreshes, 0);
});

t.test('refreshNow and setInterval wake the cadence', async (t) => {
  const src = new FakeSource();
  const { s, abort } = session(src, { intervalMs: 3_600_000 });
  const out = new Recorder();
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  s.refreshNow();
  await until(() => out.stats.length === 2, 'a refresh on request');
  s.setInterval(5);
  t.equal(s.intervalMs, 10, 'clamped to the minimum');
  await until(() => out.stats.length >= 4, 'refreshes at the new interval');
  abort.abort();
  t.equal(await run, 'aborted');
});

t.test('a source that ends: one last refresh, sourceEnded, and (unless asked to stay) the run returns', async (t) => {
  const src = new FakeSource(true);
  src.hang = true;
  const { s } = session(src);
  const out = new Recorder();
  const run = s.run(out);
  await until(() => out.stats.length === 1, 'the first stats');
  src.emit({ kind: 'new', flow: mk(3, { counters: undefined, use: null }), atMs: T0 + 5 });
  src.end();
  t.equal(await run, 'source-ended');
  t.equal(out.ended, 1);
  t.same(out.log, ['stats:0', 'new:3', 'stats:1']);
});

t.test('staying after the end of the source until aborted', async (t) => {
  const src = new FakeSource(true);
  src.hang = true;
  const { s, abort } = session(src);
  const out = new Recorder();
  const run = s.run(out, { stayAfterSourceEnd: true });
  src.end();
  await until(() => out.ended === 1, 'sourceEnded');
  abort.abort();
  t.equal(await run, 'aborted');
});

t.test('a stuck output does not hold the table or the abort', async (t) => {
  const src = new FakeSource();
  const { s, abort } = session(src, { intervalMs: 3_600_000 });
  const out = new Recorder();
  out.block = new Promise(() => undefined); // never drains
  src.flows = [mk(1)];
  const run = s.run(out);
  await until(() => out.log.includes('new:1'), 'the first batch');
  src.emit({ kind: 'new', flow: mk(2, { counters: undefined, use: null }), atMs: T0 + 5 });
  await until(() => s.table.get(s.table.snapshot().find((l) => l.flow.id === 2)?.key ?? '') !== undefined, 'the table follows the source');
  t.notOk(out.log.includes('new:2'), 'nothing more delivered while the output waits');
  abort.abort();
  t.equal(await run, 'aborted', 'the abort ends the run although the output never drained');
  t.ok(src.closed, 'the source was closed');
});

t.test('an output with maxBatch takes the queue in slices; behind its reader, the rest waits in the table and coalesces', async (t) => {
  const src = new FakeSource();
  const { s, abort } = session(src, { intervalMs: 3_600_000 });
  const out = new (class extends Recorder {
    readonly maxBatch = 2;
    sizes: number[] = [];
    override changes(batch: readonly FlowChange[]): void | Promise<void> {
      this.sizes.push(batch.length);
      return super.changes(batch);
    }
  })();
  let release!: () => void;
  out.block = new Promise((r) => (release = r)); // the reader is behind from the first slice on
  src.flows = [mk(1), mk(2), mk(3), mk(4), mk(5)];
  const run = s.run(out);
  await until(() => out.log.length > 0, 'the first slice');
  t.same(out.log, ['new:1', 'new:2'], 'one slice of two flows, then the output waits');
  t.equal(s.table.pendingChanges, 3, 'the other three wait in the table');
  src.emit({ kind: 'destroy', flow: mk(4, { status: ['CONFIRMED', 'DYING'], stopNs: '5' }), atMs: T0 + 5 });
  out.block = null;
  release();
  await until(() => out.log.includes('stats:4'), 'the first stats line');
  t.same(out.log, ['new:1', 'new:2', 'new:3', 'destroy:4', 'new:5', 'stats:4'], 'flow 4, born and closed while it waited, is one destroy');
  t.ok(out.sizes.every((n) => n <= 2), `slices of at most two flows (${out.sizes.join(',')})`);
  abort.abort();
  t.equal(await run, 'aborted');
});

t.test('an abort ends a refresh that never completes', async (t) => {
  const src = new FakeSource();
  src.hang = true;
  const { s, abort } = session(src, { intervalMs: 10 });
  const out = new Recorder();
  const run = s.run(out);
  await until(() => src.refreshes === 1, 'a refresh under way');
  abort.abort();
  t.equal(await run, 'aborted');
});

t.test('notices from the source go to the warning sink, not the table', async (t) => {
  const src = new FakeSource();
  const { s, abort, warnings } = session(src, { intervalMs: 3_600_000 });
  const run = s.run(new Recorder());
  await until(() => src.sink !== undefined && s.table.stats().dumps === 1, 'started');
  src.emit({ kind: 'notice', message: 'a gap' });
  t.same(warnings, ['a gap']);
  abort.abort();
  await run;
});

t.test('a failing source rejects the run', async (t) => {
  const src = new FakeSource();
  src.start = () => Promise.reject(Object.assign(new Error('no'), { code: 'EPERM' }));
  const { s } = session(src);
  await t.rejects(s.run(new Recorder()), { code: 'EPERM' });
});
