// lib/heap.ts: the V8 flags conntop sets on itself (why: see its comment; measured in the benchmark).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { HEAP_FLAGS, fullCollector, tuneHeap } from '../../lib/heap.js';

t.test('tuneHeap sets the V8 flags it documents', async (t) => {
  const flags: string[] = [];
  tuneHeap((f) => flags.push(f));
  t.same(flags, ['--semi-space-growth-factor=1', '--memory-reducer-single-gc']);
  t.same(flags, [...HEAP_FLAGS]);
});

// V8 ignores a flag it does not know, silently: a node whose V8 dropped one would lose its effect unnoticed.
t.test('every flag tuneHeap sets is one this node\'s V8 knows', async (t) => {
  const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  for (const f of HEAP_FLAGS) t.match(options, `  ${f.replace(/=.*/, '')} `, f);
});

t.test('fullCollector sets --expose-gc, runs the context\'s gc at most once per gap, and is a no-op without one', async (t) => {
  const flags: string[] = [];
  let runs = 0;
  let clock = 0;
  const collect = fullCollector((f) => flags.push(f), (code) => (code === 'gc' ? () => runs++ : undefined), () => clock, 5000);
  t.same(flags, ['--expose-gc']);
  collect();
  collect();
  t.equal(runs, 1, 'twice at once: one collection');
  clock += 5000;
  collect();
  t.equal(runs, 2, 'again after the gap');
  const none = fullCollector(() => undefined, () => undefined, () => 0);
  t.doesNotThrow(() => none(), 'no gc offered: nothing happens');
});

t.test('fullCollector really collects in node', async (t) => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  const collect = fullCollector(setFlagsFromString, (code) => runInNewContext(code), Date.now, 0);
  let garbage: object[] | null = Array.from({ length: 300000 }, (_, i) => ({ i }));
  const before = process.memoryUsage().heapUsed;
  t.ok(garbage.length > 0);
  garbage = null;
  collect();
  t.ok(process.memoryUsage().heapUsed < before, 'the heap shrank');
});
