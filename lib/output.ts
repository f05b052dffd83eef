// lib/ layer: the command-line outputs' line writer, buffered, that stops quietly when the reader goes
// away (EPIPE from `| head`), and the JSON line of a flow. The text table is lib/text-table.ts.
// Streams are passed in (house style §2).
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 256 * 1024;

/**
 * Buffers lines as UTF-8 and writes them in chunks of about 256 KiB; `closed` turns true on EPIPE. Each line
 * is encoded once, straight into the chunk (joining strings and encoding the join cost a tenth of a
 * 100k-flow `--once --json`). Chunks are reused only on a file descriptor's stream (stdout): at once when
 * the write completed before returning, else once its callback says the bytes left; any other stream may
 * still hold them. Reuse, with writers that wait for `drained()`, matters: a dead chunk lives outside the
 * JS heap until a collection finds it, and an idle live table collects rarely: the first 50k-line burst of
 * --events into a pipe used to queue and then keep 30 MiB resident.
 */
export class LineWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private off = 0;
  private readonly fdBacked: boolean;
  /** Written chunks the stream is done with (fd streams only). */
  private readonly free: (typeof this.buf)[] = [];
  closed = false;
  constructor(private readonly out: Writable) {
    this.fdBacked = typeof (out as { fd?: unknown }).fd === 'number';
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
    const chunk = this.buf;
    if (!this.fdBacked) {
      this.out.write(chunk.subarray(0, this.off));
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    } else {
      let kept = false;
      this.out.write(chunk.subarray(0, this.off), () => {
        if (!kept && this.free.length < 2) this.free.push(chunk);
      });
      if (this.out.writableLength === 0) kept = true; // written through to the descriptor already
      else this.buf = this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    }
    this.off = 0;
  }

  /** True when the stream asked writers to wait (its buffer is over its high-water mark). */
  get backlogged(): boolean {
    return !this.closed && this.out.writableNeedDrain;
  }

  /** Resolves when the stream has drained (or closed, failed, or `signal` aborted); at once if not backlogged. */
  drained(signal?: AbortSignal): Promise<void> {
    if (!this.backlogged || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done).off('close', done).off('error', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Flushes and resolves once the stream has taken everything (so exit does not cut output). */
  end(): Promise<void> {
    this.flush();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }
}

export { flowJson } from './flow-json.js';
