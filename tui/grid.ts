// tui/ layer: a plain cell grid, what every render function draws into and what tests read back.
// Imports lib/ only. One character and one attribute per cell (a wide character fills two, lib/char-width.ts);
// text is cut with an ellipsis (house style: text is never cut silently). terminal.ts copies it into terminal-kit's buffer.
import { codePointWidth, isPlainAscii, textWidth } from '../lib/char-width.js';
import { fit } from '../lib/format.js';

/**
 * A cell attribute packed in one small integer: fg colour in bits 0-4 (0 = terminal default, 1-16 = ANSI
 * colour 0-15), bg colour in bits 5-9 (same coding), then style flags.
 */
export type Attr = number;

/** Style flags of an Attr. */
export const BOLD = 1 << 10;
export const DIM = 1 << 11;
export const INVERSE = 1 << 12;
export const UNDERLINE = 1 << 13;

/** ANSI colour numbers (0-15) by name. */
export const COLOR = {
  black: 0, red: 1, green: 2, yellow: 3, blue: 4, magenta: 5, cyan: 6, white: 7,
  gray: 8, brightRed: 9, brightGreen: 10, brightYellow: 11, brightBlue: 12, brightMagenta: 13, brightCyan: 14, brightWhite: 15,
} as const;

/** Builds an Attr from colours (ANSI 0-15, undefined = terminal default) and flags. */
export function attr(fg?: number, bg?: number, flags = 0): Attr {
  return (fg === undefined ? 0 : fg + 1) | ((bg === undefined ? 0 : bg + 1) << 5) | flags;
}

/** The fg colour (ANSI 0-15) of an Attr, or undefined for the default. */
export function fgOf(a: Attr): number | undefined {
  const v = a & 31;
  return v === 0 ? undefined : v - 1;
}

/** The bg colour (ANSI 0-15) of an Attr, or undefined for the default. */
export function bgOf(a: Attr): number | undefined {
  const v = (a >> 5) & 31;
  return v === 0 ? undefined : v - 1;
}

/** Pads or cuts `s` to exactly `width` columns; a cut ends with "…". `middle` cuts in the middle (IPv6). */
export function fitText(s: string, width: number, align: 'left' | 'right' = 'left', middle = false): string {
  return width <= 0 ? '' : fit(s, width, align, middle ? 'middle' : 'end');
}

/** A width x height grid of cells; coordinates are 0-based columns (x) and lines (y); writes outside are clipped. */
export class Grid {
  readonly chars: string[];
  readonly attrs: Uint16Array;
  constructor(readonly width: number, readonly height: number, fill: Attr = 0) {
    this.chars = new Array<string>(width * height);
    this.attrs = new Uint16Array(width * height);
    this.reset(fill);
  }

  /** Blanks every cell with `fill`, as a new grid is (render reuses a frame's grid). */
  reset(fill: Attr = 0): this {
    this.chars.fill(' ');
    this.attrs.fill(fill);
    return this;
  }

  /**
   * Writes `text` at (x, y) with `a`, clipped at the right edge, control characters as "?"; returns the column
   * after the text. A wide character (CJK, emoji) fills two cells: itself, then "" (so a line joins to the
   * text a terminal shows); a combining mark joins the cell before it; a wide character that does not fit
   * before the edge becomes a blank.
   */
  put(x: number, y: number, text: string, a: Attr): number {
    if (y < 0 || y >= this.height) return x + textWidth(text);
    const row = y * this.width;
    if (isPlainAscii(text)) {
      for (let i = 0; i < text.length; i++) {
        const cx = x + i;
        if (cx < 0) continue;
        if (cx >= this.width) break;
        this.set(row, cx, text[i], a);
      }
      return x + text.length;
    }
    let cx = x;
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      // Control characters (from a PTR record, a process name) must never reach the terminal as such.
      if (c < 32 || (c >= 0x7f && c < 0xa0)) { if (cx >= 0 && cx < this.width) this.set(row, cx, '?', a); cx++; continue; }
      const w = codePointWidth(c);
      if (w === 0) {
        if (cx > 0 && cx <= this.width && cx > x) this.chars[row + cx - 1] += ch;
        continue;
      }
      if (cx >= 0 && cx < this.width) {
        if (w === 2 && cx + 1 < this.width) {
          this.set(row, cx, ch, a);
          this.set(row, cx + 1, '', a);
        } else this.set(row, cx, w === 2 ? ' ' : ch, a);
      }
      cx += w;
    }
    return cx;
  }

  /** Sets one cell, blanking the other half of a wide character it overwrites. */
  private set(row: number, cx: number, ch: string, a: Attr): void {
    const i = row + cx;
    if (this.chars[i] === '' && cx > 0) this.chars[i - 1] = ' ';
    else if (cx + 1 < this.width && this.chars[i + 1] === '') this.chars[i + 1] = ' ';
    this.chars[i] = ch;
    this.attrs[i] = a;
  }

  /** Fills `w` cells from (x, y) with `ch` and `a`. */
  fill(x: number, y: number, w: number, a: Attr, ch = ' '): void {
    this.put(x, y, ch.repeat(Math.max(0, Math.min(w, this.width - x))), a);
  }

  /** Sets the attribute of `w` cells from (x, y), keeping their characters. */
  paint(x: number, y: number, w: number, a: Attr): void {
    if (y < 0 || y >= this.height) return;
    for (let cx = Math.max(0, x); cx < Math.min(this.width, x + w); cx++) this.attrs[y * this.width + cx] = a;
  }

  /** The attribute at (x, y). */
  attrAt(x: number, y: number): Attr {
    return this.attrs[y * this.width + x];
  }

  /** Line `y` as text (trailing blanks kept: exactly `width` columns). */
  line(y: number): string {
    return this.chars.slice(y * this.width, (y + 1) * this.width).join('');
  }

  /** Every line as text, trailing blanks removed (for snapshots). */
  text(): string[] {
    const out: string[] = [];
    for (let y = 0; y < this.height; y++) out.push(this.line(y).trimEnd());
    return out;
  }

  /**
   * Line `y`'s attributes as run-length text, e.g. "0-79:bold,fg=7,bg=4": the selection bar, colours and
   * dimmed ghosts are asserted with this, never with terminal escape codes.
   */
  attrRuns(y: number): string {
    const runs: string[] = [];
    let start = 0;
    for (let x = 1; x <= this.width; x++) {
      const a = this.attrs[y * this.width + start];
      if (x < this.width && this.attrs[y * this.width + x] === a) continue;
      runs.push(`${start}-${x - 1}:${describeAttr(a)}`);
      start = x;
    }
    return runs.join(' ');
  }
}

/** An Attr in words: "bold,inverse,fg=3,bg=4", or "plain". */
export function describeAttr(a: Attr): string {
  const parts: string[] = [];
  if (a & BOLD) parts.push('bold');
  if (a & DIM) parts.push('dim');
  if (a & INVERSE) parts.push('inverse');
  if (a & UNDERLINE) parts.push('underline');
  const fg = fgOf(a), bg = bgOf(a);
  if (fg !== undefined) parts.push(`fg=${fg}`);
  if (bg !== undefined) parts.push(`bg=${bg}`);
  return parts.length ? parts.join(',') : 'plain';
}
