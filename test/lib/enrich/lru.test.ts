import t from 'tap';
import { BoundedCache } from '../../../lib/enrich/lru.js';

const clock = () => { let now = 0; return { now: () => now, advance: (ms: number) => { now += ms; } }; };

t.test('never holds more than maxEntries, evicting the least recently used', async (t) => {
  const c = clock();
  const cache = new BoundedCache<string, number>({ maxEntries: 3, ttlMs: Infinity, now: c.now });
  cache.set('a', 1); cache.set('b', 2); cache.set('c', 3);
  t.equal(cache.get('a'), 1); // a is now the most recent
  cache.set('d', 4);
  t.equal(cache.size, 3);
  t.equal(cache.get('b'), undefined, 'b was least recently used');
  t.same([...cache.keys()], ['c', 'a', 'd']);
  t.equal(cache.evictions, 1);
});

t.test('entries expire by the injected clock, with per-entry ttl', async (t) => {
  const c = clock();
  const cache = new BoundedCache<string, string>({ maxEntries: 10, ttlMs: 100, now: c.now });
  cache.set('x', 'default'); cache.set('y', 'short', 10);
  c.advance(10);
  t.equal(cache.get('y'), undefined);
  t.ok(cache.has('x'));
  c.advance(90);
  t.equal(cache.get('x'), undefined);
  t.equal(cache.size, 0, 'both were dropped when touched');
});

t.test('an expired entry is evicted before a live one when full', async (t) => {
  const c = clock();
  const cache = new BoundedCache<number, number>({ maxEntries: 2, ttlMs: 100, now: c.now });
  cache.set(1, 1); cache.set(2, 2, 5);
  c.advance(6);
  cache.set(3, 3);
  t.equal(cache.get(1), 1);
  t.equal(cache.evictions, 0);
});

t.test('a big full cache evicts its oldest 1/64 at once (one walk over the front per batch, not per insert)', async (t) => {
  const cache = new BoundedCache<number, number>({ maxEntries: 128, ttlMs: Infinity, now: () => 0 });
  for (let i = 0; i < 129; i++) cache.set(i, i);
  t.equal(cache.evictions, 2);
  t.equal(cache.size, 127);
  t.same([...cache.keys()].slice(0, 2), [2, 3], 'the two least recently used went');
  for (let i = 129; i < 100_000; i++) cache.set(i, i);
  t.ok(cache.size <= 128 && cache.has(99_999) && !cache.has(99_000));
});

t.test('rejects a zero bound', async (t) => {
  t.throws(() => new BoundedCache({ maxEntries: 0, ttlMs: 1, now: () => 0 }), RangeError);
});
