// CI run of the codec properties in fuzz/: each with a fixed seed and a bounded number of runs, so
// failures reproduce. Longer, fresh-seed runs: `npm run build && npm run fuzz -- --seconds N`.
// Shrunk counterexamples found by the fuzzer live as named regression cases in test/netlink/*.test.ts.
import t from 'tap';
import { PROPERTIES } from '../fuzz/props.js';

const SEED = 0x5eed;
const RUNS = 300;

for (const p of PROPERTIES) {
  t.test(`property ${p.name} (seed ${SEED}, ${RUNS} runs)`, async (t) => {
    t.doesNotThrow(() => p.run({ numRuns: RUNS, seed: SEED }));
  });
}

t.test('the registry holds the codec properties, the flow-table model, the column order and the output schemas', async (t) => {
  t.same(PROPERTIES.map((p) => p.name), [
    'decode-any-bytes', 'entry-round-trip', 'stats-round-trip', 'mutated-kernel-messages', 'digest-ignores-timeout-and-header',
    'digest-sees-every-byte', 'digest-any-bytes', 'msg-cursor-matches-split', 'entry-json-matches-flow-json',
    'entry-key-hash-follows-flow-key', 'dump-repeats-matches-model', 'flow-json-writer-matches-flow-json', 'flow-table-model',
    'filter-parse-never-throws', 'filter-round-trip', 'filter-match-total', 'addr-into-matches-parse', 'settings-round-trip', 'settings-any-json',
    'field-compare-total-preorder', 'field-sort-key-matches-compare', 'sort-rows-matches-compare', 'order-by-keys-matches-compare', 'table-builder-matches-render', 'view-order-matches-compare',
    'flow-json-validates', 'change-lines-validate', 'change-line-matches-change-json',
    'server-framer-any-chunking', 'server-framer-any-bytes', 'server-validator-any-json',
    'v1-item-any-json', 'v1-updates-match-model',
  ]);
});
