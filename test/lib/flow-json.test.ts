// The hand-written flow JSON is exactly JSON.stringify of the same flow, for any entry the decoder can
// produce (fast-check over the codec's CtEntry arbitrary, fixed seed), and for the golden fixtures.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ctEntryArb } from '../../fuzz/arbitraries.js';
import { flowJson } from '../../lib/flow-json.js';
import { toFlow } from '../../lib/kernel/index.js';
import type { Flow } from '../../lib/flow.js';

t.test('flowJson(toFlow(e)) === JSON.stringify(toFlow(e)) for any entry', async (t) => {
  fc.assert(fc.property(ctEntryArb, (e) => {
    const f = toFlow(e);
    return flowJson(f) === JSON.stringify(f);
  }), { seed: 0x5eed, numRuns: 500 });
  t.pass('500 entries');
});

t.test('odd values are escaped and nulls kept', async (t) => {
  const f: Flow = {
    id: 1, family: 'ipv4', proto: 'tcp', protoNum: 6, orig: { src: '1.2.3.4', dst: '5.6.7.8', sport: 1, dport: 2 },
    reply: { src: '5.6.7.8', dst: '1.2.3.4', sport: 2, dport: 1 }, state: null, status: [], timeoutSec: null, mark: 0,
    zone: 0, use: null, labels: [1, 127], helper: 'we"ird\\\n',
    counters: { orig: { packets: 9007199254740991, bytes: 1 }, reply: { packets: 0, bytes: 0 }, saturated: true },
    secctx: 'system_u:object_r:"x"', // keys in toFlow's order: JSON.stringify follows insertion order
  };
  t.equal(flowJson(f), JSON.stringify(f));
});

t.test('golden flows serialise identically', async (t) => {
  const file = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/golden/once-mixed.jsonl');
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) t.equal(flowJson(JSON.parse(line) as Flow), line);
});
