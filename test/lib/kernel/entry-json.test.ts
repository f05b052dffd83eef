// The --once --json fast path: lib/kernel/entry-json.ts JsonLine writes exactly flowJson(toFlow(entry)) for
// every conntrack entry in every capture the tests hold (the recorded kernel fixtures and the golden pcaps),
// and for hand-made odd values; entryKeyHash follows flowKey. The fast-check properties run in test/fuzz.test.ts.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkEntryJson } from '../../../fuzz/entry-json.prop.js';
import { fixtureDatagrams } from '../../../fuzz/harness.js';
import { JsonLine, entryKeyHash } from '../../../lib/kernel/entry-json.js';
import { StatusNames, toFlow } from '../../../lib/kernel/to-flow.js';
import { flowJson } from '../../../lib/flow-json.js';
import type { CtEntry } from '../../../netlink/ct-entry.js';
import { decodePcap } from '../../../netlink/pcap.js';
import { HOST_IS_LE } from '../../../netlink/reader.js';

const root = resolve(import.meta.dirname, '../../..');

t.test('every entry of the recorded kernel fixtures', async (t) => {
  let n = 0;
  for (const d of fixtureDatagrams(HOST_IS_LE)) n += checkEntryJson(d);
  t.ok(n >= 10, `${n} entries`);
});

t.test('every entry of the golden captures', { skip: HOST_IS_LE ? false : 'little-endian captures' }, async (t) => {
  const dir = join(root, 'test/fixtures/golden');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.pcap'))) {
    let n = 0;
    for (const r of decodePcap(readFileSync(join(dir, f))).records) if (r.direction === 'in' && r.family === 12) n += checkEntryJson(r.data);
    t.ok(n > 5, `${f}: ${n} entries`);
  }
});

const base: CtEntry = {
  family: 2, protoNum: 6, status: 0x18e, id: 4000000000, timeoutSec: 431999, mark: 0xffffffff, use: 1, zone: 7,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 65535, dport: 0, zone: 3 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 0, dport: 65535 },
  tcp: { state: 99 }, // no name: "?(99)"
};

t.test('odd values: escaping, big numbers, labels, timestamps, master, missing fields', async (t) => {
  const names = new StatusNames();
  const line = new JsonLine(names);
  const cases: CtEntry[] = [
    base,
    { ...base, helper: 'we"ird\\\n\u00e9\u{1f600}', secctx: 'system_u:object_r:"x"', labels: [0, 7, 127] },
    { ...base, countersOrig: { packets: 9007199254740991, bytes: 4294967296 }, countersSaturated: true },
    { ...base, countersReply: { packets: 1, bytes: 2 }, startNs: 18446744073709551615n, stopNs: 0n },
    { family: 10, protoNum: 58, status: 0, orig: { src: '::1', dst: 'fe80::1', type: 128, code: 0, icmpId: 9 }, reply: { src: 'fe80::1', dst: '::1', type: 129, code: 0, icmpId: 9 } },
    { family: 2, protoNum: 47, status: 0, orig: { src: '1.2.3.4', dst: '5.6.7.8', srcKey: 1, dstKey: 2 }, reply: { src: '5.6.7.8', dst: '1.2.3.4' }, master: { src: '1.1.1.1', dst: '2.2.2.2', sport: 1, dport: 1723 } },
    { family: 2, protoNum: 253, status: 0xffffffff, orig: { src: '1.2.3.4', dst: '5.6.7.8' }, reply: { src: '5.6.7.8', dst: '1.2.3.4' }, sctp: { state: 3 } },
  ];
  for (const e of cases) {
    line.write(e);
    t.equal(Buffer.from(line.buf.subarray(0, line.len)).toString('utf8'), flowJson(toFlow(e, names)));
  }
});

t.test('a line longer than the buffer grows it', async (t) => {
  const line = new JsonLine(new StatusNames());
  const e = { ...base, helper: 'x'.repeat(5000) };
  line.write(e);
  t.equal(Buffer.from(line.buf.subarray(0, line.len)).toString(), flowJson(toFlow(e)));
});

t.test('entryKeyHash: same identity, same hash; a different tuple or id, another', async (t) => {
  const h = entryKeyHash(base);
  t.equal(entryKeyHash({ ...base, timeoutSec: 1, countersOrig: { packets: 5, bytes: 6 }, status: 0 }), h, 'changing fields are not identity');
  t.not(entryKeyHash({ ...base, orig: { ...base.orig, sport: 1 } }), h);
  t.not(entryKeyHash({ ...base, id: base.id! + 1 }), h);
  t.not(entryKeyHash({ ...base, orig: { ...base.orig, src: '10.0.0.12', dst: '.0.0.2' } }), h, 'address boundaries count');
  t.ok(h >= 0 && h < 2 ** 30 && Number.isInteger(h), '30-bit');
});
