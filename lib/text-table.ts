// lib/ layer: the --once text table: columns from the registry (lib/fields.ts) fitted to a width by
// dropping the lowest priorities first and cutting cells with a visible ellipsis. Imports lib/ only.
// layoutColumns is the fitting step alone, for any grid of columns (the TUI's too).
import { DEFAULT_DISPLAY, fieldById, titleOf, type DisplayOptions, type Field } from './fields.js';
import { textWidth } from './char-width.js';
import { fit } from './format.js';
import type { Row } from './row.js';

/** Columns of the --once text table before enrichment columns, in order (sparse ones drop out when blank). */
export const ONCE_COLUMNS = ['server', 'proto', 'state', 'src', 'sport', 'dst', 'dport', 'nat', 'packets', 'bytes', 'timeout', 'mark', 'zone', 'labels', 'helper', 'flags'];

/** Which enrichment parts a run has on: their columns are shown (with "…" until known), the others left out. */
export interface EnrichParts {
  services: boolean;
  geoip: boolean;
  dns: boolean;
  processes: boolean;
}

/** The --once column ids for the enrichment parts that are on (each part on means its columns are there). */
export function onceColumns(parts: EnrichParts): string[] {
  const any = parts.services || parts.geoip || parts.dns || parts.processes;
  const ids = [...ONCE_COLUMNS];
  ids.splice(ids.indexOf('dport') + 1, 0, ...(parts.services ? ['service'] : []), ...(any ? ['dir'] : []));
  if (parts.geoip) ids.push('country', 'org');
  if (parts.dns) ids.push('host');
  if (parts.processes) ids.push('pid', 'process');
  return ids;
}

/** The text table's legend, for --help and README: width, cuts, abbreviations and markers. */
export const TABLE_LEGEND = `The text table (--once) fits the terminal, or 80 columns when not a terminal
(--wide: no limit). Low-priority columns are left out first; a cut cell shows
"…" (addresses are cut in the middle).
  DIR          out: opened by this host; in: opened to it; fwd: forwarded
               (neither end local); loc: both ends local. NAT suffix: S source,
               D destination, SD both (fwdS: a masqueraded flow)
  NAT          the translated end, from the reply tuple: "S addr:port" the
               source after SNAT; "D addr:port" the real destination after DNAT
  FLAGS        A assured, U unreplied (no reply seen), S source NAT,
               D destination NAT, O offloaded, E expected (opened by a helper)
  SPORT DPORT  ICMP: type/code (8/0 echo request) and #id (#77);
               GRE: the keys in hex (0x10)
  PROCESS      - no process (a TIME_WAIT socket); ? not visible (another PID
               namespace)
  …            not known yet (a lookup is still running); blank: known, none
  -            not measured: no counters (nf_conntrack_acct was off when the
               flow began)
  units        decimal: 1 kB = 1000 bytes, 1 kb = 1000 bits; 3.4k = 3,400
               packets; durations as 4d23h, 1m39s`;

/** How to draw a table. */
export interface TableOptions {
  /** Field ids, in order; unknown ids are skipped. Default ONCE_COLUMNS. */
  columns?: readonly string[];
  /** The widest a line may be, in terminal columns; Infinity for no limit (--wide). Default 80. */
  maxWidth?: number;
  display?: DisplayOptions;
  /** The line printed instead of a header when there are no rows. Default "no flows". */
  emptyText?: string;
}

/** A column to fit: its field and the width its content wants (title and widest cell, capped at field.width). */
export interface ColumnDemand {
  field: Field;
  natural: number;
}

/**
 * Chooses columns and widths for `maxWidth` (one space between columns): while even the minimum widths do not
 * fit, the lowest-priority column goes (the rightmost of equals; the first column always stays); then every
 * column gets its minimum, and the spare width goes to the highest priorities first, up to each natural width.
 * Returns the kept columns' indexes into `cols`, in order, with their widths.
 */
export function layoutColumns(cols: readonly ColumnDemand[], maxWidth: number): Array<{ index: number; width: number }> {
  const minOf = (c: ColumnDemand): number => Math.min(c.natural, c.field.minWidth);
  const kept = cols.map((_, i) => i);
  const need = (): number => kept.reduce((n, i) => n + minOf(cols[i]), 0) + Math.max(0, kept.length - 1);
  while (kept.length > 1 && need() > maxWidth) {
    let worst = 1;
    for (let k = 2; k < kept.length; k++) if (cols[kept[k]].field.priority <= cols[kept[worst]].field.priority) worst = k;
    kept.splice(worst, 1);
  }
  const widths = kept.map((i) => minOf(cols[i]));
  let spare = maxWidth - need();
  // Spare width goes to the highest priority first; columns of equal priority share it a column at a time.
  const order = kept.map((_, k) => k).sort((a, b) => cols[kept[b]].field.priority - cols[kept[a]].field.priority || a - b);
  for (let g = 0; g < order.length && spare > 0;) {
    let end = g;
    while (end < order.length && cols[kept[order[end]]].field.priority === cols[kept[order[g]]].field.priority) end++;
    for (let grew = true; grew && spare > 0;) {
      grew = false;
      for (let k = g; k < end && spare > 0; k++) {
        if (widths[order[k]] < cols[kept[order[k]]].natural) {
          widths[order[k]]++;
          spare--;
          grew = true;
        }
      }
    }
    g = end;
  }
  return kept.map((index, k) => ({ index, width: widths[k] }));
}

/**
 * Renders rows as an aligned text table that fits `maxWidth`: a header line, then one line per row. Sparse
 * columns (mark, zone, labels, helper, NAT) are left out when blank for every row; every other requested
 * column stays, enrichment columns showing "…" where answers are still pending. No rows: one line, emptyText.
 */
export function renderTable(rows: readonly Row[], opts: TableOptions = {}): string[] {
  const table = new TableBuilder(opts);
  for (const r of rows) table.add(r);
  const lines: string[] = [];
  table.write((l) => lines.push(l));
  return lines;
}

/**
 * renderTable one row at a time, for a dump too big to keep as rows: add() formats a row's cells at once and
 * keeps only them (no Flow, no enrichment), write() lays the columns out from the widest cells and prints
 * the rows in any order. The lines are renderTable's, which is this class over an array.
 */
export class TableBuilder {
  private readonly display: DisplayOptions;
  private readonly fields: Field[];
  /** Widest cell so far, per field. */
  private readonly widest: number[];
  /**
   * Each added row's cells in field order, joined by NUL (no decoded text holds one: the decoder's strings end
   * at it): one flat string per row instead of an array and its cells, which a 100k-row table kept alive and
   * its collections copied over and over. A row with a NUL in a cell keeps its array.
   */
  private readonly rows: (string | string[])[] = [];

  constructor(private readonly opts: TableOptions = {}) {
    this.display = opts.display ?? DEFAULT_DISPLAY;
    this.fields = (opts.columns ?? ONCE_COLUMNS).map((id) => fieldById(id)).filter((f): f is Field => f !== undefined);
    this.widest = this.fields.map(() => 0);
  }

  /** Rows added so far. */
  get size(): number {
    return this.rows.length;
  }

  /** Formats `row`'s cells and keeps them (the row itself is not kept). */
  add(row: Row): void {
    const { fields, widest, display } = this;
    const cells: string[] = new Array(fields.length);
    let nul = false;
    for (let i = 0; i < fields.length; i++) {
      const c = fields[i].format(row, display);
      cells[i] = c;
      const w = textWidth(c); // terminal columns: wide characters take two
      if (w > widest[i]) widest[i] = w;
      if (c.length > 0 && c.indexOf(SEP) >= 0) nul = true;
    }
    this.rows.push(nul ? cells : cells.join(SEP));
  }

  /** Emits the header and the rows (in `order`, indexes in the order of add(); default that order), or emptyText. */
  write(emit: (line: string) => void, order?: ArrayLike<number>): void {
    const { fields, display } = this;
    if (this.rows.length === 0) {
      emit(this.opts.emptyText ?? 'no flows');
      return;
    }
    const demands: ColumnDemand[] = [];
    const at: number[] = [];
    fields.forEach((field, i) => {
      if (field.sparse && this.widest[i] === 0) return;
      demands.push({ field, natural: Math.min(field.width, Math.max(titleOf(field, display).length, this.widest[i])) });
      at.push(i);
    });
    const layout = layoutColumns(demands, this.opts.maxWidth ?? 80);
    const cols = layout.map(({ index, width }) => ({ cell: at[index], width, align: demands[index].field.align, cut: demands[index].field.cut }));
    // Titles are never cut (a field's minWidth covers its title); cells are cut as their field says. Columns
    // are joined by one space; trailing blanks go.
    const line = (cells: readonly string[]): string => {
      let s = '';
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j];
        if (j > 0) s += ' ';
        s += fit(cells[c.cell], c.width, c.align, c.cut);
      }
      return s.trimEnd();
    };
    emit(line(fields.map((f) => titleOf(f, display))));
    const n = this.rows.length;
    for (let k = 0; k < n; k++) {
      const row = this.rows[order ? order[k] : k];
      emit(line(typeof row === 'string' ? row.split(SEP) : row));
    }
  }
}

/** Separates a stored row's cells. */
const SEP = '\0';
