// tui/ layer: turns a Grid into the terminal bytes that bring the screen from the previous frame to it: cursor
// moves, SGR attributes and text for the cells that changed only. Imports ./grid only; pure, no terminal.
// terminal-kit's ScreenBuffer did this through a per-cell buffer walk (a utf8 decode per cell and frame): 2-8 ms
// a 200x50 frame, the largest part of a frame under an event storm, which every key typed meanwhile waited for.
import { bgOf, BOLD, DIM, fgOf, INVERSE, UNDERLINE, type Attr, type Grid } from './grid.js';

/** Unchanged cells up to this many between two changed ones are rewritten rather than skipped with a cursor move. */
const GAP_CELLS = 6;

/** The SGR sequence that sets exactly `a` (from a reset): ANSI colours 0-15 and the style flags. */
export function sgr(a: Attr): string {
  let s = '\x1b[0';
  if (a & BOLD) s += ';1';
  if (a & DIM) s += ';2';
  if (a & UNDERLINE) s += ';4';
  if (a & INVERSE) s += ';7';
  const fg = fgOf(a), bg = bgOf(a);
  if (fg !== undefined) s += fg < 8 ? `;${30 + fg}` : `;${90 + fg - 8}`;
  if (bg !== undefined) s += bg < 8 ? `;${40 + bg}` : `;${100 + bg - 8}`;
  return `${s}m`;
}

/** The previous frame as drawn, compared cell by cell with the next one. */
export class ScreenDelta {
  private chars: string[] = [];
  private attrs = new Uint16Array(0);
  private width = -1;
  private height = -1;
  private readonly sgrCache = new Map<Attr, string>();

  /** Forgets the previous frame: the next encode redraws every cell (after a resize, or at start). */
  reset(): void {
    this.width = -1;
  }

  /** The bytes that turn the screen (as last encoded) into `g`, clipped to width x height cells; '' when equal. */
  encode(g: Grid, width: number, height: number): string {
    const w = Math.min(g.width, width), h = Math.min(g.height, height);
    const full = w !== this.width || h !== this.height;
    if (full) {
      this.chars = new Array<string>(w * h).fill('');
      this.attrs = new Uint16Array(w * h);
      this.width = w;
      this.height = h;
    }
    const pc = this.chars, pa = this.attrs;
    let out = full ? '\x1b[0m\x1b[2J' : '';
    for (let y = 0; y < h; y++) {
      const gRow = y * g.width, pRow = y * w;
      let x = 0;
      while (x < w) {
        // The next changed cell, then the end of its run (changed cells with short unchanged gaps between).
        while (x < w && !full && g.chars[gRow + x] === pc[pRow + x] && g.attrs[gRow + x] === pa[pRow + x]) x++;
        if (x >= w) break;
        let end = x + 1, gap = 0;
        while (end < w && gap <= GAP_CELLS) {
          if (full || g.chars[gRow + end] !== pc[pRow + end] || g.attrs[gRow + end] !== pa[pRow + end]) gap = 0;
          else gap++;
          end++;
        }
        end -= gap;
        // A run never starts on the right half of a wide character: the character itself is written.
        let start = x;
        while (start > 0 && g.chars[gRow + start] === '') start--;
        out += `\x1b[${y + 1};${start + 1}H`;
        let cur = -1;
        for (let i = start; i < end; i++) {
          const ch = g.chars[gRow + i], a = g.attrs[gRow + i];
          pc[pRow + i] = ch;
          pa[pRow + i] = a;
          if (ch === '') continue; // the right half of a wide character: the terminal already moved past it
          if (a !== cur) {
            let s = this.sgrCache.get(a);
            if (s === undefined) {
              s = sgr(a);
              this.sgrCache.set(a, s);
            }
            out += s;
            cur = a;
          }
          out += ch;
        }
        x = end;
      }
    }
    return out;
  }
}
