// A paced replay stops at once: close() ends its pacing sleep, and a timestamp gap in the capture is cut to
// maxGapMs with a notice instead of being slept through. The golden capture, rewritten with a gap of 10^6 s,
// is played with an injected sleep (no real waiting) and with the real one (close() must wake it).
import t from 'tap';
import { join, resolve } from 'node:path';
import { ReplaySource } from '../../lib/kernel/index.js';
import type { SourceEvent } from '../../lib/source.js';
import { PcapWriter, readPcapFile } from '../../netlink/pcap.js';
import { HOST_IS_LE } from '../../netlink/reader.js';

const root = resolve(import.meta.dirname, '../..');
const golden = join(root, 'test/fixtures/golden/events-lifecycle.pcap');
const skip = !HOST_IS_LE && 'little-endian capture';
const GAP_NS = 1_000_000n * 1_000_000_000n; // 10^6 s

/** The golden capture with every record after the middle one moved 10^6 s later. */
async function gapCapture(dir: string): Promise<{ path: string; at: number }> {
  const recs = [];
  for await (const r of readPcapFile(golden)) recs.push(r);
  const at = Math.floor(recs.length / 2);
  const path = join(dir, 'gap.pcap');
  const w = PcapWriter.open(path);
  recs.forEach((r, i) => w.write({ ...r, tsNs: i >= at ? r.tsNs + GAP_NS : r.tsNs }));
  w.close();
  return { path, at };
}

/** Plays `src` to its end, asking for every dump. */
async function playAll(src: ReplaySource, sink: (ev: SourceEvent) => void): Promise<void> {
  let ended = false;
  void src.ended.then(() => (ended = true));
  await src.start(sink);
  while (!ended) await Promise.race([src.refresh(), src.ended]);
}

t.test('a gap in the capture is cut to maxGapMs, with a notice', { skip }, async (t) => {
  const { path } = await gapCapture(t.testdir({}));
  const waits: number[] = [];
  let clock = 0;
  const src = new ReplaySource(path, {
    speed: 1, maxGapMs: 1000, now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms; // the injected clock moves by exactly what was slept
    },
  });
  const notices: string[] = [];
  await playAll(src, (ev) => {
    if (ev.kind === 'notice') notices.push(ev.message);
  });
  t.ok(waits.length > 0, 'the replay was paced');
  t.ok(waits.every((ms) => ms <= 1000), `no wait beyond the cap (longest ${Math.max(...waits)} ms)`);
  t.equal(notices.length, 1, 'one notice for the one gap');
  t.match(notices[0], /jumps 1000000\.\d s/);
  t.ok(clock < 10_000, `the whole replay took ${clock} ms of playback, not 10^6 s`);
});

t.test('close() ends a pacing sleep at once', { skip }, async (t) => {
  const { path } = await gapCapture(t.testdir({}));
  // Real timers, a cap of an hour: only close() can end the wait at the gap.
  const src = new ReplaySource(path, { speed: 1, maxGapMs: 3_600_000 });
  let events = 0;
  const started = src.start(() => events++);
  await started;
  const before = events;
  await new Promise((r) => setTimeout(r, 50)); // let playback reach the gap (a wait, not an assertion)
  src.close();
  await src.ended; // would hang for an hour without the wake-up (tap's timeout fails the test)
  t.ok(events >= before, 'ended after close()');
});
