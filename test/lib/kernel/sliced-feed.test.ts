// Tests for lib/kernel/sliced-feed.ts: order of arrival kept, copies of queued bytes, slices bounded by a
// fake clock, later turns finish the backlog, close drops it. The clock is injected: no timing assertions.
import t from 'tap';
import { SlicedFeed } from '../../../lib/kernel/sliced-feed.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** A feed whose processing advances a fake clock by `costMs` per datagram; records what it processed. */
function harness(sliceMs: number, costMs: number) {
  let clock = 0;
  const seen: string[] = [];
  const feed = new SlicedFeed((dir, data, atMs) => {
    seen.push(`${dir}${data[0]}@${atMs}`);
    clock += costMs;
  }, sliceMs, () => clock);
  return { feed, seen };
}

t.test('within the budget, datagrams are processed at once', async (t) => {
  const { feed, seen } = harness(4, 1);
  feed.push('in', Uint8Array.of(1), 10);
  feed.push('in', Uint8Array.of(2), 11);
  t.same(seen, ['in1@10', 'in2@11']);
  t.equal(feed.backlog, 0);
});

t.test('past the budget, the rest waits for later turns, in order, as copies', async (t) => {
  const { feed, seen } = harness(4, 1);
  const shared = new Uint8Array(1); // as the shim's reused receive buffer
  for (let i = 0; i < 10; i++) {
    shared[0] = i;
    feed.push(i === 5 ? 'out' : 'in', shared, i);
  }
  t.same(seen, ['in0@0', 'in1@1', 'in2@2', 'in3@3'], 'one slice of 4 ms');
  t.equal(feed.backlog, 6);
  await turn();
  t.same(seen.slice(4), ['in4@4', 'out5@5', 'in6@6', 'in7@7'], 'the next turn: one more slice');
  // Arriving while a backlog waits: queued behind it, not processed first.
  shared[0] = 42;
  feed.push('in', shared, 42);
  t.equal(seen.length, 8);
  for (let i = 0; i < 5 && feed.backlog > 0; i++) await turn();
  t.same(seen.slice(8), ['in8@8', 'in9@9', 'in42@42']);
  t.equal(feed.backlog, 0);
});

t.test('a new turn starts a new slice', async (t) => {
  const { feed, seen } = harness(2, 1);
  feed.push('in', Uint8Array.of(1), 1);
  feed.push('in', Uint8Array.of(2), 2);
  feed.push('in', Uint8Array.of(3), 3);
  t.equal(seen.length, 2);
  await turn();
  t.equal(seen.length, 3);
  await turn();
  feed.push('in', Uint8Array.of(4), 4);
  t.equal(seen.length, 4, 'processed at once: the budget is per turn');
});

t.test('close drops the backlog and ignores later datagrams', async (t) => {
  const { feed, seen } = harness(1, 1);
  feed.push('in', Uint8Array.of(1), 1);
  feed.push('in', Uint8Array.of(2), 2);
  feed.close();
  feed.push('in', Uint8Array.of(3), 3);
  await turn();
  await turn();
  t.same(seen, ['in1@1']);
  t.equal(feed.backlog, 0);
});
