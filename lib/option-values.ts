// lib/ layer: the value parsers and limits of the command-line options. They are strict about syntax and
// range, so a typo is refused (exit 2 in cli.ts) instead of being read as 0 (`Number('')`), wrapped to 16
// bits (`--zone 70000`) or handed to a timer that overflows (`-d 3000000`). Imports commander only.
import { InvalidArgumentError } from 'commander';

/** Longest refresh interval (-d) and linger in seconds: 1 day, well inside Node's timer limit of 24.8 days. */
export const MAX_INTERVAL_SEC = 86_400;
/** Largest --rcvbuf in bytes (1 GiB): the kernel doubles the value into an int. */
export const MAX_RCVBUF_BYTES = 1 << 30;
/** Slowest and fastest paced replay (--speed factors of the recorded pace); 'max' means unpaced. */
export const SPEED_LIMITS = { min: 0.01, max: 10_000 } as const;
/** Largest conntrack zone: zones are u16 (CTA_ZONE). */
export const MAX_ZONE = 0xffff;
/** Largest connection mark and mask: marks are u32 (CTA_MARK). */
export const MAX_MARK = 0xffff_ffff;

// Plain decimal (with an optional fraction and exponent); no sign, no blanks, no 0x/0b/0o, no Infinity.
const DECIMAL = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^\d+$/;
const HEX = /^0x[0-9a-f]+$/i;

/** A decimal or 0x-hex integer in [min, max], or undefined when `v` is not one. */
function integerIn(v: string, min: number, max: number, hexOk: boolean): number | undefined {
  if (!INTEGER.test(v) && !(hexOk && HEX.test(v))) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** Parses -d, --interval, --linger: a positive number of seconds up to MAX_INTERVAL_SEC. */
export function secondsArg(v: string): number {
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  if (!(n > 0 && n <= MAX_INTERVAL_SEC)) throw new InvalidArgumentError(`expected a positive number of seconds up to ${MAX_INTERVAL_SEC} (1 day)`);
  return n;
}

/** Parses --iterations: a non-negative decimal integer. */
export function countArg(v: string): number {
  const n = integerIn(v, 0, Number.MAX_SAFE_INTEGER, false);
  if (n === undefined) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/** Parses --rcvbuf: bytes, 1 to MAX_RCVBUF_BYTES. */
export function rcvbufArg(v: string): number {
  const n = integerIn(v, 1, MAX_RCVBUF_BYTES, false);
  if (n === undefined) throw new InvalidArgumentError(`expected a number of bytes from 1 to ${MAX_RCVBUF_BYTES} (1 GiB)`);
  return n;
}

/** Parses --zone: a conntrack zone, 0 to 65535, decimal or 0x hex. */
export function zoneArg(v: string): number {
  const n = integerIn(v, 0, MAX_ZONE, true);
  if (n === undefined) throw new InvalidArgumentError('expected a zone from 0 to 65535 (decimal or 0x hex)');
  return n;
}

/** Parses --mark: MARK or MARK/MASK, each a 32-bit decimal or 0x-hex number, neither part empty. */
export function markArg(v: string): { mark: number; mask?: number } {
  const parts = v.split('/');
  const nums = parts.map((p) => integerIn(p, 0, MAX_MARK, true));
  if (parts.length > 2 || nums.includes(undefined)) throw new InvalidArgumentError('expected MARK or MARK/MASK (decimal or 0x hex, 32-bit)');
  return { mark: nums[0]!, mask: nums[1] };
}

/** Parses --speed: a factor in SPEED_LIMITS, or 'max' (Infinity: as fast as possible). */
export function speedArg(v: string): number {
  if (v === 'max') return Infinity;
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  if (!(n >= SPEED_LIMITS.min && n <= SPEED_LIMITS.max)) {
    throw new InvalidArgumentError(`expected a factor from ${SPEED_LIMITS.min} to ${SPEED_LIMITS.max}, or 'max'`);
  }
  return n;
}

/** Parses a file or directory argument: any non-empty string. */
export function pathArg(v: string): string {
  if (v === '') throw new InvalidArgumentError('expected a path');
  return v;
}

/**
 * `--metrics ADDRESS:PORT` as host and port: `127.0.0.1:9100`, `[::1]:9100`, or `:9100` and `9100` (loopback).
 * Throws a RangeError with a one-line reason for anything else.
 */
export function parseMetricsAddress(v: string): { host: string; port: number } {
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):|:)?(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new RangeError('expected ADDRESS:PORT for the metrics endpoint (e.g. 127.0.0.1:9100, [::1]:9100, or :9100 for loopback)');
  }
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** --metrics ADDRESS:PORT, as an option parser (see parseMetricsAddress). */
export function metricsArg(v: string): { host: string; port: number } {
  try {
    return parseMetricsAddress(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/**
 * Whether reverse DNS runs: as -n/--dns say (`given`, undefined when neither was typed), else on for the live
 * kernel and off for a --replay, whose addresses are a capture's: it resolves them only when asked (--dns).
 */
export function dnsWanted(given: boolean | undefined, replay: boolean): boolean {
  return given ?? !replay;
}
