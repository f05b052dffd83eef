// fuzz/ property (c): real kernel datagrams (our recorded fixtures) mutated by bit flips, truncation
// and lying u16/u32 length fields never throw anything but DecodeError and stay within the step budget.
// Imports fast-check, netlink/ and ./harness. Without fixtures it mutates encoded arbitrary entries.
import fc from 'fast-check';
import { encodeCtEntryMessage } from '../netlink/ct-request.js';
import { HOST_IS_LE } from '../netlink/reader.js';
import { ctEntryArb, projectForOrder } from './arbitraries.js';
import { type PropOptions, decodeEverything, fixtureDatagrams, stepBudget } from './harness.js';

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'truncate'; pos: number }
  | { kind: 'lie16' | 'lie32'; pos: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('lie16' as const, 'lie32' as const),
    pos: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 15, 16, 17, 0xffff, 0xffffffff, 0x80000000), fc.nat()),
  }),
);

/** Applies mutations to a copy; length fields are written host-order at 4-aligned offsets (where headers live). */
export function mutate(src: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const pos = m.pos % b.length;
    if (m.kind === 'flip') b[pos] ^= 1 << m.bit;
    else if (m.kind === 'truncate') b = b.slice(0, pos);
    else {
      const at = pos & ~3;
      if (m.kind === 'lie16' && at + 2 <= b.length) v.setUint16(at, m.value & 0xffff, HOST_IS_LE);
      if (m.kind === 'lie32' && at + 4 <= b.length) v.setUint32(at, m.value >>> 0, HOST_IS_LE);
    }
  }
  return b;
}

/** Mutated kernel (or encoded) datagrams: only DecodeError, bounded attribute walk. */
export function propMutatedKernelMessages({ numRuns, seed }: PropOptions): void {
  const real = fixtureDatagrams(HOST_IS_LE);
  const encoded = ctEntryArb.map((e) => encodeCtEntryMessage(projectForOrder(e, 'dump'), { flags: 2, seq: 1, pid: 1 }, 'dump'));
  const source = real.length > 0 ? fc.oneof(fc.constantFrom(...real), encoded) : encoded;
  fc.assert(
    fc.property(source, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (bytes, muts) => {
      const b = mutate(bytes, muts);
      const rep = decodeEverything(b);
      if (rep.attrSteps > stepBudget(b.length)) throw new Error(`visited ${rep.attrSteps} attributes in ${b.length} bytes`);
    }),
    { numRuns, seed },
  );
}
