// DumpRepeats: a copy with a seen id and fingerprint is a repeat; a distinct flow sharing an id is not (and its
// own copies are); ids equal in their low bits are different ids; the table keeps every id as it grows.
import t from 'tap';
import { DumpRepeats } from '../../lib/dump-repeats.js';

t.test('repeats by id and fingerprint', async (t) => {
  const r = new DumpRepeats();
  t.equal(r.repeated(5, 100), false, 'first copy');
  t.equal(r.repeated(5, 100), true, 'the same flow again');
  t.equal(r.repeated(5, 200), false, 'another flow with the same id');
  t.equal(r.repeated(5, 200), true, 'and its copy');
  t.equal(r.repeated(5 + 2 ** 30, 100), false, 'an id equal in its low 30 bits');
  t.equal(r.repeated(0xffffffff, 7), false, 'the largest id');
  t.equal(r.repeated(0xffffffff, 7), true);
  t.equal(r.repeated(0, 0), false, 'id 0, fingerprint 0');
  t.equal(r.repeated(0, 0), true);
});

t.test('growing keeps every id', async (t) => {
  const r = new DumpRepeats();
  const n = 50_000;
  const id = (i: number): number => Math.imul(i, 2654435761) >>> 0;
  let fresh = 0;
  for (let i = 0; i < n; i++) if (!r.repeated(id(i), i & 0x3fffffff)) fresh++;
  t.equal(fresh, n, 'every first copy is new');
  let again = 0;
  for (let i = 0; i < n; i++) if (r.repeated(id(i), i & 0x3fffffff)) again++;
  t.equal(again, n, 'every second copy is a repeat');
});

// Shrunk by fuzz/dump-repeats.prop.ts (seed 0x5eed): the fingerprints of an id's further flows were kept in one
// Set for all ids, so a flow of another id with such a fingerprint was taken for a repeat and dropped.
t.test('regression: a further flow of one id does not make another id\'s flow a repeat', async (t) => {
  const r = new DumpRepeats();
  t.same([r.repeated(35, 1), r.repeated(35, 0), r.repeated(27, 1), r.repeated(27, 0)], [false, false, false, false]);
  t.same([r.repeated(35, 0), r.repeated(27, 0)], [true, true], 'each is a repeat of itself');
});
