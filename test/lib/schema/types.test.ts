// The schema definitions and lib's types agree at compile time: a Flow, an Enrichment and a stats line are
// assignable to the schemas' static types, so a type change the schema contradicts fails the typecheck. Keys lib
// adds that the schema lacks are caught at run time by the closed checks (events.test.ts, fuzz/schema.prop.ts).
import t from 'tap';
import type { Static } from '@sinclair/typebox';
import type { Enrichment } from '../../../lib/enrich/index.js';
import type { TableStats } from '../../../lib/flow-stats.js';
import type { Flow } from '../../../lib/flow.js';
import type { SourceHealth } from '../../../lib/source.js';
import type { EnrichObjectSchema } from '../../../lib/schema/enrich.js';
import type { StatsLineSchema } from '../../../lib/schema/events.js';
import type { FlowObjectSchema } from '../../../lib/schema/flow.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/** Compiles only when A is assignable to B. */
function assignable<A extends B, B>(): true {
  return true;
}

t.test('lib types fit the schema types', async (t) => {
  t.ok(assignable<Mutable<Flow>, Static<typeof FlowObjectSchema>>(), 'Flow');
  t.ok(assignable<Enrichment, Static<typeof EnrichObjectSchema>>(), 'Enrichment');
  t.ok(assignable<{ event: 'stats'; atMs: number; health: SourceHealth } & TableStats, Static<typeof StatsLineSchema>>(), 'a stats line');
});
