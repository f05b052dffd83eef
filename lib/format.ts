// lib/ layer: fixed-width formatters for bytes, rates, counts and durations (text output, later the TUI).
// Imports nothing. Each formatter states the width it prints.

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Bytes in at most 6 columns: "999B", "1.5K", "12.3M", "1023G". Binary multiples (1K = 1024 B). */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)}B` : `${v < 10 ? v.toFixed(1) : Math.round(v)}${UNITS[u]}`;
}

/** Bytes per second in at most 8 columns: "1.5K/s". */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** A count in at most 6 columns: "999", "12.3k", "4.5M". Decimal multiples. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

/** A duration in seconds in at most 8 columns: "59s", "59m59s", "23h59m", "999d23h". */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Pads or cuts `s` to exactly `width` columns (cut text ends with "…"). */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (s.length > width) return width <= 1 ? s.slice(0, width) : `${s.slice(0, width - 1)}…`;
  return align === 'left' ? s.padEnd(width) : s.padStart(width);
}
