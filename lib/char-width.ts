// lib/ layer: how many terminal columns a text takes. Imports nothing.
// Process names, reverse-DNS names and GeoIP organisations can hold CJK, emoji or combining marks; counting
// UTF-16 units would shift every column after them. The table mirrors string-kit's codePointWidth (what
// terminal-kit's ScreenBuffer uses to place cells), held equal to it by test/lib/char-width.test.ts.

/**
 * Emoji-block code points a terminal draws one column wide (text presentation), as [first, last] pairs in
 * order: string-kit 0.19's unicode-emoji-width-ranges.json (measured by terminal-kit on a real terminal).
 */
const NARROW_EMOJI = [
  0x2600, 0x2613, 0x2616, 0x2647, 0x2654, 0x267e, 0x2680, 0x2692, 0x2694, 0x26a0, 0x26a2, 0x26a9, 0x26ac, 0x26bc,
  0x26bf, 0x26c3, 0x26c6, 0x26cd, 0x26cf, 0x26d3, 0x26d5, 0x26e9, 0x26eb, 0x26f1, 0x26f4, 0x26f4, 0x26f6, 0x26f9,
  0x26fb, 0x26fc, 0x26fe, 0x2704, 0x2706, 0x2709, 0x270c, 0x2727, 0x2729, 0x274b, 0x274d, 0x274d, 0x274f, 0x2752,
  0x2756, 0x2756, 0x2758, 0x2794, 0x2798, 0x27af, 0x27b1, 0x27be, 0x1f000, 0x1f003, 0x1f005, 0x1f0ce, 0x1f0d0,
  0x1f18d, 0x1f18f, 0x1f190, 0x1f19b, 0x1f1ff, 0x1f321, 0x1f32c, 0x1f336, 0x1f336, 0x1f37d, 0x1f37d, 0x1f394,
  0x1f39f, 0x1f3cb, 0x1f3ce, 0x1f3d4, 0x1f3df, 0x1f3f1, 0x1f3f3, 0x1f3f5, 0x1f3f7, 0x1f43f, 0x1f43f, 0x1f441,
  0x1f441, 0x1f4fd, 0x1f4fe, 0x1f53e, 0x1f54a, 0x1f54f, 0x1f54f, 0x1f568, 0x1f579, 0x1f57b, 0x1f594, 0x1f597,
  0x1f5a3, 0x1f5a5, 0x1f5fa, 0x1f650, 0x1f67f, 0x1f6c6, 0x1f6cb, 0x1f6cd, 0x1f6cf, 0x1f6d3, 0x1f6d4, 0x1f6d8,
  0x1f6ea, 0x1f6ed, 0x1f6f3, 0x1f6fd, 0x1f7df, 0x1f7ec, 0x1f90b, 0x1f93b, 0x1f93b, 0x1f946, 0x1f946, 0x1f979,
  0x1f979, 0x1f9cc, 0x1f9cc, 0x1fa00, 0x1fa6f, 0x1fa75, 0x1fa77, 0x1fa7b, 0x1fa7f, 0x1fa87, 0x1fa8f, 0x1faa9,
  0x1faaf, 0x1fab7, 0x1fabf, 0x1fac3, 0x1facf, 0x1fad7, 0x1faff,
];

function isNarrowEmoji(cp: number): boolean {
  let lo = 0, hi = NARROW_EMOJI.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < NARROW_EMOJI[2 * mid]) hi = mid - 1;
    else if (cp > NARROW_EMOJI[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns taken by one code point: 0 (combining mark, emoji modifier, VS16), 1, or 2 (wide: CJK, emoji). */
export function codePointWidth(cp: number): number {
  if ((cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x1f000 && cp <= 0x1f1ff) || (cp >= 0x1f300 && cp <= 0x1f3fa) || (cp >= 0x1f400 && cp <= 0x1faff)) {
    return isNarrowEmoji(cp) ? 1 : 2;
  }
  if (cp >= 0x1100 && (
    cp <= 0x115f || cp === 0x2329 || cp === 0x232a
    || (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) || (cp >= 0x3250 && cp <= 0x4dbf)
    || (cp >= 0x4e00 && cp <= 0xa4c6) || (cp >= 0xa960 && cp <= 0xa97c) || (cp >= 0xac00 && cp <= 0xd7a3)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe10 && cp <= 0xfe19) || (cp >= 0xfe30 && cp <= 0xfe6b)
    || (cp >= 0xff01 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1b000 && cp <= 0x1b001)
    || (cp >= 0x1f200 && cp <= 0x1f251) || (cp >= 0x20000 && cp <= 0x3fffd))) return 2;
  if (cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff)
    || (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe20 && cp <= 0xfe2f) || cp === 0x3099 || cp === 0x309a
    || (cp >= 0x900 && cp <= 0x903) || (cp >= 0x93a && cp <= 0x957 && cp !== 0x93d && cp !== 0x950)
    || cp === 0x962 || cp === 0x963 || cp === 0xe31 || (cp >= 0xe34 && cp <= 0xe3a) || (cp >= 0xe47 && cp <= 0xe4e)) return 0;
  return 1;
}

/** True when every character of `s` is printable ASCII (one column each): the common case, checked first. */
export function isPlainAscii(s: string): boolean {
  // A loop over the code units: a third faster than /^[\x20-\x7e]*$/ on table cells (1.5M calls per 100k rows).
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Columns taken by `s` on a terminal. */
export function textWidth(s: string): number {
  if (isPlainAscii(s)) return s.length;
  let w = 0;
  for (const ch of s) w += codePointWidth(ch.codePointAt(0)!);
  return w;
}

/** The longest start of `s` that takes at most `width` columns (a wide character is never split). */
export function headOfWidth(s: string, width: number): string {
  if (isPlainAscii(s)) return s.slice(0, Math.max(0, width));
  let w = 0, end = 0;
  for (const ch of s) {
    const cw = codePointWidth(ch.codePointAt(0)!);
    if (w + cw > width) break;
    w += cw;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** The longest end of `s` that takes at most `width` columns. */
export function tailOfWidth(s: string, width: number): string {
  if (isPlainAscii(s)) return width <= 0 ? '' : s.slice(-width);
  const chars = Array.from(s);
  let w = 0, start = chars.length;
  while (start > 0) {
    const cw = codePointWidth(chars[start - 1].codePointAt(0)!);
    if (w + cw > width) break;
    w += cw;
    start--;
  }
  // Combining marks stay with their base character: a tail never starts with one.
  while (start < chars.length && codePointWidth(chars[start].codePointAt(0)!) === 0) start++;
  return chars.slice(start).join('');
}
