// Benchmark child run by test/bench/run.ts: decode speed and allocation per flow on a recorded capture.
// Imports netlink/ and lib/kernel/ directly (a benchmark measures the layers themselves).
// Run as: node --expose-gc --min-semi-space-size=M --max-semi-space-size=M decode-child.js FILE [--seconds S]
// Speed: splitMessages + decodeCtEntry + toFlow over every received record of the capture, repeated for
// about S seconds; flows/s = flows decoded / time. Allocation: the new space is made large enough that a
// slice of records decodes without a scavenge; heapUsed after minus before (after a full gc()) is what the
// slice allocated. Slices during which a GC ran (PerformanceObserver 'gc' entries) are discarded.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { toFlow } from '../../lib/kernel/index.js';
import type { Flow } from '../../lib/flow.js';
import { decodeCtEntry, isCtEntryMessage } from '../../netlink/ct-decode.js';
import { splitMessages } from '../../netlink/message.js';
import { decodePcap } from '../../netlink/pcap.js';
import { Reader } from '../../netlink/reader.js';

const file = process.argv[2];
const si = process.argv.indexOf('--seconds');
const seconds = si >= 0 ? Number(process.argv[si + 1]) : 3;
const gc = (globalThis as { gc?: () => void }).gc;
if (!file || !gc) {
  process.stderr.write('usage: node --expose-gc decode-child.js FILE [--seconds S]\n');
  process.exit(2);
}

const cap = decodePcap(readFileSync(file));
const recs = cap.records.filter((r) => r.direction === 'in' && r.family === 12).map((r) => r.data);
const bytes = recs.reduce((n, d) => n + d.byteLength, 0);

let sink: Flow | undefined;
/** Decodes records [from, to) and returns the number of flows. */
function decodeRange(from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const r = new Reader(recs[i]);
    for (const m of splitMessages(r)) {
      if (!isCtEntryMessage(m)) continue;
      sink = toFlow(decodeCtEntry(r, m));
      n++;
    }
  }
  return n;
}

// Warm-up: two passes, so the timed passes run optimised code.
const flowsPerPass = decodeRange(0, recs.length);
decodeRange(0, recs.length);

// Speed.
let passes = 0;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let elapsed = 0;
while (elapsed < seconds) {
  decodeRange(0, recs.length);
  passes++;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
const cpu = process.cpuUsage(c0);

// Allocation per flow, in slices of 20 records (~2,300 flows, ~3 MiB of garbage at most).
let gcs = 0;
const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
obs.observe({ entryTypes: ['gc'] });
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 5)); // let the observer deliver
let allocBytes = 0, allocFlows = 0, discarded = 0;
const SLICE = 20;
for (let i = 0; i < recs.length; i += SLICE) {
  gc();
  await flush();
  const before = gcs;
  const h0 = process.memoryUsage().heapUsed;
  const n = decodeRange(i, Math.min(recs.length, i + SLICE));
  const h1 = process.memoryUsage().heapUsed;
  await flush();
  if (gcs !== before || h1 < h0) { discarded++; continue; }
  allocBytes += h1 - h0;
  allocFlows += n;
}
obs.disconnect();
void sink;

process.stdout.write(`${JSON.stringify({
  records: recs.length, bytes, flowsPerPass, passes, seconds: elapsed,
  flowsPerSec: (flowsPerPass * passes) / elapsed,
  cpuS: (cpu.user + cpu.system) / 1e6,
  nsPerFlow: (elapsed * 1e9) / (flowsPerPass * passes),
  allocBytesPerFlow: allocFlows > 0 ? allocBytes / allocFlows : null,
  allocFlowsMeasured: allocFlows, slicesDiscarded: discarded,
})}\n`);
