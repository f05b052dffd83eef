// lib/ layer: the command-line outputs: an aligned text table and JSON lines, written through a
// buffered line writer that stops quietly when the reader goes away (EPIPE from `| head`).
// Imports ./flow, ./fields, ./format. Streams are passed in (house style §2).
import type { Writable } from 'node:stream';
import type { Enrichment } from './enrich/index.js';
import { fieldById, type Field } from './fields.js';
import type { Flow } from './flow.js';
import { fit } from './format.js';

const CHUNK_BYTES = 256 * 1024;

/**
 * Buffers lines as UTF-8 and writes them in chunks of about 256 KiB; `closed` turns true on EPIPE. Each line
 * is encoded once, straight into the chunk (joining strings and encoding the join cost a tenth of a
 * 100k-flow `--once --json`). A written chunk is never reused: the stream may still hold it.
 */
export class LineWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private off = 0;
  closed = false;
  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
    });
  }

  line(s: string): void {
    if (this.closed) return;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, plus the newline.
    if (this.off + s.length * 3 + 1 > this.buf.length) {
      this.flush();
      if (s.length * 3 + 1 > this.buf.length) {
        this.out.write(`${s}\n`);
        return;
      }
    }
    this.off += this.buf.write(s, this.off);
    this.buf[this.off++] = 10;
  }

  flush(): void {
    if (this.off === 0 || this.closed) return;
    this.out.write(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.off = 0;
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
