// lib/heap.ts: the one V8 flag conntop sets on itself (why: see its comment; measured in the benchmark).
import t from 'tap';
import { keepYoungGenerationSmall } from '../../lib/heap.js';

t.test('keepYoungGenerationSmall sets the one V8 flag it documents', async (t) => {
  const flags: string[] = [];
  keepYoungGenerationSmall((f) => flags.push(f));
  t.same(flags, ['--semi-space-growth-factor=1']);
});
