// Tests for lib/serve-loop.ts with a fake source and a fake server: asleep until a client, a wake opens the
// source and turns the sysctls on, refreshes reach the server, and the last client leaving closes the source,
// restores the sysctls and empties the table; --no-sleep follows from the start.
import t from 'tap';
import { FlowTable } from '../../lib/flow-table.js';
import { serveLoop, type ServedOutput } from '../../lib/serve-loop.js';
import type { FlowSource, SourceSink } from '../../lib/source.js';
import { mkFlow, until } from '../helpers/serve-harness.js';

class FakeSource implements FlowSource {
  health = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
  readonly ended = new Promise<void>(() => undefined);
  readonly schedulesRefreshes = false;
  closed = false;
  private sink: SourceSink = () => undefined;
  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.dump();
  }
  async refresh(): Promise<void> {
    this.dump();
  }
  close(): void {
    this.closed = true;
  }
  private dump(): void {
    this.sink({ kind: 'dumpBegin', atMs: Date.now() });
    for (let i = 0; i < 5; i++) this.sink({ kind: 'dumpEntry', flow: mkFlow(i) });
    this.sink({ kind: 'dumpEnd', atMs: Date.now(), complete: true });
  }
}

class FakeServer implements ServedOutput {
  clientCount = 0;
  asleep = false;
  refreshes = 0;
  woken = 0;
  private waiters: (() => void)[] = [];
  changes(): void {}
  refreshed(): void {
    this.refreshes++;
  }
  nextClient(signal: AbortSignal): Promise<void> {
    if (this.clientCount > 0) return Promise.resolve();
    return new Promise((r) => {
      this.waiters.push(r);
      signal.addEventListener('abort', () => r());
    });
  }
  sleep(): void {
    this.asleep = true;
  }
  woke(): void {
    this.asleep = false;
    this.woken++;
  }
  connect(): void {
    this.clientCount++;
    for (const w of this.waiters.splice(0)) w();
  }
}

t.test('asleep until a client; awake while one stays; asleep again, with the table emptied', async (t) => {
  const table = new FlowTable({ lingerMs: 0, maxClosed: 0, trackChanges: true });
  const server = new FakeServer();
  const sources: FakeSource[] = [];
  let sysctls = 0;
  const abort = new AbortController();
  const logs: string[] = [];
  const releasedWith: number[] = [];
  const loop = serveLoop({
    table, server, intervalMs: 10, sleepWhenIdle: true, signal: abort.signal, log: (m) => logs.push(m),
    released: () => releasedWith.push(table.stats().total),
    open: () => {
      const s = new FakeSource();
      sources.push(s);
      return { source: s, finish: () => s.close() };
    },
    sysctlsOn: () => sysctls++, sysctlsOff: () => sysctls--,
  });
  await until(() => server.asleep, 'asleep at start');
  t.equal(sources.length, 0, 'no source while asleep');
  server.connect();
  await until(() => server.woken === 1 && server.refreshes >= 3, 'awake and refreshing');
  t.equal(sysctls, 1, 'sysctls on');
  t.equal(table.stats().total, 5);
  server.clientCount = 0;
  await until(() => sources[0].closed, 'the source closed once the client left');
  t.equal(sysctls, 0, 'sysctls restored');
  t.equal(table.stats().total, 0, 'the table emptied');
  t.same(releasedWith, [0], 'released once asleep, after the table was emptied (a full collection frees it)');
  server.connect();
  await until(() => server.woken === 2 && sources.length === 2, 'woken again, with a new source');
  abort.abort();
  await loop;
  t.ok(sources[1].closed, 'closed on abort');
  t.match(logs.join('\n'), /asleep until a client[^]*awake[^]*no client left: asleep/);
});

t.test('--no-sleep follows from the start and stops after --iterations', async (t) => {
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  const server = new FakeServer();
  const src = new FakeSource();
  await serveLoop({
    table, server, intervalMs: 1, sleepWhenIdle: false, iterations: 3, signal: new AbortController().signal, log: () => undefined,
    open: () => ({ source: src, finish: () => src.close() }), sysctlsOn: () => undefined, sysctlsOff: () => undefined,
  });
  t.equal(server.refreshes, 3, 'the first dump counts as the first of three refreshes (as in Session)');
  t.ok(src.closed);
});
