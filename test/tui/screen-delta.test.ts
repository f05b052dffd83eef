// Tests for tui/screen-delta.ts: the first frame draws every cell, later frames only the changed runs, with the
// attributes as SGR, wide characters written from their left half, and a reset redrawing everything.
import t from 'tap';
import { attr, BOLD, COLOR, Grid, INVERSE } from '../../tui/grid.js';
import { ScreenDelta, sgr } from '../../tui/screen-delta.js';

/** Applies encode()'s output to a plain character screen (CUP and text; SGR skipped): what a terminal shows. */
function apply(screen: string[][], out: string): void {
  let x = 0, y = 0;
  const re = /\x1b\[(\d+);(\d+)H|\x1b\[[0-9;]*[mJ]|([^\x1b])/gu;
  for (const m of out.matchAll(re)) {
    if (m[1]) { y = Number(m[1]) - 1; x = Number(m[2]) - 1; }
    else if (m[3]) {
      screen[y][x] = m[3];
      if (/[\u3000-\u9fff]/u.test(m[3])) { screen[y][x + 1] = ''; x += 2; } else x++;
    }
  }
}

t.test('SGR of an attribute', async (t) => {
  t.equal(sgr(0), '\x1b[0m');
  t.equal(sgr(attr(COLOR.black, COLOR.cyan)), '\x1b[0;30;46m');
  t.equal(sgr(attr(COLOR.brightRed, undefined, BOLD | INVERSE)), '\x1b[0;1;7;91m');
});

t.test('full frame, then only what changed', async (t) => {
  const d = new ScreenDelta();
  const screen = Array.from({ length: 3 }, () => new Array<string>(20).fill('?'));
  const g = new Grid(20, 3);
  g.put(0, 0, 'hello world', 0);
  g.put(0, 1, 'second line', attr(COLOR.green));
  const first = d.encode(g, 20, 3);
  apply(screen, first);
  t.same(screen.map((l) => l.join('')), ['hello world         ', 'second line         ', '                    ']);
  t.equal(d.encode(g, 20, 3), '', 'nothing changed: nothing written');
  g.put(6, 0, 'there', 0);
  g.paint(0, 2, 20, attr(COLOR.black, COLOR.cyan));
  const next = d.encode(g, 20, 3);
  t.match(next, /^\x1b\[1;7H/, 'starts at the first changed cell');
  t.notMatch(next, /\x1b\[2;/, 'the unchanged line is not written');
  t.match(next, /\x1b\[0;30;46m/, 'an attribute-only change is written');
  apply(screen, next);
  t.same(screen.map((l) => l.join('')), ['hello there         ', 'second line         ', '                    ']);
  d.reset();
  t.match(d.encode(g, 20, 3), /\x1b\[2J/, 'after a reset, everything is drawn again');
});

t.test('a change on the right half of a wide character writes the character', async (t) => {
  const d = new ScreenDelta();
  const g = new Grid(10, 1);
  g.put(0, 0, 'ab中cd', 0);
  const screen = [new Array<string>(10).fill('?')];
  apply(screen, d.encode(g, 10, 1));
  t.same(screen[0].join(''), 'ab中cd    ');
  g.paint(3, 0, 1, attr(COLOR.red));
  const out = d.encode(g, 10, 1);
  t.match(out, /^\x1b\[1;3H/, 'the run starts at the wide character');
  apply(screen, out);
  t.same(screen[0].join(''), 'ab中cd    ');
});

t.test('clipped to the terminal size', async (t) => {
  const d = new ScreenDelta();
  const g = new Grid(10, 4);
  g.put(0, 3, 'bottom', 0);
  g.put(0, 0, '0123456789', 0);
  const out = d.encode(g, 5, 2);
  t.notMatch(out, /bottom|56789/);
});
