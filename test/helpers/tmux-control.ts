// Test and benchmark helper: one tmux control-mode client (`tmux -C attach`) kept open on a TmuxPane's private
// server. Commands are written to its stdin and answered in %begin/%end blocks (no process spawn per command);
// %output notifications say, as it arrives, that the program wrote to its pane. A key's latency is then timed
// from the write of `send-keys` to the arrival of the output that first shows the key's effect, to within the
// cost of one in-server capture-pane. Imports node: modules and ./tmux only.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { shq, type TmuxPane } from './tmux.js';

interface Waiter {
  resolve(lines: string[]): void;
  reject(e: Error): void;
}

/** A control-mode client of `pane`'s server. */
export class TmuxControl {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters: Waiter[] = [];
  private block: string[] | null = null;
  private partial = '';
  private closed = false;
  /** Monotonic ms (performance.now) of the latest %output notification, and how many have arrived. */
  lastOutputMs = -Infinity;
  outputs = 0;
  private outputFns: Array<(atMs: number) => void> = [];
  /** Resolves once the attach command's own block arrived (commands may be written before it). */
  readonly ready: Promise<string[]>;

  constructor(pane: TmuxPane) {
    this.child = spawn('tmux', ['-L', pane.socket, '-C', 'attach'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // The attach command answers with a block of its own before any command written to stdin.
    this.ready = new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (s: string) => this.onData(s));
    this.child.on('exit', () => this.fail(new Error('tmux control client exited')));
  }

  private onData(s: string): void {
    const at = performance.now();
    const lines = (this.partial + s).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (this.block) {
        if (line.startsWith('%end ') || line.startsWith('%error ')) {
          const out = this.block;
          this.block = null;
          const w = this.waiters.shift();
          if (line.startsWith('%end ')) w?.resolve(out);
          else w?.reject(new Error(`tmux: ${out.join('\n')}`));
        } else this.block.push(line);
        continue;
      }
      if (line.startsWith('%begin ')) this.block = [];
      else if (line.startsWith('%output ')) {
        this.lastOutputMs = at;
        this.outputs++;
        for (const fn of this.outputFns) fn(at);
      }
    }
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  /** Writes one command line; resolves with its output lines. Returns the monotonic ms of the write too. */
  command(line: string): { sentMs: number; reply: Promise<string[]> } {
    if (this.closed) return { sentMs: performance.now(), reply: Promise.reject(new Error('tmux control client closed')) };
    const reply = new Promise<string[]>((resolve, reject) => this.waiters.push({ resolve, reject }));
    const sentMs = performance.now();
    this.child.stdin.write(`${line}\n`);
    return { sentMs, reply };
  }

  /** The pane's screen, with attribute escapes when `escapes`, captured inside the server. */
  screen(escapes = true): Promise<string[]> {
    return this.command(`capture-pane -p${escapes ? ' -e' : ''}`).reply;
  }

  /** Calls `fn(atMs)` on every %output notification until the returned function is called. */
  onOutput(fn: (atMs: number) => void): () => void {
    this.outputFns.push(fn);
    return () => {
      this.outputFns = this.outputFns.filter((f) => f !== fn);
    };
  }

  /**
   * Sends tmux key names and resolves with ms from the write of send-keys to the arrival of the first
   * %output after which a capture satisfies `changed(before, after)`. One capture at a time: output arriving
   * during a capture leads to one more capture, whose success is dated by the first output it covers.
   */
  async keyToScreen(keys: string[], changed: (before: string[], after: string[]) => boolean, timeoutMs = 20_000): Promise<number> {
    const before = await this.screen();
    return new Promise<number>((resolve, reject) => {
      let firstUncovered: number | null = null; // first %output not yet covered by a capture taken after it
      let capturing = false;
      let done = false;
      const finish = (err: Error | null, ms = 0) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stop();
        if (err) reject(err);
        else resolve(ms);
      };
      const capture = () => {
        if (capturing || done || firstUncovered === null) return;
        capturing = true;
        const covers = firstUncovered;
        firstUncovered = null;
        this.screen().then((now) => {
          capturing = false;
          if (changed(before, now)) finish(null, covers - sent.sentMs);
          else capture();
        }, (e: Error) => finish(e));
      };
      const stop = this.onOutput((at) => {
        firstUncovered ??= at;
        capture();
      });
      const timer = setTimeout(() => finish(new Error(`no change after ${keys.join(' ')}`)), timeoutMs);
      const sent = this.command(`send-keys ${keys.map(shq).join(' ')}`);
      sent.reply.catch((e: Error) => finish(e));
    });
  }

  /** Detaches this client (the server and its pane stay). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end();
  }
}
