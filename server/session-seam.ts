// server/ layer: the part of lib/session.ts's contract the server depends on (/work/session-contract.md),
// as structural types, so that the server compiles before and after Session lands and any Session satisfies
// them. Imports lib/ types only.
import type { FlowChange, FlowTable, TableStats } from '../lib/flow-table.js';
import type { SourceHealth } from '../lib/source.js';

/** What an output of a session receives (SessionOutput in lib/session.ts). */
export interface SessionOutputLike {
  /** Changes since the last call, within milliseconds of the source events and after each refresh. */
  changes(batch: readonly FlowChange[]): void | Promise<void>;
  /** After each refresh: table statistics and source health. */
  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void>;
  /** The source ended (a replay reached its end). */
  sourceEnded?(): void;
}

/** The live table as the server reads it: snapshots for new clients and statistics. */
export type ServedTable = Pick<FlowTable, 'snapshot' | 'stats'>;
