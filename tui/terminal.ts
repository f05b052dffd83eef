// tui/ layer: the ONLY file that imports terminal-kit. It draws a Grid's changed cells (screen-delta.ts; one
// write per frame), turns terminal-kit's key, mouse and resize events into plain callbacks, and owns the
// terminal modes: alternate screen, hidden cursor, raw input, mouse reporting.
// restore() undoes them synchronously and idempotently; lib/cli.ts calls it on every exit path.
import { writeSync } from 'node:fs';
import termkit from 'terminal-kit';
import type { Grid } from './grid.js';
import { ScreenDelta } from './screen-delta.js';

/** A mouse event in 0-based cells: a left click, or the wheel. */
export interface MouseEvent {
  kind: 'click' | 'wheelUp' | 'wheelDown';
  x: number;
  y: number;
}

/** What the app needs of a terminal (tests can use a fake). */
export interface Screen {
  readonly width: number;
  readonly height: number;
  draw(g: Grid): void;
  onKey(fn: (key: string) => void): void;
  onMouse(fn: (m: MouseEvent) => void): void;
  onResize(fn: (width: number, height: number) => void): void;
  restore(): void;
}

/** Leave the alternate screen, show the cursor, reset attributes, stop mouse reporting (xterm sequences). */
const RESTORE_SEQ = '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[0m\x1b[?25h\x1b[?1049l';

/** Opens the terminal on the process's stdin/stdout: alternate screen, hidden cursor, keys (and mouse). */
export function openScreen(io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; env: NodeJS.ProcessEnv; mouse: boolean }): Screen {
  // As termkit.terminal builds its own, but on the streams passed in (no module singleton).
  const guessed = (termkit as unknown as { guessTerminal(): { generic?: string; appId?: string; safe?: boolean; isSSH?: boolean } }).guessTerminal();
  const term = termkit.createTerminal({
    stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, generic: guessed.generic || 'xterm',
    appId: (guessed.safe ? guessed.appId : undefined) as string, appName: undefined as unknown as string,
    isTTY: true, isSSH: guessed.isSSH, processSigwinch: true,
  });
  const fd = (io.stdout as { fd?: number }).fd ?? 1;
  let restored = false;
  let width = io.stdout.columns || 80;
  let height = io.stdout.rows || 24;
  const delta = new ScreenDelta();
  writeSync(fd, '\x1b[?1049h\x1b[?25l\x1b[2J');
  term.grabInput(io.mouse ? { mouse: 'button' } : true);
  const resizeFns: Array<(w: number, h: number) => void> = [];
  term.on('resize', (w: number, h: number) => {
    width = w;
    height = h;
    delta.reset();
    for (const fn of resizeFns) fn(w, h);
  });
  return {
    get width() { return width; },
    get height() { return height; },
    draw(g: Grid): void {
      if (restored) return;
      const out = delta.encode(g, width, height);
      if (out !== '') io.stdout.write(out);
    },
    onKey(fn) { term.on('key', (name: string) => fn(name)); },
    onMouse(fn) {
      term.on('mouse', (name: string, data: { x: number; y: number }) => {
        const kind = name === 'MOUSE_LEFT_BUTTON_PRESSED' ? 'click' : name === 'MOUSE_WHEEL_UP' ? 'wheelUp' : name === 'MOUSE_WHEEL_DOWN' ? 'wheelDown' : null;
        if (kind) fn({ kind, x: data.x - 1, y: data.y - 1 });
      });
    },
    onResize(fn) { resizeFns.push(fn); },
    restore(): void {
      if (restored) return;
      restored = true;
      try { term.grabInput(false); } catch { /* the terminal may be gone (SIGHUP) */ }
      try { io.stdin.setRawMode?.(false); } catch { /* not a TTY any more */ }
      try { writeSync(fd, RESTORE_SEQ); } catch { /* the terminal is gone: nothing to restore */ }
      io.stdin.pause();
    },
  };
}
