// fuzz/ properties of the JSON output schemas (lib/schema/): any flow the decoder can produce, written by
// flowJson, validates as a `--once --json` line; any row's change lines (new, update, destroy, with or without
// enrich) and a resync line, written by lib/events-output.ts, validate as `--events` lines. Every key is named.
// Imports fast-check, node:assert, lib/ and ./ files.
import { ok } from 'node:assert';
import fc from 'fast-check';
import type { Enricher } from '../lib/enrich/index.js';
import { changeJson } from '../lib/events-output.js';
import { flowJson } from '../lib/flow-json.js';
import { toFlow } from '../lib/kernel/index.js';
import { ctEntryArb } from './arbitraries.js';
import type { PropOptions } from './harness.js';
import { rowArb } from './row-arbitraries.js';
import { eventsLine, flowLine } from './schema-check.js';

/** flowJson(toFlow(entry)) validates against the flow schema for any decodable entry. */
export function propFlowJsonValidates(o: PropOptions): void {
  fc.assert(fc.property(ctEntryArb, (e) => {
    const v = JSON.parse(flowJson(toFlow(e))) as unknown;
    ok(flowLine.okClosed(v), flowLine.why(v));
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** changeJson of any live row (every change kind, enrich or not) and of a resync validates as an --events line. */
export function propChangeLinesValidate(o: PropOptions): void {
  const kinds = fc.constantFrom('new' as const, 'update' as const, 'destroy' as const);
  const reasons = fc.constantFrom('destroy' as const, 'gone' as const);
  fc.assert(fc.property(rowArb, kinds, reasons, fc.nat(), (row, kind, reason, atMs) => {
    const lines = [changeJson({ kind: 'resync', atMs })];
    if (row.live) {
      const live = { ...row.live, closed: kind === 'destroy' ? { atMs, reason } : null };
      const enricher = row.enrich ? ({ enrich: () => row.enrich } as unknown as Enricher) : null;
      lines.push(changeJson({ kind, live, flow: live.flow }, enricher));
    }
    for (const line of lines) {
      const v = JSON.parse(line) as unknown;
      ok(eventsLine.okClosed(v), `${eventsLine.why(v)} in ${line}`);
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}
