// LineWriter: lines arrive exactly (UTF-8, any length, across chunk boundaries); EPIPE closes it quietly;
// any other write failure (ENOSPC, EIO) closes it and is kept as an OutputError for a one-line report.
// (The text table's tests are in text-table.test.ts.)
import t from 'tap';
import { PassThrough, Writable } from 'node:stream';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { LineWriter, OutputError } from '../../lib/output.js';
import { explain } from '../../lib/errors.js';

t.test('every line arrives exactly, whatever its length or characters', async (t) => {
  const p = new PassThrough();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  const w = new LineWriter(p);
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`${'x'.repeat(i % 300)}é€😀${i}`);
  lines.push('y'.repeat(300_000)); // longer than a chunk
  lines.push('');
  for (const l of lines) w.line(l);
  await w.end();
  t.equal(Buffer.concat(chunks).toString('utf8'), `${lines.join('\n')}\n`);
});

t.test('EPIPE (the reader went away) closes the writer instead of throwing', async (t) => {
  const dead = new Writable({ write(_c, _e, cb) { const e = Object.assign(new Error('EPIPE'), { code: 'EPIPE' }); cb(e); } });
  const w = new LineWriter(dead);
  w.line('a');
  w.flush();
  await new Promise((r) => setImmediate(r));
  t.equal(w.closed, true);
  t.doesNotThrow(() => w.line('b'));
  await w.end();
});

/** A stream whose every write fails with `code`, through the write callback (as Node reports it first). */
const failing = (code: string): Writable => new Writable({ write(_c, _e, cb) { cb(Object.assign(new Error(`write ${code}`), { code })); } });

t.test('EPIPE is a quiet end: no error to report', async (t) => {
  const w = new LineWriter(failing('EPIPE'));
  w.line('a');
  await w.end();
  t.equal(w.closed, true);
  t.equal(w.error, undefined);
  await t.resolves(w.finish());
});

t.test('any other write failure closes the writer and is kept, typed, for the caller', async (t) => {
  for (const code of ['ENOSPC', 'EIO']) {
    const w = new LineWriter(failing(code));
    w.line('a');
    await w.end();
    t.equal(w.closed, true, `${code} closes`);
    t.ok(w.error instanceof OutputError);
    t.equal(w.error?.code, 'WRITE_FAILED');
    t.equal(w.error?.reason, code);
    t.doesNotThrow(() => w.line('b'), 'later lines are dropped, not thrown');
    await t.rejects(w.finish(), { code: 'WRITE_FAILED' });
    t.notMatch(explain(w.error), /\n/, 'explained in one line');
  }
});

t.test('a long line (written past the chunk) that fails is reported too', async (t) => {
  const w = new LineWriter(failing('ENOSPC'));
  w.line('z'.repeat(300_000));
  await t.rejects(w.finish(), { code: 'WRITE_FAILED' });
});

t.test('/dev/full through a descriptor stream gives ENOSPC', { skip: process.platform === 'linux' ? false : '/dev/full is Linux' }, async (t) => {
  const fd = openSync('/dev/full', 'w');
  t.teardown(() => closeSync(fd));
  const s = createWriteStream('', { fd, autoClose: false });
  const w = new LineWriter(s);
  for (let i = 0; i < 1000; i++) w.line(`line ${i}`);
  await t.rejects(w.finish(), { code: 'WRITE_FAILED', reason: 'ENOSPC' });
});
