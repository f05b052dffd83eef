// --once in-process on hand-made captures: the streaming JSON path prints every flow of a dump once, in dump
// order, exactly as flowJson(toFlow(entry)) would, and drops a copy the dump repeats (same id and identity)
// while keeping a distinct flow that shares an id. The text table sees the same flows.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ctEntryArb } from '../../fuzz/arbitraries.js';
import { byDefault, emptyTableText, runOnce, sortByDefault } from '../../lib/once.js';
import { openEnricher, type Io, type RunOptions } from '../../lib/modes.js';
import { flowJson } from '../../lib/flow-json.js';
import { flowKey, type Flow } from '../../lib/flow.js';
import { ReplaySource, toFlow } from '../../lib/kernel/index.js';
import { onceColumns, renderTable } from '../../lib/text-table.js';
import { SysctlGuard } from '../../lib/sysctl.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import { encodeCtEntryMessage, encodeDumpRequest } from '../../netlink/ct-request.js';
import { encodeDone } from '../../netlink/message.js';
import { PcapWriter } from '../../netlink/pcap.js';

const entry = (id: number, sport: number, over: Partial<CtEntry> = {}): CtEntry => ({
  family: 2, protoNum: 6, status: 0xe, id, timeoutSec: 100, mark: 0, use: 1,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', sport, dport: 80 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: sport },
  tcp: { state: 3 }, countersOrig: { packets: 1, bytes: 60 }, countersReply: { packets: 0, bytes: 0 }, ...over,
});

function capture(dir: string, entries: CtEntry[]): string {
  const path = join(dir, 'dump.pcap');
  const w = PcapWriter.open(path);
  w.write({ tsNs: 1000000000n, direction: 'out', family: 12, data: encodeDumpRequest(7) });
  for (const e of entries) w.write({ tsNs: 1001000000n, direction: 'in', family: 12, data: encodeCtEntryMessage(e, { flags: 2, seq: 7, pid: 1 }, 'dump') });
  w.write({ tsNs: 1002000000n, direction: 'in', family: 12, data: encodeDone(7, 1) });
  w.close();
  return path;
}

const onceOpts = (replay: string, extra: Partial<RunOptions>): RunOptions => ({
  mode: 'once', json: true, enrich: false, delaySec: 1, filter: {}, dumpFilter: {}, replay, speed: Infinity, lingerSec: 5,
  rcvbufBytes: 0, sysctl: false, dns: false, geoip: false, services: false, processes: false, ...extra,
});
const onceIo = (stdout = new PassThrough()): Io => ({ stdout, stderr: new PassThrough(), env: {}, sysctls: new SysctlGuard(), signal: new AbortController().signal });

async function once(replay: string, extra: Partial<RunOptions>): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  t.equal(await runOnce(onceOpts(replay, extra), onceIo(stdout)), 0);
  return text;
}

/**
 * The text table as --once printed it before it streamed: every flow of the dump kept (the first copy of each
 * flowKey), sorted with byDefault, enriched, then renderTable.
 */
async function previousTable(replay: string, extra: Partial<RunOptions>): Promise<string> {
  const opts = onceOpts(replay, { json: false, ...extra });
  const src = new ReplaySource(replay, { filter: opts.filter, speed: Infinity });
  const flows: Flow[] = [];
  const keys = new Set<string>();
  await src.start((ev) => {
    if (ev.kind !== 'dumpEntry' || keys.has(flowKey(ev.flow))) return;
    keys.add(flowKey(ev.flow));
    flows.push(ev.flow);
  });
  src.close();
  const en = await openEnricher(opts, onceIo());
  const rows = flows.map((flow) => ({ flow })).sort(byDefault).map(({ flow }) => ({ flow, enrich: en?.enricher.enrich(flow) }));
  en?.enricher.close();
  const columns = onceColumns({ services: opts.services, geoip: false, dns: false, processes: false });
  return renderTable(rows, { columns, maxWidth: opts.wide ? Infinity : 80, emptyText: emptyTableText(opts) }).map((l) => `${l}\n`).join('');
}

t.test('a dump that repeats an entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-once-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = entry(5, 1000), b = entry(6, 1001), c = entry(5, 1002); // c: a distinct flow with a's id
  const far = entry(5 + 2 ** 30, 1000); // another id with the same low 30 bits and a's tuple
  const path = capture(dir, [a, b, entry(5, 1000, { timeoutSec: 99, countersOrig: { packets: 2, bytes: 120 } }), c, far, c, b]);
  const json = await once(path, {});
  t.equal(json, [a, b, c, far].map((e) => `${flowJson(toFlow(e))}\n`).join(''), 'each flow once, first copy, dump order');
  const table = (await once(path, { json: false })).trim().split('\n');
  t.equal(table.length, 1 + 4, 'the table: a header and the same four flows');
});

t.test('the streamed text table is the table --once printed before it streamed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-once-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const golden = join(import.meta.dirname, '../fixtures/golden/once-mixed.pcap');
  const a = entry(5, 1000), b = entry(6, 1001), c = entry(5, 1002);
  const repeats = capture(dir, [a, b, entry(5, 1000, { timeoutSec: 99 }), c, entry(5 + 2 ** 30, 1000), c, b]);
  for (const [name, path] of [['golden once-mixed', golden], ['a dump with repeats', repeats]]) {
    for (const extra of [{ services: true }, { services: true, wide: true }, { services: false }, { filter: { protoNums: new Set([6]) }, services: true }]) {
      t.equal(await once(path, { json: false, ...extra }), await previousTable(path, extra), `${name}, ${JSON.stringify(extra)}`);
    }
  }
  // Arbitrary entries, a few of them repeated, with few addresses and ports (ties in the order).
  let n = 0;
  await fc.assert(fc.asyncProperty(fc.array(ctEntryArb, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { maxLength: 5 }), async (es, again) => {
    const path = capture(dir, [...es, ...again.map((i) => es[i % es.length])]);
    n++;
    return (await once(path, { json: false, services: true, wide: true })) === (await previousTable(path, { services: true, wide: true }));
  }), { seed: 0x7ab1e, numRuns: 40 });
  t.equal(n, 40, '40 arbitrary dumps');
});

t.test('the filter applies to the streamed lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-once-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const udp = entry(8, 53, { protoNum: 17, tcp: undefined });
  const path = capture(dir, [entry(7, 1), udp]);
  t.equal(await once(path, { filter: { protoNums: new Set([17]) } }), `${flowJson(toFlow(udp))}\n`);
  t.equal(await once(path, { filter: { families: ['ipv6'] } }), '');
});

t.test('sortByDefault orders exactly as sorting with byDefault (its slow twin)', async (t) => {
  // Few addresses and ports, so that ties and equal prefixes are common.
  const flowArb = fc.tuple(ctEntryArb, fc.constantFrom('10.0.0.2', '10.0.0.10', '9.1.1.1', '255.255.255.255', '0.0.0.0', '::1', '2001:db8::1'), fc.integer({ min: 0, max: 3 }))
    .map(([e, src, p]) => toFlow({ ...e, orig: { ...e.orig, src, ...(e.orig.sport !== undefined ? { sport: p } : {}) } }));
  fc.assert(fc.property(fc.array(flowArb, { maxLength: 40 }), (flows) => {
    const want = flows.map((flow) => ({ flow })).sort(byDefault).map((r) => r.flow);
    const got = [...flows];
    sortByDefault(got);
    return got.every((f, i) => f === want[i]);
  }), { seed: 0x5eed, numRuns: 300 });
  t.pass('300 tables');
});
