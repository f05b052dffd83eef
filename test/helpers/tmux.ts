// Test helper: a program in a tmux pane on a private server (tmux -L conntop-test-<pid>-<n>), read back with
// capture-pane, driven with send-keys, waited on by polling the screen with a deadline (never fixed sleeps).
// Only this helper's own server is ever killed.
import { execFileSync, spawnSync } from 'node:child_process';

let serial = 0;

/** True when tmux is installed. */
export function haveTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

/** One tmux server with one window running `shellCommand` (through sh) at width x height. */
export class TmuxPane {
  readonly socket = `conntop-test-${process.pid}-${serial++}`;
  constructor(shellCommand: string, width: number, height: number, env: Record<string, string> = {}) {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(' ');
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(width), '-y', String(height), `env ${vars} sh -c ${shq(shellCommand)}`);
    this.tmux('set-option', '-g', 'remain-on-exit', 'on');
  }

  /** Runs a tmux command on this server; returns its stdout. */
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** The screen as text lines (with escape sequences for attributes when `escapes`). */
  screen(escapes = false): string[] {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : [])).replace(/\n$/, '').split('\n');
  }

  /** A pane variable, e.g. alternate_on, cursor_flag, pane_width. */
  variable(name: string): string {
    return this.tmux('display-message', '-p', `#{${name}}`).trim();
  }

  /** Sends tmux key names ("F1", "Enter", "NPage") or, with `literal`, text. */
  keys(...keys: string[]): void {
    this.tmux('send-keys', ...keys);
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  /** Polls the screen until `ok(lines)` holds; throws with the last screen after `timeoutMs`. */
  async waitFor(ok: (lines: string[]) => boolean, what: string, timeoutMs = 15000, escapes = false): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let lines: string[] = [];
    for (;;) {
      lines = this.screen(escapes);
      if (ok(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Waits until some line matches `re`. */
  waitForText(re: RegExp, timeoutMs?: number): Promise<string[]> {
    return this.waitFor((l) => l.some((x) => re.test(x)), String(re), timeoutMs);
  }

  /** Kills this server only. */
  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

/** Quotes one argument in single quotes, for sh and for a tmux command line alike (tmux parses them as sh does). */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
