// LineWriter: lines arrive exactly (UTF-8, any length, across chunk boundaries); EPIPE closes it quietly.
// renderTable: aligned columns, empty optional columns dropped.
import t from 'tap';
import { PassThrough, Writable } from 'node:stream';
import { LineWriter, renderTable } from '../../lib/output.js';
import type { Flow } from '../../lib/flow.js';

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

t.test('the text table aligns columns and drops empty optional ones', async (t) => {
  const f = (id: number, src: string, sport: number): Flow => ({
    id, family: 'ipv4', proto: 'tcp', protoNum: 6, orig: { src, dst: '10.0.0.9', sport, dport: 443 },
    reply: { src: '10.0.0.9', dst: src, sport: 443, dport: sport }, state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'],
    timeoutSec: 100, mark: 0, zone: 0, use: 1, labels: [], helper: null,
  });
  const lines = renderTable([{ flow: f(1, '10.0.0.1', 1) }, { flow: f(2, '10.0.0.123', 65535) }]);
  t.equal(lines.length, 3);
  t.match(lines[0], /^PROTO STATE +SOURCE +SPORT DESTINATION DPORT PKTS BYTES TIMEOUT FLAGS$/);
  t.equal(lines[1].indexOf('10.0.0.9'), lines[2].indexOf('10.0.0.9'), 'columns align');
  t.notMatch(lines[0], /MARK|ZONE|SERVICE|PROCESS/, 'columns empty for every row are left out');
});
