// lib/ layer: fixed-width formatters for bytes, rates, counts and durations, cutting to a width with a
// visible ellipsis, and the order of magnitude the TUI colours numbers by. Imports lib/char-width.ts only.
// Units are decimal SI throughout (1 kB = 1000 B, 1 kb = 1000 bits), so bits are exactly bytes × 8 in
// the same prefix, as network rates are quoted; each formatter states the widest text it prints.

import { headOfWidth, isPlainAscii, tailOfWidth, textWidth } from './char-width.js';

const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A non-negative number with a decimal prefix in at most 5 columns plus `unit`: "999 B", "1.2 kB",
 * "34 kB", "999 MB" (one decimal below 10, none above; a value that rounds to 1000 moves up a prefix).
 */
export function formatSi(n: number, unit: string): string {
  if (!(n >= 0)) return '-';
  let v = n;
  let p = 0;
  while (p < PREFIXES.length - 1 && Math.round(v) >= 1000) {
    v /= 1000;
    p++;
  }
  const digits = p === 0 ? String(Math.round(v)) : v < 9.95 ? v.toFixed(1) : String(Math.round(v));
  return `${digits} ${PREFIXES[p]}${unit}`;
}

/** A byte count in at most 6 columns ("999 B", "1.2 kB", "340 MB"), or bits ("2.7 kb") when `bits`. */
export function formatBytes(n: number, bits = false): string {
  return bits ? formatSi(n * 8, 'b') : formatSi(n, 'B');
}

/** Bytes per second in at most 8 columns ("1.2 MB/s"), or bits per second ("34 kb/s") when `bits`. */
export function formatRate(bytesPerSec: number, bits = false): string {
  return `${formatBytes(bytesPerSec, bits)}/s`;
}

/** A count in at most 4 columns: "999", "3.4k", "34k", "999k", "1.0M", "12G" (decimal multiples). */
export function formatCount(n: number): string {
  if (!(n >= 0)) return '-';
  if (Math.round(n) < 1000) return String(Math.round(n));
  const s = formatSi(n, '');
  return s.replace(' ', '');
}

/** A duration in seconds in at most 7 columns: "59s", "59m59s", "23h59m", "999d23h". */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** The cut mark: a cut cell always ends (or, cut in the middle, contains) this one-column character. */
export const ELLIPSIS = '…';

/**
 * Pads or cuts `s` to exactly `width` terminal columns (wide characters count two, lib/char-width.ts). A cut keeps the start and ends
 * with "…"; with `cut: 'middle'` it keeps both ends around the "…" (IPv6 addresses: `2001:db8:…:1`).
 */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left', cut: 'end' | 'middle' = 'end'): string {
  if (isPlainAscii(s)) {
    if (s.length > width) return cutTo(s, width, cut);
    return align === 'left' ? s.padEnd(width) : s.padStart(width);
  }
  // Wide characters (CJK, emoji) take two columns: pad and cut by columns, not by UTF-16 units.
  const cutText = cutTo(s, width, cut);
  const pad = ' '.repeat(Math.max(0, width - textWidth(cutText)));
  return align === 'left' ? cutText + pad : pad + cutText;
}

/** `s` cut to at most `width` columns with a visible "…" (unchanged when it fits). */
export function cutTo(s: string, width: number, cut: 'end' | 'middle' = 'end'): string {
  if (textWidth(s) <= width) return s;
  if (width <= 0) return '';
  if (width === 1) return ELLIPSIS;
  if (cut === 'end') return `${headOfWidth(s, width - 1)}${ELLIPSIS}`;
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${headOfWidth(s, head)}${ELLIPSIS}${tailOfWidth(s, tail)}`;
}

/**
 * The order of magnitude of a byte count or rate, 0..4, for colouring: 0 below 1 kB, 1 kB, 2 MB, 3 GB,
 * 4 from 1 TB (htop colours its memory columns the same way). Non-positive and unknown values are 0.
 */
export function magnitude(n: number): number {
  if (!(n >= 1000)) return 0;
  if (n < 1e6) return 1;
  if (n < 1e9) return 2;
  if (n < 1e12) return 3;
  return 4;
}
