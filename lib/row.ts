// lib/ layer: the Row, what every view of a flow shows and sorts by (text table, TUI, filter language).
// Imports lib/ types only. A row is the flow, its live figures when it comes from the live table (rates,
// age, idle time, ghost state), and what enrichment knows of it so far.
import type { Enrichment } from './enrich/index.js';
import type { Flow } from './flow.js';
import type { LiveFlow } from './flow-table.js';

/** One flow as shown: `live` is absent for one-shot output (--once); `enrich` is absent until computed. */
export interface Row {
  readonly flow: Flow;
  readonly live?: LiveFlow;
  readonly enrich?: Enrichment;
}
