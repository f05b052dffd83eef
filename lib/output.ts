// lib/ layer: the command-line outputs' line writer, buffered, that stops quietly when the reader goes
// away (EPIPE from `| head`) and records any other write failure (ENOSPC from `> /dev/full`) for a
// one-line report; and the JSON line of a flow. The text table is lib/text-table.ts.
// Streams are passed in (house style §2).
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = Buffer.from('\n');

/**
 * Writing the output failed for a reason other than the reader leaving: ENOSPC (`> /dev/full`), EIO, EBADF.
 * `code` is always WRITE_FAILED; `reason` is the system's code. explain() turns it into one line.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  readonly code = 'WRITE_FAILED';
  /** The errno name the stream reported, e.g. 'ENOSPC', 'EIO'. */
  readonly reason: string;
  constructor(cause: NodeJS.ErrnoException) {
    super(`cannot write the output: ${cause.message}`, { cause });
    this.reason = cause.code ?? 'EIO';
  }
}

/** Errors that mean the reader went away or the stream was shut: the output ends quietly, not as a failure. */
const QUIET_ENDS = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Buffers lines as UTF-8 and writes them in chunks of about 256 KiB; `closed` turns true when the stream can
 * take no more: on EPIPE (the reader left, a quiet end) or on a write error, which `error` then holds. Each line
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
  /** True once nothing more can be written: the reader left (EPIPE) or a write failed (see `error`). */
  closed = false;
  /** The first write failure that was not the reader leaving; the caller reports it and exits 1. */
  error: OutputError | undefined;
  /** Called once when `closed` turns true (the owner stops producing at once, not at its next write). */
  onClosed: (() => void) | undefined;
  private readonly onError = (e: NodeJS.ErrnoException): void => {
    const was = this.closed;
    this.closed = true;
    if (!QUIET_ENDS.has(e.code ?? '')) this.error ??= new OutputError(e);
    if (!was) this.onClosed?.();
  };
  constructor(private readonly out: Writable) {
    this.fdBacked = typeof (out as { fd?: unknown }).fd === 'number';
    // Write callbacks see a failure before the 'error' event (a file's is emitted a tick later); both count.
    out.on('error', this.onError);
  }

  /** The reader went away though no write failed yet (a watcher saw it): a quiet end, as EPIPE. */
  readerLeft(): void {
    this.onError(Object.assign(new Error('the reader of the output left'), { code: 'EPIPE' }));
  }

  line(s: string): void {
    if (this.closed) return;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, plus the newline.
    if (this.off + s.length * 3 + 1 > this.buf.length) {
      this.flush();
      if (s.length * 3 + 1 > this.buf.length) {
        this.out.write(`${s}\n`, this.afterWrite);
        return;
      }
    }
    this.off += this.buf.write(s, this.off);
    this.buf[this.off++] = 10;
  }

  /** One line given as UTF-8 bytes `b[0, len)` without its newline (copied: `b` may be reused at once). */
  lineBytes(b: Uint8Array, len: number): void {
    if (this.closed) return;
    if (this.off + len + 1 > this.buf.length) {
      this.flush();
      if (len + 1 > this.buf.length) {
        this.out.write(Buffer.concat([b.subarray(0, len), NEWLINE]), this.afterWrite);
        return;
      }
    }
    this.buf.set(b.subarray(0, len), this.off);
    this.off += len;
    this.buf[this.off++] = 10;
  }

  flush(): void {
    if (this.off === 0 || this.closed) return;
    const chunk = this.buf;
    if (!this.fdBacked) {
      this.out.write(chunk.subarray(0, this.off), this.afterWrite);
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    } else {
      let kept = false;
      this.out.write(chunk.subarray(0, this.off), (e) => {
        this.afterWrite(e);
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

  private readonly afterWrite = (e?: Error | null): void => {
    if (e) this.onError(e);
  };

  /**
   * Flushes and resolves once the stream has taken everything (so exit does not cut output), or has failed:
   * check `error` afterwards. Leaves the stream open (stdout stays usable).
   */
  end(): Promise<void> {
    this.flush();
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.out.write('', (e) => {
      this.afterWrite(e);
      resolve();
    }));
  }

  /** `end()`, then throws the write failure, if any, for the caller's one-line report (exit 1). */
  async finish(): Promise<void> {
    await this.end();
    if (this.error) throw this.error;
  }
}

export { flowJson } from './flow-json.js';
