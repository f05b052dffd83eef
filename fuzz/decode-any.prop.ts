// fuzz/ property (a): decoding any bytes throws nothing but DecodeError, and the work done is linear
// in the input (attributes visited bounded by the byte count). Imports fast-check and ./harness.
// Inputs: structured datagrams with lying lengths and random nests, plus plain random bytes.
import fc from 'fast-check';
import { datagramArb } from './arbitraries.js';
import { type PropOptions, decodeEverything, stepBudget } from './harness.js';

/** Every decoder on every message of any datagram: only DecodeError may escape, within the step budget. */
export function propDecodeAnyBytes({ numRuns, seed }: PropOptions): void {
  fc.assert(
    fc.property(datagramArb, (bytes) => {
      const rep = decodeEverything(bytes);
      if (rep.attrSteps > stepBudget(bytes.length)) throw new Error(`visited ${rep.attrSteps} attributes in ${bytes.length} bytes`);
      if (rep.unknownSamples > 16) throw new Error(`kept ${rep.unknownSamples} unknown samples`);
    }),
    { numRuns, seed },
  );
}
