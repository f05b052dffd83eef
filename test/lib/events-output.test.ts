// `conntop --events` at its edges, run as the built CLI: a write error ends it with one line and status 1,
// a user without CAP_NET_ADMIN reads the one error that matters first and alone, and a paced replay stops
// on SIGINT while it waits (not at its next record).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NOBODY, unprivilegedCli } from '../helpers/unprivileged.js';
import { HOST_IS_LE } from '../../netlink/reader.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
const golden = join(root, 'test/fixtures/golden/events-lifecycle.pcap');
const quiet = ['-n', '--no-geoip', '--no-services', '--no-processes'];
const skipLE = !HOST_IS_LE && 'little-endian capture';
// `env -i`: tap instruments spawned children through NODE_OPTIONS, which writes into .tap/ (not for another uid).
const env = ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'HOME=/tmp', process.execPath, cli];

t.before(() => {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
});

t.test('--events > /dev/full: one line of reason, status 1', { skip: skipLE || (existsSync('/dev/full') ? false : 'no /dev/full') }, async (t) => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync('env', [...env, '--events', '--replay', golden, '--speed', 'max', ...quiet], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', full, 'pipe'] });
    t.equal(r.status, 1);
    t.match(r.stderr, /^conntop: cannot write the output \(ENOSPC\)[^\n]*\n$/);
  } finally {
    closeSync(full);
  }
});

// The unprivileged user runs a readable copy of the CLI: the checkout may sit where only root can enter (/root).
const nobody = unprivilegedCli(t, root);

t.test('without CAP_NET_ADMIN, --events prints its one error first and alone', { skip: typeof nobody === 'string' ? nobody : false }, async (t) => {
  const copy = (nobody as Exclude<typeof nobody, string>).cli;
  const r = spawnSync('env', [...env.slice(0, -1), copy, '--events', ...quiet], { encoding: 'utf8', timeout: 30_000, ...NOBODY });
  t.equal(r.status, 1);
  t.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, `one line: ${r.stderr}`);
  t.match(r.stderr, /CAP_NET_ADMIN/);
});

t.test('a slow replay stops on SIGINT while it waits for its next record', { skip: skipLE }, async (t) => {
  // At a speed of 0.01 the golden capture's records are seconds apart (each pause capped at 1 s): the signal must end the wait.
  const c = spawn('env', [...env, '--events', '--replay', golden, '--speed', '0.01', ...quiet], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
  for (const end = Date.now() + 20_000; !out.includes('"stats"');) {
    if (Date.now() > end) throw new Error('no first stats line');
    await new Promise((r) => setTimeout(r, 20));
  }
  c.kill('SIGINT'); // env execs node: the signal reaches conntop itself
  const late = new Promise<'late'>((r) => setTimeout(() => r('late'), 5000));
  t.equal(await Promise.race([exited, late]), 130, 'exits with 128 + SIGINT within the deadline');
});

t.test('--replay --enrich says once that a capture has no sockets to look up', { skip: skipLE }, async (t) => {
  const r = spawnSync('env', [...env, '--events', '--replay', golden, '--speed', 'max', '--enrich', '-n', '--no-geoip'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr.match(/no sockets to look up/g)?.length, 1);
});

t.test('under backpressure, lines describe the flows as they were when the batch was handed over', async (t) => {
  const { Writable } = await import('node:stream');
  const { FlowTable } = await import('../../lib/flow-table.js');
  const { EventsOutput } = await import('../../lib/events-output.js');
  const written: string[] = [];
  const gate: { release?: () => void } = {};
  // A reader that takes the first chunk and then stalls until released.
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      if (written.length === 1) gate.release = cb;
      else cb();
    },
  });
  const tb = new FlowTable({ lingerMs: 5000, trackChanges: true });
  const flow = (id: number) => ({
    id, family: 'ipv4' as const, proto: 'tcp', protoNum: 6, orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: id, dport: 80 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: id }, state: 'SYN_SENT', status: ['CONFIRMED'], timeoutSec: 120,
    mark: 0, zone: 0, use: null, labels: [], helper: null,
  });
  const out = new EventsOutput(stream, { signal: new AbortController().signal });
  // A first line fills the stream's buffer: the next batch's lines wait for the reader.
  tb.apply({ kind: 'new', flow: flow(1), atMs: 1000 });
  await out.changes(tb.drainChanges());
  while (!gate.release) await new Promise((r) => setTimeout(r, 2)); // the line leaves within milliseconds
  for (let id = 2; id <= 4; id++) tb.apply({ kind: 'new', flow: flow(id), atMs: 1000 });
  const pending = out.changes(tb.drainChanges());
  t.ok(pending instanceof Promise, 'the batch waits for the reader');
  for (let id = 2; id <= 4; id++) tb.apply({ kind: 'destroy', flow: { ...flow(id), status: ['CONFIRMED', 'DYING'], stopNs: '5' }, atMs: 2000 });
  gate.release!();
  await pending;
  await out.finish();
  const text = written.join('');
  t.equal(text.trim().split('\n').length, 4, 'four new lines');
  t.notMatch(text, /DYING/, 'no line shows the later destroy');
});

// Found by test/it/live.test.ts under CI: once changes waited 2 ms for more, a NEW event read just before
// SIGINT was applied to the table but its batch reached the output after the abort, which dropped it.
t.test('a batch handed over after an abort is still written, without waiting', async (t) => {
  const { PassThrough } = await import('node:stream');
  const { EventsOutput } = await import('../../lib/events-output.js');
  const { FlowTable } = await import('../../lib/flow-table.js');
  const { mkFlow } = await import('../helpers/serve-harness.js');
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const abort = new AbortController();
  const out = new EventsOutput(stream, { signal: abort.signal });
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  table.apply({ kind: 'new', flow: mkFlow(7), atMs: 1_700_000_000_000 });
  abort.abort();
  await out.changes(table.drainChanges());
  await out.finish();
  await new Promise((r) => setImmediate(r));
  t.match(text, /^\{"event":"new"/, 'the new line is written');
  t.equal(text.split('\n').filter((l) => l).length, 1);
});

// The first table's garbage (its lines, a socket stream's chunks) is handed back at once: without it V8 kept
// the heap grown for a 50k-flow first table until its memory reducer ran (140 MiB RSS for 8 s, then 103).
t.test('the end of the first table calls released once, after its stats line is out', async (t) => {
  const { PassThrough } = await import('node:stream');
  const { EventsOutput } = await import('../../lib/events-output.js');
  const { FlowTable } = await import('../../lib/flow-table.js');
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const seen: string[] = [];
  const out = new EventsOutput(stream, { signal: new AbortController().signal, released: () => seen.push(text) });
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  const health = { lost: 0, resyncs: 0 } as unknown as Parameters<typeof out.refreshed>[1];
  await out.refreshed(table.stats(), health, 1000);
  await out.refreshed(table.stats(), health, 2000);
  await out.finish();
  t.equal(seen.length, 1, 'once');
  t.match(seen[0], /^\{"event":"stats","atMs":1000/, 'after the first stats line was written');
});

// With a source that batches its reads (shim patch v3), each batch is one burst of events: written at once,
// no FLUSH_MS timer (one more wake-up per burst).
t.test('flushAtOnce: a batch is handed to the stream during changes()', async (t) => {
  const { Writable } = await import('node:stream');
  const { EventsOutput } = await import('../../lib/events-output.js');
  const { FlowTable } = await import('../../lib/flow-table.js');
  const { mkFlow } = await import('../helpers/serve-harness.js');
  const writes: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { writes.push(chunk.toString()); cb(); } });
  for (const flushAtOnce of [true, false]) {
    writes.length = 0;
    const out = new EventsOutput(stream, { signal: new AbortController().signal, flushAtOnce });
    const table = new FlowTable({ lingerMs: 0, trackChanges: true });
    table.apply({ kind: 'new', flow: mkFlow(7), atMs: 1_700_000_000_000 });
    table.apply({ kind: 'new', flow: mkFlow(8), atMs: 1_700_000_000_001 });
    await out.changes(table.drainChanges());
    t.equal(writes.length, flushAtOnce ? 1 : 0, flushAtOnce ? 'one write for the batch, at once' : 'buffered for FLUSH_MS otherwise');
    await out.finish();
    t.equal(writes.join('').split('\n').filter((l) => l).length, 2, 'both lines out in the end');
  }
});
