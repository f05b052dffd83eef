// Runs the model-based property of fuzz/flow-table.prop.ts with a fixed seed and bounded runs (CI).
// Longer runs: CONNTOP_FUZZ_RUNS=N (and CONNTOP_FUZZ_SEED=S) for a local session.
import t from 'tap';
import { checkFlowTableModel } from '../../fuzz/flow-table.prop.js';

t.test('FlowTable agrees with the kernel model and the reference table', async (t) => {
  const seed = Number(process.env.CONNTOP_FUZZ_SEED ?? 20261122);
  const numRuns = Number(process.env.CONNTOP_FUZZ_RUNS ?? 100);
  t.doesNotThrow(() => checkFlowTableModel({ seed, numRuns }));
});
