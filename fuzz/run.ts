// fuzz/ entry point: runs every codec property with fresh seeds until the time budget is spent.
// Usage: node dist/fuzz/run.js [--seconds N] [--runs-per-batch N]  (default 60 s, 500 runs per batch).
// On a failure it prints the property, the seed and fast-check's shrunk counterexample, and exits 1.
import { PROPERTIES } from './props.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

const seconds = arg('--seconds', 60);
const numRuns = arg('--runs-per-batch', 500);
const deadline = Date.now() + seconds * 1000;
let batches = 0;
while (Date.now() < deadline) {
  for (const p of PROPERTIES) {
    const seed = (Math.random() * 0x7fffffff) | 0;
    try {
      p.run({ numRuns, seed });
    } catch (e) {
      console.error(`FAIL ${p.name} seed=${seed}\n${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
      process.exit();
    }
  }
  batches++;
}
console.log(`fuzz: ${batches} batch(es) of ${numRuns} runs x ${PROPERTIES.length} properties in ${seconds}s, no failures`);
