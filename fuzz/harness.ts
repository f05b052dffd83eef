// fuzz/ layer: runs every decoder over a datagram and reports anything but a DecodeError; loads the
// recorded kernel fixtures. Imports node: builtins and netlink/. Used by the properties and by tests.
// The attribute-step counter wraps AttrIter.prototype.next for the duration of one call only.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttrIter, UnknownAttrs } from '../netlink/attr.js';
import { ctKindOf, decodeCtEntry, isCtEntryMessage } from '../netlink/ct-decode.js';
import { decodeCpuStats, decodeGlobalStats } from '../netlink/ct-stats.js';
import { DecodeError } from '../netlink/errors.js';
import { decodeDone, decodeNlError, splitMessages, toNetlinkError } from '../netlink/message.js';
import { Reader } from '../netlink/reader.js';

/** What one decode pass did: messages split, decoders that threw DecodeError, attributes visited. */
export interface DecodeReport {
  messages: number;
  decodeErrors: number;
  attrSteps: number;
  unknownSamples: number;
}

/**
 * Splits `bytes` and runs every decoder on every message (whatever its type). DecodeErrors are
 * counted; any other exception propagates, which is what the properties look for.
 */
export function decodeEverything(bytes: Uint8Array): DecodeReport {
  const rep: DecodeReport = { messages: 0, decodeErrors: 0, attrSteps: 0, unknownSamples: 0 };
  const next = AttrIter.prototype.next;
  AttrIter.prototype.next = function countingNext(this: AttrIter): boolean {
    const more = next.call(this);
    if (more) rep.attrSteps++;
    return more;
  };
  try {
    const r = new Reader(bytes);
    const msgs = guard(rep, () => splitMessages(r)) ?? [];
    rep.messages = msgs.length;
    for (const m of msgs) {
      isCtEntryMessage(m);
      ctKindOf(m, false);
      const unknown = new UnknownAttrs();
      guard(rep, () => decodeCtEntry(r, m, unknown));
      rep.unknownSamples = Math.max(rep.unknownSamples, unknown.samples.length);
      const e = guard(rep, () => decodeNlError(r, m));
      if (e && e.error !== 0) toNetlinkError(e, 'fuzz', m.seq);
      const d = guard(rep, () => decodeDone(r, m));
      if (d && d.error !== 0) toNetlinkError(d, 'fuzz', m.seq);
      guard(rep, () => decodeGlobalStats(r, m));
      guard(rep, () => decodeCpuStats(r, m));
    }
  } finally {
    AttrIter.prototype.next = next;
  }
  return rep;
}

function guard<T>(rep: DecodeReport, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecodeError) {
      rep.decodeErrors++;
      return undefined;
    }
    throw e;
  }
}

/** The project root (the directory holding package.json), from src (fuzz/) or build (dist/fuzz/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above fuzz/');
    dir = up;
  }
  return dir;
}

/** A fixture recorded by test/helpers/record-fixtures.mjs. */
export interface CtFixture {
  scenario: string;
  kernel: string;
  endianness: 'le' | 'be';
  recorded: string;
  recorder: string;
  conntrackList: string[];
  requests: string[];
  datagrams: string[];
  expected: unknown[];
  file: string;
}

export const RECORDER = 'test/helpers/record-fixtures.mjs';

/** Our ctnetlink fixtures (files written by other recorders in the same folder are skipped). */
export function loadCtFixtures(): CtFixture[] {
  const dir = join(projectRoot(), 'test', 'fixtures', 'netlink');
  if (!existsSync(dir)) return [];
  const out: CtFixture[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CtFixture;
    if (fx.recorder !== RECORDER) continue;
    out.push({ ...fx, file: f });
  }
  return out;
}

export function fromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

/** Datagrams of every fixture usable on this host (little-endian fixtures are skipped on big-endian hosts). */
export function fixtureDatagrams(hostIsLE: boolean): Uint8Array[] {
  return loadCtFixtures()
    .filter((f) => (f.endianness === 'le') === hostIsLE)
    .flatMap((f) => f.datagrams.map(fromHex));
}

/** Options every property takes: bounded runs and a fixed seed in CI, fresh seeds in fuzz/run.ts. */
export interface PropOptions {
  numRuns: number;
  seed: number;
}

/**
 * Attributes one decodeEverything pass may visit: each attribute takes at least 4 bytes of its parent,
 * a ctnetlink message nests at most 3 levels deep, and five decoders walk each message
 * (entry: 3 levels; error, done, global and per-CPU stats: 1 level each) → 7 walks of bytes/4.
 */
export function stepBudget(bytes: number): number {
  return 7 * Math.floor(bytes / 4);
}
