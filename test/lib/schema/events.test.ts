// Real output validates against the published schemas (lib/schema/, TypeCompiler): every line of the golden
// captures' outputs, their replays with --events, --once --json and --enrich; and lines with a missing key or a
// counter as a string do not. Every line must also name no key the schema leaves out (the closed check).
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eventsLine, flowLine } from '../../../fuzz/schema-check.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/lib/cli.js');
const golden = join(root, 'test/fixtures/golden');
const quiet = ['-n', '--no-geoip', '--no-services', '--no-processes'];
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const skip = littleEndian ? false : 'little-endian captures on a big-endian host';

type Check = typeof eventsLine;

function lines(text: string): unknown[] {
  return text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
}

function allValid(t: Test, check: Check, text: string): unknown[] {
  const got = lines(text);
  t.ok(got.length > 5, `${got.length} lines`);
  for (const [i, v] of got.entries()) t.ok(check.okClosed(v), `line ${i + 1} validates: ${check.why(v)}`);
  return got;
}

function replay(t: Test, capture: string, args: string[]): string {
  const r = spawnSync(process.execPath, [cli, '--replay', join(golden, capture), ...args], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  return r.stdout;
}

t.test('every line of the golden outputs validates', async (t) => {
  allValid(t, eventsLine, readFileSync(join(golden, 'events-lifecycle.jsonl'), 'utf8'));
  allValid(t, flowLine, readFileSync(join(golden, 'once-mixed.jsonl'), 'utf8'));
});

t.test('replays validate: --events, --once --json, and both with --enrich', { skip }, async (t) => {
  const ev = allValid(t, eventsLine, replay(t, 'events-lifecycle.pcap', ['--events', '--speed', 'max', ...quiet])) as Array<{ event: string }>;
  t.same([...new Set(ev.map((l) => l.event))].sort(), ['destroy', 'new', 'stats', 'update'], 'the capture has new, update, destroy and stats lines (resync: the fuzz property)');
  allValid(t, flowLine, replay(t, 'once-mixed.pcap', ['--once', '--json']));
  // Enrichment from the services table, direction and the embedded GeoIP data; no DNS or sockets in a replay test.
  const en = ['--enrich', '-n', '--no-processes'];
  const once = allValid(t, flowLine, replay(t, 'once-mixed.pcap', ['--once', '--json', ...en])) as Array<{ enrich?: unknown }>;
  t.ok(once.every((l) => l.enrich !== undefined), 'every flow carries enrich');
  const evEn = allValid(t, eventsLine, replay(t, 'events-lifecycle.pcap', ['--events', '--speed', 'max', ...en])) as Array<{ event: string; enrich?: unknown }>;
  t.ok(evEn.filter((l) => l.event !== 'stats').every((l) => l.enrich !== undefined), 'every change carries enrich');
});

/** A deep copy of `v` changed by `edit`. */
function edited<T>(v: T, edit: (c: any) => void): T {
  const c = structuredClone(v);
  edit(c);
  return c;
}

t.test('lines with a missing key, a string counter or a wrong kind do not validate', async (t) => {
  const ev = lines(readFileSync(join(golden, 'events-lifecycle.jsonl'), 'utf8')) as Array<{ event: string }>;
  // A change line with counters (a 'new' from an event carries none: events have no counters).
  const change = ev.find((l) => l.event !== 'stats' && (l as { flow?: { counters?: unknown } }).flow?.counters !== undefined)!;
  const destroy = ev.find((l) => l.event === 'destroy')!;
  const stats = ev.find((l) => l.event === 'stats')!;
  const flow = lines(readFileSync(join(golden, 'once-mixed.jsonl'), 'utf8')).find((f: any) => f.counters)!;
  t.ok(eventsLine.ok(change) && eventsLine.ok(destroy) && eventsLine.ok(stats) && flowLine.ok(flow), 'the originals validate');
  const bad: Array<[string, Check, unknown]> = [
    ['change without atMs', eventsLine, edited(change, (c) => delete c.atMs)],
    ['change without flow.id', eventsLine, edited(change, (c) => delete c.flow.id)],
    ['change with a string byte counter', eventsLine, edited(change, (c) => { c.flow.counters.orig.bytes = '0'; })],
    ['destroy without reason', eventsLine, edited(destroy, (c) => delete c.reason)],
    ['destroy with an unknown reason', eventsLine, edited(destroy, (c) => { c.reason = 'timeout'; })],
    ['an unknown event kind', eventsLine, edited(change, (c) => { c.event = 'created'; })],
    ['stats without stale', eventsLine, edited(stats, (c) => delete c.stale)],
    ['stats with droppedEvents as a string', eventsLine, edited(stats, (c) => { c.droppedEvents = '0'; })],
    ['flow without orig', flowLine, edited(flow, (c) => delete c.orig)],
    ['flow with a string packet counter', flowLine, edited(flow, (c) => { c.counters.reply.packets = '1'; })],
    ['flow with a negative byte counter', flowLine, edited(flow, (c) => { c.counters.reply.bytes = -1; })],
    ['flow with startNs as a number', flowLine, edited(flow, (c) => { c.startNs = 1795322924906159556; })],
  ];
  for (const [name, check, v] of bad) t.notOk(check.ok(v), name);
});

t.test('an added key keeps a line valid (additive changes keep the version); the closed check sees it', async (t) => {
  const stats = lines(readFileSync(join(golden, 'events-lifecycle.jsonl'), 'utf8'))[0];
  const more = edited(stats, (c) => { c.someFutureKey = 1; });
  t.ok(eventsLine.ok(more));
  t.notOk(eventsLine.okClosed(more));
});
