// Tests for lib/flow-json-writer.ts: JsonBytes writes exactly flowJson(f) as UTF-8 for the golden captures'
// flows and for the edges (escapes, non-ASCII, saturated and 2^53 counters, master, secctx, nulls), and
// take() hands out bytes that later writes never touch. The property over any flow is in fuzz/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JsonBytes } from '../../lib/flow-json-writer.js';
import type { Flow } from '../../lib/flow.js';
import { checkFlowJsonBytes } from '../../fuzz/flow-json-writer.prop.js';
import { mkFlow } from '../helpers/serve-harness.js';

const root = resolve(import.meta.dirname, '../..');

t.test('the golden captures\' flows, one after another in one buffer', async (t) => {
  const w = new JsonBytes(256);
  const flows = readFileSync(join(root, 'test/fixtures/golden/once-mixed.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Flow);
  t.ok(flows.length > 5);
  for (const f of flows) {
    w.ascii(',');
    checkFlowJsonBytes(w, f);
  }
  t.pass('all equal');
});

t.test('edges: escapes, non-ASCII, big counters, optional fields, nulls', async (t) => {
  const w = new JsonBytes(16);
  const base = mkFlow(7);
  const cases: [string, Flow][] = [
    ['plain', base],
    ['quote and backslash', { ...base, helper: 'a"b\\c', secctx: 'x\ny' }],
    ['non-ASCII and a lone surrogate', { ...base, state: 'é✓', startNs: '\ud800', orig: { ...base.orig, src: '\u2028' } }],
    ['saturated 2^53 - 1', { ...base, counters: { orig: { packets: 2 ** 32, bytes: Number.MAX_SAFE_INTEGER }, reply: { packets: 0, bytes: 4294967295 }, saturated: true } }],
    ['a server host (several -c)', { ...base, host: 'router-1' }],
    ['master and stopNs', { ...base, master: { src: '10.0.0.1', dst: '10.0.0.2', sport: 21, dport: 0 }, stopNs: '1', labels: [0, 5, 127] }],
    ['nulls', { ...base, state: null, timeoutSec: null, use: null, helper: null, counters: undefined }],
    ['many and long names', { ...base, status: Array.from({ length: 300 }, (_, i) => `S${i}`), labels: Array.from({ length: 500 }, (_, i) => i), secctx: 'x'.repeat(5000), helper: 'é'.repeat(3000) }],
    ['many tuple keys', { ...base, orig: Object.fromEntries([['src', 'a'], ['dst', 'b'], ...Array.from({ length: 400 }, (_, i) => [`k${i}`, i])]) as unknown as Flow['orig'] }],
  ];
  for (const [name, f] of cases) {
    checkFlowJsonBytes(w, f);
    t.pass(name);
  }
});

t.test('take() hands out its bytes and starts a fresh buffer', async (t) => {
  const w = new JsonBytes(8);
  w.ascii('[');
  w.flow(mkFlow(1));
  const first = w.take();
  const copy = Buffer.from(first);
  w.flow(mkFlow(2));
  t.equal(w.len > 0, true);
  t.same(first, copy, 'later writes leave taken bytes alone');
  t.equal(first.toString().startsWith('[{"id":'), true);
});

// fast-check counterexample (seed 24301 of flow-json-writer-matches-flow-json, after flowJson's tuple fast path
// landed): a tuple whose keys came in the order dport, sport was written in key order, flowJson writes sport first.
t.test('regression: ports written sport first whatever the tuple\'s key order', async (t) => {
  const f = mkFlow(1);
  const orig = { src: '', dst: '::', dport: 0, sport: Number.MAX_SAFE_INTEGER };
  checkFlowJsonBytes(new JsonBytes(64), { ...f, orig } as Flow);
  t.pass('equal to flowJson');
});
