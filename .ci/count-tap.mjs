// Counts assertions in tap's TAP output (any depth) and prints "N passed, N failed[, N skipped]".
// A subtest's own summary line carries "# time=" and is not counted when its assertions were; a failed
// subtest with no failed assertion inside (a file that crashed while loading) counts as one failure.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
let passed = 0, failed = 0, skipped = 0;
const open = []; // failure count when each "# Subtest:" began
for (const line of lines) {
  if (/^\s*# Subtest: /.test(line)) { open.push(failed); continue; }
  const m = /^\s*(not ok|ok) \d+\b(.*)$/.exec(line);
  if (!m) continue;
  if (/# time=/.test(m[2])) {
    const start = open.pop() ?? failed;
    if (m[1] === 'not ok' && failed === start) failed++;
    continue;
  }
  if (/#\s*(SKIP|TODO)/i.test(m[2])) skipped++;
  else if (m[1] === 'ok') passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
