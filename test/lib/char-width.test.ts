// Terminal widths of text: the table agrees with string-kit's (terminal-kit places cells by it), and
// cutting/padding by columns keeps every line exactly as wide as asked with CJK, emoji and combining marks.
import t from 'tap';
import { createRequire } from 'node:module';
import { codePointWidth, headOfWidth, tailOfWidth, textWidth } from '../../lib/char-width.js';
import { cutTo, fit } from '../../lib/format.js';

const require = createRequire(import.meta.url);

t.test('every code point has the width terminal-kit gives it', (t) => {
  // string-kit is terminal-kit's own dependency, its measure of a cell (the view writes its cells itself).
  const stringKit = require('string-kit') as { unicode: { codePointWidth(cp: number): number } };
  const wrong: number[] = [];
  for (let cp = 0x20; cp <= 0x3ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (codePointWidth(cp) !== stringKit.unicode.codePointWidth(cp)) wrong.push(cp);
  }
  t.same(wrong.slice(0, 10), [], 'no code point differs');
  t.end();
});

t.test('widths of mixed text', (t) => {
  t.equal(textWidth('curl'), 4);
  t.equal(textWidth('服务器'), 6, 'CJK: two columns each');
  t.equal(textWidth('caf\u0065\u0301'), 4, 'a combining accent takes no column');
  t.equal(textWidth('🚀x'), 3, 'an emoji (a surrogate pair) takes two columns');
  t.equal(headOfWidth('服务器', 3), '服', 'a wide character is never split');
  t.equal(tailOfWidth('服务器', 5), '务器');
  t.equal(tailOfWidth('e\u0301x', 1), 'x');
  t.equal(tailOfWidth('ae\u0301', 1), 'e\u0301', 'a combining mark stays with its base');
  t.end();
});

t.test('fit pads and cuts by columns', (t) => {
  for (const s of ['服务器-名字', 'näme', 'e\u0301e\u0301e\u0301e\u0301', '🚀🚀🚀🚀', 'plain-ascii-text', '中a文b字c']) {
    for (let w = 1; w <= 14; w++) {
      for (const align of ['left', 'right'] as const) {
        for (const cut of ['end', 'middle'] as const) {
          const out = fit(s, w, align, cut);
          t.equal(textWidth(out), w, `fit(${JSON.stringify(s)}, ${w}, ${align}, ${cut}) is ${w} columns: ${JSON.stringify(out)}`);
          if (textWidth(s) > w) t.ok(out.includes('…'), 'a cut is visible');
        }
      }
    }
  }
  t.equal(cutTo('服务器', 4), '服…');
  t.equal(fit('服务器', 4, 'left', 'middle'), '服… ', 'a middle cut that cannot split a wide character pads');
  t.end();
});
