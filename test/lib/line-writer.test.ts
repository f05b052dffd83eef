// Tests for LineWriter's chunk reuse and back-pressure (lib/output.ts). A chunk handed to a stream must never
// change while the stream may still read it: streams without a descriptor always get fresh chunks, descriptor
// streams get a chunk back only once the write completed. `backlogged` and `drained()` let a writer wait.
// Output is compared byte for byte: in memory, through a fake descriptor stream, a real file and a real pipe.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getEventListeners } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { LineWriter } from '../../lib/output.js';

const root = resolve(import.meta.dirname, '../..');
const outputJs = pathToFileURL(join(root, 'dist/lib/output.js')).href;

/** `n` lines of 0 to ~1.4 KiB, ASCII and multi-byte UTF-8 (2, 3 and 4 bytes), each numbered: ~2 MiB for 3000. */
function lines(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${i}:${'é€😀'.repeat(i % 61)}${'x'.repeat((i * 7919) % 1200)}`);
  return out;
}
const text = (ls: string[]): string => `${ls.join('\n')}\n`;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('a stream without a descriptor: bytes read after all writes equal every line (no chunk reused)', async (t) => {
  const p = new PassThrough();
  const w = new LineWriter(p);
  const ls = lines(3000);
  ls.push('y'.repeat(300_000), ''); // a line longer than a chunk, and an empty one
  for (const [i, l] of ls.entries()) {
    w.line(l);
    if (i % 500 === 0) w.flush(); // flushes at odd fill levels as well as full chunks
  }
  w.flush();
  t.ok(p.writableLength > 256 * 1024, 'the stream still holds several chunks, unread');
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  await w.end();
  t.equal(Buffer.concat(chunks).toString('utf8'), text(ls));
});

/**
 * A descriptor stream (fd 99) that completes each write at once (`sync`) or when released. It copies each
 * chunk when it takes it and counts chunks whose bytes changed before it let them go.
 */
class FakeFdStream extends Writable {
  readonly fd = 99;
  readonly taken: Buffer[] = [];
  readonly arrayBuffers = new Set<ArrayBufferLike>();
  mutated = 0;
  writes = 0;
  private readonly pending: (() => void)[] = [];
  private flowing = false;
  constructor(private readonly sync: (n: number) => boolean) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const copy = Buffer.from(chunk);
    this.taken.push(copy);
    if (chunk.length > 0) this.arrayBuffers.add(chunk.buffer);
    const done = (): void => {
      if (!chunk.equals(copy)) this.mutated++;
      cb();
    };
    if (this.sync(this.writes++)) done();
    else if (this.flowing) setImmediate(done);
    else this.pending.push(done);
  }

  /** Completes the write in progress (the stream hands the next buffered chunk to _write afterwards). */
  release(): void {
    for (const f of this.pending.splice(0)) f();
  }

  /** Completes the write in progress and every later one, each on a later turn of the event loop. */
  releaseAll(): void {
    this.flowing = true;
    this.release();
  }
}

const fdCases: { name: string; sync: (n: number) => boolean; releaseEvery: number; reuse: boolean }[] = [
  { name: 'every write deferred, released only at the end', sync: () => false, releaseEvery: Infinity, reuse: false },
  { name: 'every write deferred, released every third line batch', sync: () => false, releaseEvery: 3, reuse: true },
  { name: 'writes complete at once', sync: () => true, releaseEvery: Infinity, reuse: true },
  { name: 'one write in three completes at once, the rest released every other batch', sync: (n) => n % 3 === 0, releaseEvery: 2, reuse: true },
];

for (const c of fdCases) {
  t.test(`a descriptor stream, ${c.name}: no chunk changes while the stream holds it`, async (t) => {
    const s = new FakeFdStream(c.sync);
    const w = new LineWriter(s);
    const ls = lines(3000);
    for (let i = 0; i < ls.length; i++) {
      w.line(ls[i]);
      if (i % 100 === 99) {
        w.flush();
        if ((i + 1) % (100 * c.releaseEvery) === 0) s.release();
        await tick();
      }
    }
    const ended = w.end();
    s.releaseAll();
    await ended;
    t.equal(s.mutated, 0, 'no chunk changed between the stream taking it and its write completing');
    t.equal(Buffer.concat(s.taken).toString('utf8'), text(ls), 'the bytes taken are every line');
    const flushes = s.taken.filter((b) => b.length > 0).length;
    if (c.reuse) t.ok(s.arrayBuffers.size < flushes, `chunks reused: ${s.arrayBuffers.size} buffers for ${flushes} writes`);
    else t.equal(s.arrayBuffers.size, flushes, 'nothing came back, so every chunk is new');
  });
}

t.test('a file through fs.createWriteStream on a descriptor (asynchronous writes) is byte-exact', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'out.txt');
  const ws = createWriteStream('', { fd: openSync(path, 'w') });
  const w = new LineWriter(ws);
  const ls = lines(3000);
  for (const [i, l] of ls.entries()) {
    w.line(l);
    if (w.backlogged) await w.drained();
    if (i % 700 === 0) await tick();
  }
  await w.end();
  await new Promise<void>((r) => ws.end(r));
  t.equal(readFileSync(path, 'utf8'), text(ls));
});

/** Child: reads lines (JSON) from argv[1] and writes them to its stdout through LineWriter, waiting when backlogged. */
const CHILD = `
import { readFileSync } from 'node:fs';
const { LineWriter } = await import(process.argv[2]);
const ls = JSON.parse(readFileSync(process.argv[1], 'utf8'));
const w = new LineWriter(process.stdout);
for (const l of ls) { w.line(l); if (w.backlogged) await w.drained(); }
await w.end();
process.stderr.write(typeof process.stdout.fd === 'number' ? 'fd' : 'no fd');
`;

t.test('a child whose stdout is a file (synchronous descriptor writes, chunks reused at once) is byte-exact', async (t) => {
  const dir = t.testdir({});
  const ls = lines(4000);
  writeFileSync(join(dir, 'lines.json'), JSON.stringify(ls));
  const fd = openSync(join(dir, 'out.txt'), 'w');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, join(dir, 'lines.json'), outputJs], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
  closeSync(fd);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, 'fd', 'the child saw a descriptor stream');
  t.ok(readFileSync(join(dir, 'out.txt')).equals(Buffer.from(text(ls))));
});

t.test('a child whose stdout is a pipe read slowly is byte-exact', async (t) => {
  const dir = t.testdir({});
  const ls = lines(4000);
  writeFileSync(join(dir, 'lines.json'), JSON.stringify(ls));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, join(dir, 'lines.json'), outputJs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    child.stdout.pause(); // a slow reader: the pipe fills and the child's writes wait
    setImmediate(() => setImmediate(() => child.stdout.resume()));
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  t.equal(code, 0, err);
  t.equal(err, 'fd');
  t.ok(Buffer.concat(chunks).equals(Buffer.from(text(ls))));
});

/** A stream whose writes complete only when released, with a 1-byte high-water mark: one line backlogs it. */
function slowStream(emitClose = true): { s: Writable; release: () => void } {
  const pending: (() => void)[] = [];
  const s = new Writable({ highWaterMark: 1, emitClose, write(_c, _e, cb) { pending.push(() => cb()); } });
  return { s, release: () => { for (const f of pending.splice(0)) f(); } };
}

function backlog(t: Test, emitClose = true): { s: Writable; w: LineWriter; release: () => void } {
  const { s, release } = slowStream(emitClose);
  const w = new LineWriter(s);
  t.equal(w.backlogged, false, 'nothing written yet');
  w.line('a line');
  w.flush();
  t.equal(w.backlogged, true, 'over the high-water mark');
  return { s, w, release };
}

/** Whether `p` has settled after the callbacks queued so far have run (an ordering check, not a timing one). */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await tick();
  return done;
}

const listeners = (s: Writable): number => s.listenerCount('drain') + s.listenerCount('close') + s.listenerCount('error');

t.test('drained(): at once when not backlogged', async (t) => {
  const w = new LineWriter(new PassThrough());
  t.equal(await settled(w.drained()), true);
});

t.test('drained(): resolves on drain, and removes its listeners (the signal\'s too)', async (t) => {
  const { s, w, release } = backlog(t);
  const before = listeners(s);
  const ac = new AbortController();
  const p = w.drained(ac.signal);
  t.equal(await settled(p), false, 'waits while the stream is full');
  t.equal(getEventListeners(ac.signal, 'abort').length, 1);
  release();
  await p;
  t.equal(w.backlogged, false);
  t.equal(listeners(s), before, 'stream listeners removed');
  t.equal(getEventListeners(ac.signal, 'abort').length, 0, 'abort listener removed');
});

t.test('drained(): resolves when the stream closes, or fails without a close event', async (t) => {
  for (const [name, emitClose, err] of [['close', true, undefined], ['error', false, Object.assign(new Error('EIO'), { code: 'EIO' })]] as const) {
    const { s, w } = backlog(t, emitClose);
    const p = w.drained();
    t.equal(await settled(p), false);
    s.destroy(err);
    await p;
    t.pass(`on ${name}`);
  }
});

t.test('drained(): resolves when the signal aborts, or at once if it already has', async (t) => {
  const { s, w } = backlog(t);
  const before = listeners(s);
  const ac = new AbortController();
  const p = w.drained(ac.signal);
  t.equal(await settled(p), false);
  ac.abort();
  await p;
  t.equal(listeners(s), before, 'stream listeners removed');
  t.equal(await settled(w.drained(ac.signal)), true, 'an aborted signal does not wait');
});

t.test('backlogged is false once the reader went away (EPIPE), though the stream still says it needs a drain', async (t) => {
  const epipe = Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
  const s = new Writable({ highWaterMark: 1, autoDestroy: false, write(_c, _e, cb) { setImmediate(() => cb(epipe)); } });
  const w = new LineWriter(s);
  w.line('a');
  w.flush();
  t.equal(w.backlogged, true);
  await tick();
  await tick();
  t.equal(w.closed, true);
  t.equal(s.writableNeedDrain, true, 'a drain that will never come');
  t.equal(w.backlogged, false);
  t.equal(await settled(w.drained()), true);
});

t.test('onClosed runs once when the reader goes away (EPIPE), so its owner can stop at once', async (t) => {
  const epipe = Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
  const s = new Writable({ highWaterMark: 1, autoDestroy: false, write(_c, _e, cb) { setImmediate(() => cb(epipe)); } });
  const w = new LineWriter(s);
  let calls = 0;
  w.onClosed = () => calls++;
  w.line('a');
  w.flush();
  await tick();
  await tick();
  t.equal(w.closed, true);
  t.equal(calls, 1);
  w.line('b');
  w.flush();
  await tick();
  t.equal(calls, 1, 'once');
});
