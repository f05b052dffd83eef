// server/ layer: splits a byte stream into newline-terminated lines, with a length cap checked before any
// line is decoded or parsed. Imports node: builtins only. Used on both ends of a connection: the server caps
// client lines at MAX_CLIENT_LINE_BYTES, the client caps server lines at MAX_SERVER_LINE_BYTES.
import { isUtf8 } from 'node:buffer';

/** Why a stream of lines was refused: a line over the cap, or bytes that are not UTF-8. */
export type FramingError = 'line-too-long' | 'bad-utf8';

/**
 * Cuts chunks into lines (without the `\n`; a trailing `\r` is dropped too) and hands each to `onLine` as a
 * string. Tolerates lines split across chunks and many lines in one chunk. Bytes held for an unfinished line
 * never exceed `maxLineBytes`: at the first line longer than that, or a line that is not UTF-8, it calls
 * `onError` once and ignores everything after (the caller closes the connection).
 */
export class LineFramer {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private failed = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onError: (code: FramingError) => void,
  ) {}

  /** True once a framing error was reported. */
  get broken(): boolean {
    return this.failed;
  }

  /** Bytes of an unfinished line held now (at most maxLineBytes). */
  get pendingBytes(): number {
    return this.heldBytes;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    if (this.failed) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      let line: Buffer;
      if (this.heldBytes > 0) {
        if (this.heldBytes + nl - start > this.maxLineBytes) return this.fail('line-too-long');
        this.held.push(buf.subarray(start, nl));
        line = Buffer.concat(this.held, this.heldBytes + nl - start);
        this.held = [];
        this.heldBytes = 0;
      } else {
        if (nl - start > this.maxLineBytes) return this.fail('line-too-long');
        line = buf.subarray(start, nl);
      }
      start = nl + 1;
      if (!this.emit(line)) return;
    }
    if (start < buf.length) {
      const rest = buf.length - start;
      if (this.heldBytes + rest > this.maxLineBytes) return this.fail('line-too-long');
      // A copy: the caller may reuse its chunk (and a view would pin the whole chunk in memory).
      this.held.push(Buffer.from(buf.subarray(start)));
      this.heldBytes += rest;
    }
  }

  /** Ignores everything after this (the caller is closing the connection). */
  stop(): void {
    this.failed = true;
    this.held = [];
    this.heldBytes = 0;
  }

  /** The stream ended: true when it ended in the middle of a line (a truncated message, dropped). */
  end(): boolean {
    const truncated = this.heldBytes > 0 && !this.failed;
    this.held = [];
    this.heldBytes = 0;
    return truncated;
  }

  private emit(line: Buffer): boolean {
    let end = line.length;
    if (end > 0 && line[end - 1] === 13) end--;
    const text = end === line.length ? line : line.subarray(0, end);
    if (!isUtf8(text)) {
      this.fail('bad-utf8');
      return false;
    }
    if (text.length === 0) return true; // blank lines are keep-alives, not messages
    this.onLine(text.toString('utf8'));
    return !this.failed;
  }

  private fail(code: FramingError): void {
    this.failed = true;
    this.held = [];
    this.heldBytes = 0;
    this.onError(code);
  }
}
