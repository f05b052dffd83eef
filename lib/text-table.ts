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

/** Where TableBuilder.writeTo puts lines: as text, or as UTF-8 bytes b[0, len) without the newline (LineWriter). */
export interface TableLineSink {
  line(s: string): void;
  lineBytes(b: Uint8Array, len: number): void;
}

/** A laid-out column of a TableBuilder: which cell of a row it shows, in how many terminal columns. */
interface PlacedColumn {
  cell: number;
  width: number;
  align: 'left' | 'right';
  cut: 'end' | 'middle';
}

/** The arena's bytes (printable ASCII) as text: one call per cell, however long (spreading them into fromCharCode was not). */
const ASCII = new TextDecoder('latin1');

/** "…" in UTF-8. */
const ELLIPSIS_BYTES = [0xe2, 0x80, 0xa6];

/**
 * renderTable one row at a time, for a dump too big to keep as rows: add() formats a row's cells at once and
 * keeps only them (no Flow, no enrichment), write() lays the columns out from the widest cells and prints
 * the rows in any order. The lines are renderTable's, which is this class over an array.
 * Columns only ever drop out as rows come (a wider cell can only make the layout drop more, in a fixed order
 * of priorities), so every `layoutEvery` rows add() lays the table out and stops formatting the columns that
 * already dropped out: at 80 columns half of a 100k-row table's cells were made for nothing.
 */
export class TableBuilder {
  private readonly display: DisplayOptions;
  private readonly fields: Field[];
  /** Widest cell so far, per field (left as it was once the field dropped out). */
  private readonly widest: number[];
  /** Per field: true once the layout leaves it out whatever rows come (noteDropped); its cells are then left blank. */
  private readonly dropped: boolean[];
  private readonly layoutEvery: number;
  private sinceLayout = 0;
  /**
   * The cells of every row whose cells are all printable ASCII, as bytes, a 0 after each: one arena instead of
   * a string per row (a joined string each, kept to the end, was 23 MB of a 100k-row table's garbage, copied by
   * the collections on its way to the old generation, then read back a code unit at a time).
   */
  private arena = new Uint8Array(1 << 16);
  /** Bytes of the arena in use. */
  private used = 0;
  /** Per row: where its bytes begin in the arena, or -1 - its index in `others`. */
  private rowStart = new Int32Array(1024);
  private rowCount = 0;
  /** The cells of the rows with a cell that is not printable ASCII, as text. */
  private readonly others: string[][] = [];
  /** The cells of the row being added. */
  private readonly scratch: string[];

  /** `layoutEvery`: rows between two checks for dropped columns (tests set 1). */
  constructor(private readonly opts: TableOptions = {}, layoutEvery = 1024) {
    this.display = opts.display ?? DEFAULT_DISPLAY;
    this.fields = (opts.columns ?? ONCE_COLUMNS).map((id) => fieldById(id)).filter((f): f is Field => f !== undefined);
    this.widest = this.fields.map(() => 0);
    this.dropped = this.fields.map(() => false);
    this.scratch = this.fields.map(() => '');
    this.layoutEvery = layoutEvery;
  }

  /** Rows added so far. */
  get size(): number {
    return this.rowCount;
  }

  /** Formats `row`'s cells and keeps them (the row itself is not kept). */
  add(row: Row): void {
    const { fields, widest, display, dropped } = this;
    const cells = this.scratch;
    const start = this.used;
    let ascii = true;
    for (let i = 0; i < fields.length; i++) {
      const c = dropped[i] ? '' : fields[i].format(row, display);
      cells[i] = c;
      let w = c.length;
      if (ascii) {
        // Copied as bytes while the row is printable ASCII (a column per character); else kept as text.
        if (this.used + c.length + 1 > this.arena.length) this.grow(c.length + 1);
        const a = this.arena;
        let u = this.used;
        for (let k = 0; k < c.length; k++) {
          const ch = c.charCodeAt(k);
          if (ch < 0x20 || ch > 0x7e) {
            ascii = false;
            break;
          }
          a[u++] = ch;
        }
        a[u++] = 0;
        this.used = u;
      }
      if (!ascii) w = textWidth(c); // terminal columns: wide characters take two
      if (w > widest[i]) widest[i] = w;
    }
    if (this.rowCount === this.rowStart.length) {
      const bigger = new Int32Array(this.rowCount * 2);
      bigger.set(this.rowStart);
      this.rowStart = bigger;
    }
    if (ascii) this.rowStart[this.rowCount++] = start;
    else {
      this.used = start;
      this.rowStart[this.rowCount++] = -1 - this.others.length;
      this.others.push(cells.slice());
    }
    if (++this.sinceLayout >= this.layoutEvery) {
      this.sinceLayout = 0;
      this.noteDropped();
    }
  }

  /** Makes room for `more` bytes after the used ones; a table of more than 2 GiB of cells is refused (rowStart). */
  private grow(more: number): void {
    if (this.used + more > 0x7fffffff) throw new RangeError('the text table has over 2 GiB of cells; use --json');
    const bigger = new Uint8Array(Math.min(0x7fffffff, Math.max(this.arena.length * 2, this.used + more)));
    bigger.set(this.arena.subarray(0, this.used));
    this.arena = bigger;
  }

  /** Row r's cells as text. */
  private cellsOf(r: number): string[] {
    const start = this.rowStart[r];
    if (start < 0) return this.others[-1 - start];
    const nf = this.fields.length;
    const cellStart = new Int32Array(nf), cellEnd = new Int32Array(nf);
    this.cellBounds(start, cellStart, cellEnd);
    return Array.from(cellStart, (p, f) => ASCII.decode(this.arena.subarray(p, cellEnd[f])));
  }

  /** Where each cell of the arena row beginning at `start` begins and ends (before its 0). */
  private cellBounds(start: number, cellStart: Int32Array, cellEnd: Int32Array): void {
    const arena = this.arena;
    for (let f = 0, p = start; f < cellStart.length; f++) {
      let e = p;
      while (arena[e] !== 0) e++;
      cellStart[f] = p;
      cellEnd[f] = e;
      p = e + 1;
    }
  }

  /**
   * Marks the fields the layout of the rows so far leaves out: more rows can only leave out more. A sparse
   * field blank so far is marked too when, given a cell at its narrowest, the layout would leave it out and
   * keep the same other columns, and every blank sparse field before it in the order of dropping was marked
   * so: then a cell of any width later would be left out and change nothing (drops are monotone, and the
   * marked fields before it drop before it whether they come or not). A blank field that could still come
   * ends the walk: with it, a later one could take columns with it (found in review). At 80 columns the
   * mark, zone, labels, helper and NAT cells of a 100k-row table were made for nothing.
   */
  private noteDropped(): void {
    const maxWidth = this.opts.maxWidth ?? 80;
    if (maxWidth === Infinity) return;
    const { demands, at } = this.demands();
    // The first column is never left out: while a blank sparse field before it could still come (and become the
    // first), the column kept that way could be left out later, and another kept instead (found by the property
    // test over any columns). Nothing is marked then; --once leaves SERVER out of a table from the kernel.
    if (at.length === 0 || at[0] > 0) return;
    const kept = new Set(layoutColumns(demands, maxWidth).map((c) => at[c.index]));
    for (let k = 0; k < demands.length; k++) if (!kept.has(at[k])) this.dropped[at[k]] = true;
    // Blank sparse fields in the order layoutColumns drops columns: lowest priority first, the rightmost of
    // equals first (the first field is present, per the return above).
    const blank = this.fields.map((_, i) => i).filter((i) => this.fields[i].sparse && this.widest[i] === 0);
    blank.sort((a, b) => this.fields[a].priority - this.fields[b].priority || b - a);
    for (const i of blank) {
      if (this.dropped[i]) continue;
      const field = this.fields[i];
      // Its demand goes in field order, at `pos`.
      const after = at.findIndex((f) => f > i);
      const pos = after < 0 ? demands.length : after;
      const withIt = [...demands];
      withIt.splice(pos, 0, { field, natural: Math.min(field.width, Math.max(titleOf(field, this.display).length, 1)) });
      const keptWith = layoutColumns(withIt, maxWidth).map((c) => (c.index === pos ? i : at[c.index > pos ? c.index - 1 : c.index]));
      if (keptWith.includes(i) || keptWith.length !== kept.size || !keptWith.every((f) => kept.has(f))) return;
      this.dropped[i] = true;
    }
  }

  /** The columns that compete for the width (sparse ones blank in every row stay out) and their fields' indexes. */
  private demands(): { demands: ColumnDemand[]; at: number[] } {
    const demands: ColumnDemand[] = [];
    const at: number[] = [];
    this.fields.forEach((field, i) => {
      if (field.sparse && this.widest[i] === 0) return;
      demands.push({ field, natural: Math.min(field.width, Math.max(titleOf(field, this.display).length, this.widest[i])) });
      at.push(i);
    });
    return { demands, at };
  }

  /** The columns shown and their widths. */
  private layout(): PlacedColumn[] {
    const { demands, at } = this.demands();
    return layoutColumns(demands, this.opts.maxWidth ?? 80).map(({ index, width }) => ({ cell: at[index], width, align: demands[index].field.align, cut: demands[index].field.cut }));
  }

  /** Emits the header and the rows (in `order`, indexes in the order of add(); default that order), or emptyText. */
  write(emit: (line: string) => void, order?: ArrayLike<number>): void {
    if (this.rowCount === 0) {
      emit(this.opts.emptyText ?? 'no flows');
      return;
    }
    const cols = this.layout();
    emit(lineOf(cols, this.fields.map((f) => titleOf(f, this.display))));
    for (let k = 0; k < this.rowCount; k++) emit(lineOf(cols, this.cellsOf(order ? order[k] : k)));
  }

  /**
   * write() into `out`: a row of printable ASCII cells as bytes copied from the arena (no cells, padded strings
   * or line string per row); any other row as write() makes it. The same lines: a test holds it.
   */
  writeTo(out: TableLineSink, order?: ArrayLike<number>): void {
    if (this.rowCount === 0) {
      out.line(this.opts.emptyText ?? 'no flows');
      return;
    }
    const cols = this.layout();
    out.line(lineOf(cols, this.fields.map((f) => titleOf(f, this.display))));
    const nf = this.fields.length;
    const cellStart = new Int32Array(nf), cellEnd = new Int32Array(nf);
    // A cell takes its width in bytes, or its width + 2 when cut ("…" is 3 bytes), plus a space before it.
    const buf = new Uint8Array(cols.reduce((b, c) => b + c.width + 3, 0));
    for (let k = 0; k < this.rowCount; k++) {
      const r = order ? order[k] : k;
      const start = this.rowStart[r];
      if (start < 0) {
        out.line(lineOf(cols, this.others[-1 - start]));
        continue;
      }
      this.cellBounds(start, cellStart, cellEnd);
      out.lineBytes(buf, asciiLine(this.arena, cols, cellStart, cellEnd, buf));
    }
  }
}

/** One line: each column's cell fitted to its width (cut as its field says), joined by one space, trailing blanks gone. */
function lineOf(cols: readonly PlacedColumn[], cells: readonly string[]): string {
  let s = '';
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    if (j > 0) s += ' ';
    s += fit(cells[c.cell], c.width, c.align, c.cut);
  }
  return s.trimEnd();
}

/**
 * lineOf's line as UTF-8 in `buf`, for a row of printable ASCII cells (arena[cellStart[i], cellEnd[i])): fit's
 * padding and cuts done on bytes. Returns its length.
 */
function asciiLine(arena: Uint8Array, cols: readonly PlacedColumn[], cellStart: Int32Array, cellEnd: Int32Array, buf: Uint8Array): number {
  let n = 0;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    if (j > 0) buf[n++] = 32;
    const s = cellStart[c.cell], e = cellEnd[c.cell], w = c.width;
    const len = e - s;
    if (len <= w) {
      if (c.align === 'right') for (let i = len; i < w; i++) buf[n++] = 32;
      for (let i = s; i < e; i++) buf[n++] = arena[i];
      if (c.align === 'left') for (let i = len; i < w; i++) buf[n++] = 32;
      continue;
    }
    // cutTo on ASCII: nothing at width 0, "…" alone at 1, else the start (or both ends) and "…" in width columns.
    if (w <= 0) continue;
    const tail = w === 1 ? 0 : c.cut === 'end' ? 0 : Math.floor((w - 1) / 2);
    const head = w === 1 ? 0 : w - 1 - tail;
    for (let i = s; i < s + head; i++) buf[n++] = arena[i];
    for (const b of ELLIPSIS_BYTES) buf[n++] = b;
    for (let i = e - tail; i < e; i++) buf[n++] = arena[i];
  }
  while (n > 0 && buf[n - 1] === 32) n--;
  return n;
}

