// tui/ layer: the seams the view plugs into, as structural interfaces: the session (lib/session.ts, see
// the session contract), the filter language, grouping and settings. Imports lib/ types only.
// lib/session.ts's Session satisfies SessionLike as it is (tests pass fakes); tui/ stubs fill the others until
// the filter language, grouping and settings modules land.
import type { Enricher } from '../lib/enrich/index.js';
import type { FlowChange, FlowTable, TableStats } from '../lib/flow-table.js';
import type { Row } from '../lib/row.js';
import type { SourceHealth } from '../lib/source.js';

/** What the session delivers to an output (the contract's SessionOutput). */
export interface SessionOutputLike {
  changes(batch: readonly FlowChange[]): void | Promise<void>;
  refreshed(stats: TableStats, health: SourceHealth, atMs: number): void | Promise<void>;
  sourceEnded?(): void;
}

/** The members of lib/session.ts's Session the view uses. */
export interface SessionLike {
  readonly table: FlowTable;
  readonly enricher: Enricher | null;
  run(out: SessionOutputLike, opts?: { stayAfterSourceEnd?: boolean }): Promise<'aborted' | 'iterations' | 'source-ended' | 'output-closed'>;
  setInterval(ms: number): void;
  refreshNow(): void;
  readonly intervalMs: number;
}

/** A compiled filter, or where the text is wrong (pos: 0-based character offset). */
export type FilterResult =
  | { ok: true; test: (r: Row) => boolean; needsEnrichment: boolean }
  | { ok: false; error: { code: string; message: string; pos: number } };

/** Turns filter text into a row predicate. */
export type FilterCompiler = (text: string) => FilterResult;

/** What the view can group by (lib/group.ts's keys). */
export type { GroupBy } from '../lib/group.js';
import type { GroupBy } from '../lib/group.js';

/** One group's aggregates: flows, bytes and rates (bytes per second) in both directions. */
export interface GroupRow {
  key: string;
  /** A filter expression that selects this group's flows (Enter opens the group with it). */
  filter: string;
  flows: number;
  bytes: number;
  rateBps: number;
}

/** Groups rows (most flows first); labels follow the view's name and service toggles. */
export type Grouper = (rows: readonly Row[], by: GroupBy, opts: { names: boolean; services: boolean }) => GroupRow[];

/** What the view persists: columns and their widths, sort, meters, theme, toggles, interval. */
export interface ViewSettings {
  columns: string[];
  widths: Record<string, number>;
  sortBy: string;
  descending: boolean;
  theme: string;
  /** Header meter ids in order (tui/meters.ts's registry). */
  meters: string[];
  intervalMs: number;
  names: boolean;
  services: boolean;
  bits: boolean;
  totals: boolean;
  ghosts: boolean;
  /** Which end counts as the source (s). */
  source: 'orig' | 'local';
  /** Active flows only (a). */
  activeOnly: boolean;
  /** The filter in force (filter language text). */
  filter: string;
}

/** Loads and saves settings (the settings file); save never throws, it reports through warn. */
export interface SettingsStore {
  load(): Partial<ViewSettings>;
  save(s: ViewSettings): void;
}
