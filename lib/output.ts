// lib/ layer: the command-line outputs: an aligned text table and JSON lines, written through a
// buffered line writer that stops quietly when the reader goes away (EPIPE from `| head`).
// Imports ./flow, ./fields, ./format. Streams are passed in (house style §2).
import type { Writable } from 'node:stream';
import type { Enrichment } from './enrich/index.js';
import { fieldById, type Field } from './fields.js';
import type { Flow } from './flow.js';
import { fit } from './format.js';

/** Buffers lines and writes them in chunks of about 64 KiB; `closed` turns true on EPIPE. */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;
  closed = false;
  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
    });
  }

  line(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size >= 65536) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0 || this.closed) return;
    this.parts.push('');
    this.out.write(this.parts.join('\n'));
    this.parts = [];
    this.size = 0;
  }

  /** Flushes and resolves once the stream has taken everything (so exit does not cut output). */
  end(): Promise<void> {
    this.flush();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }
}

export { flowJson } from './flow-json.js';

/** Columns of the --once text table; enrichment columns that stay empty are dropped. */
export const ONCE_COLUMNS = ['proto', 'state', 'src', 'sport', 'dst', 'dport', 'service', 'dir', 'packets', 'bytes', 'timeout', 'mark', 'zone', 'flags', 'country', 'org', 'host', 'process'];

/** A flow and, when enrichment runs, what conntop knows about it. */
export interface Row {
  flow: Flow;
  enrich?: Enrichment;
}

/** Renders rows as an aligned text table: widths fit the content, capped at each field's width. */
export function renderTable(rows: readonly Row[], columnIds: readonly string[] = ONCE_COLUMNS): string[] {
  const cols = columnIds.map((id) => fieldById(id)).filter((f): f is Field => f !== undefined);
  const cells = rows.map((r) => cols.map((c) => c.format(r.flow, r.enrich)));
  const widths = cols.map((c, i) => Math.min(c.width, Math.max(c.title.length, ...cells.map((row) => row[i].length))));
  // Drop columns that are empty for every flow (mark, zone on most hosts) to keep rows short.
  const keep = cols.map((c, i) => c.id === 'proto' || cells.some((row) => row[i] !== ''));
  const line = (vals: string[]) => vals.map((v, i) => (keep[i] ? fit(v, widths[i], cols[i].align) : null)).filter((v) => v !== null).join(' ').trimEnd();
  return [line(cols.map((c) => c.title)), ...cells.map(line)];
}
