// LineWriter: lines arrive exactly (UTF-8, any length, across chunk boundaries); EPIPE closes it quietly.
// (The text table's tests are in text-table.test.ts.)
import t from 'tap';
import { PassThrough, Writable } from 'node:stream';
import { LineWriter } from '../../lib/output.js';

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
