// Tests for server/line-framer.ts: table cases (split, glued, CRLF, blank, the cap exactly and one over it,
// binary, truncated); the fuzz properties live in fuzz/server-lines.prop.ts.
import t from 'tap';
import { LineFramer } from '../../server/line-framer.js';

function frame(chunks: (string | Buffer)[], cap = 8): { lines: string[]; error: string | null; truncated: boolean } {
  const lines: string[] = [];
  let error: string | null = null;
  const f = new LineFramer(cap, (l) => lines.push(l), (e) => (error = e));
  for (const c of chunks) f.push(typeof c === 'string' ? Buffer.from(c) : c);
  return { lines, error, truncated: f.end() };
}

const cases: { name: string; input: (string | Buffer)[]; want: string[]; wantError?: string; truncated?: boolean }[] = [
  { name: 'one line', input: ['abc\n'], want: ['abc'] },
  { name: 'glued lines', input: ['a\nb\nc\n'], want: ['a', 'b', 'c'] },
  { name: 'split across chunks', input: ['ab', 'c\nd', 'e\n'], want: ['abc', 'de'] },
  { name: 'CRLF', input: ['ab\r\n'], want: ['ab'] },
  { name: 'blank lines skipped', input: ['\n\r\n\na\n'], want: ['a'] },
  { name: 'exactly the cap', input: ['12345678\n'], want: ['12345678'] },
  { name: 'the cap split over chunks', input: ['1234', '5678\n'], want: ['12345678'] },
  { name: 'one byte over the cap', input: ['123456789\n'], want: [], wantError: 'line-too-long' },
  { name: 'over the cap without a newline', input: ['12345', '6789'], want: [], wantError: 'line-too-long' },
  { name: 'lines before a long one still count', input: ['ok\n123456789'], want: ['ok'], wantError: 'line-too-long' },
  { name: 'a multi-byte character split', input: [Buffer.from([0xc3]), Buffer.from([0xa9, 10])], want: ['é'] },
  { name: 'not UTF-8', input: [Buffer.from([0xff, 0xfe, 10])], want: [], wantError: 'bad-utf8' },
  { name: 'nothing after an error', input: [Buffer.from([0xff, 10]), 'a\n'], want: [], wantError: 'bad-utf8' },
  { name: 'truncated at the end', input: ['a\nbc'], want: ['a'], truncated: true },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = frame(c.input);
    t.same(r.lines, c.want);
    t.equal(r.error, c.wantError ?? null);
    t.equal(r.truncated, c.truncated ?? false);
  });
}
