// fuzz/ property of the view's ordered index (tui/view-state.ts's ordering, tui/list-model.ts and
// tui/key-sort.ts): over arbitrary live rows, for every column, both directions and any display toggles,
// the listed order is a stable sort by the column's comparator (lib/fields.ts), the order the view had
// before its keys went into typed arrays and counting sorts. Imports fast-check, node:assert, lib/, tui/.
import { ok } from 'node:assert';
import fc from 'fast-check';
import type { Enrichment } from '../lib/enrich/index.js';
import { FIELDS } from '../lib/fields.js';
import type { Flow } from '../lib/flow.js';
import type { LiveFlow } from '../lib/flow-table.js';
import type { Row } from '../lib/row.js';
import { ViewState } from '../tui/view-state.js';
import type { PropOptions } from './harness.js';
import { displayArb, rowArb } from './row-arbitraries.js';

const liveRowArb = rowArb.filter((r) => r.live !== undefined);

/** The view's rows for `rows` sorted by every field: equal to a stable sort by field.compare. */
export function propViewOrderMatchesCompare(o: PropOptions): void {
  fc.assert(fc.property(fc.array(liveRowArb, { maxLength: 40 }), displayArb, fc.boolean(), (rows, d, desc) => {
    const lives = rows.map((r) => ({ ...r.live!, flow: r.flow }) as LiveFlow);
    const enrichment = new Map<Flow, Enrichment | undefined>(rows.map((r) => [r.flow, r.enrich]));
    for (const f of FIELDS) {
      const view = new ViewState({
        snapshot: () => lives, now: () => 0, holdMs: 0,
        compileFilter: () => ({ ok: false, error: { code: 'x', message: '', pos: 0 } }), group: () => [],
        // What the arbitrary row holds (undefined: the row stays pending); the view asks only for an
        // enrichment column (its background fill), as it does live.
        enrich: (flow) => enrichment.get(flow) as Enrichment,
      }, { sortBy: f.id, descending: desc, names: d.names, services: d.services, bits: d.bits, totals: d.totals, source: d.source });
      view.resort();
      view.tick(); // fills enrichment for an enrichment column and re-sorts
      const seen = (l: LiveFlow): Row => view.rowOf(l);
      const want = lives.map((l, i) => ({ l, i })).sort((a, b) => (desc ? -1 : 1) * f.compare(seen(a.l), seen(b.l), view.fmt) || a.i - b.i).map((x) => x.l);
      const got = view.list.rows;
      ok(got.length === want.length && got.every((l, i) => l === want[i]), `${f.id}${desc ? ' descending' : ''}: the view's order`);
    }
  }), { numRuns: o.numRuns, seed: o.seed });
}
