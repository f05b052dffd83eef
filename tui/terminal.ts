// tui/ layer: the ONLY file that imports terminal-kit. It copies the rows of a Grid that changed into
// terminal-kit's ScreenBuffer (the cell buffer) and has it draw only what changed (delta) within those rows,
// turns terminal-kit's key, mouse and resize events into plain callbacks, and owns the terminal modes:
// alternate screen, hidden cursor, raw input, mouse reporting.
// restore() undoes them synchronously and idempotently; lib/cli.ts calls it on every exit path.
import { writeSync } from 'node:fs';
import termkit from 'terminal-kit';
import { bgOf, BOLD, DIM, fgOf, INVERSE, UNDERLINE, type Attr, type Grid } from './grid.js';

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

/**
 * The terminal-kit configuration to use: the guessed one when it has 256 colours; else xterm-256color when
 * TERM or COLORTERM says the terminal has them (tmux-256color, screen-256color: terminal-kit guesses "tmux" or
 * "screen" there and falls back to its 16-colour xterm, which maps each of the 240 other colours to the
 * nearest of 16 at start-up, 150-240 ms of colour arithmetic before the first screen, against 20 ms); else the
 * guess, or xterm. conntop draws with the 16 ANSI colours only, written as the 16-colour configuration
 * writes them (openScreen sets them back in the palette).
 */
export function terminalGeneric(guessed: string | undefined, env: NodeJS.ProcessEnv): string {
  if (guessed && /256|truecolor/.test(guessed)) return guessed;
  if (/256/.test(env.TERM ?? '') || /256|^(truecolor|24bits?)$/.test(env.COLORTERM ?? '')) return 'xterm-256color';
  return guessed || 'xterm';
}

/** Opens the terminal on the process's stdin/stdout: alternate screen, hidden cursor, keys (and mouse). */
export function openScreen(io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; env: NodeJS.ProcessEnv; mouse: boolean }): Screen {
  // As termkit.terminal builds its own, but on the streams passed in (no module singleton).
  const guessed = (termkit as unknown as { guessTerminal(): { generic?: string; appId?: string; safe?: boolean; isSSH?: boolean } }).guessTerminal();
  const term = termkit.createTerminal({
    stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, generic: terminalGeneric(guessed.generic, io.env),
    appId: (guessed.safe ? guessed.appId : undefined) as string, appName: undefined as unknown as string,
    isTTY: true, isSSH: guessed.isSSH, processSigwinch: true,
  });
  // terminal-kit's 256-colour configurations write even the 16 ANSI colours as 38;5;n and 48;5;n: the palette
  // entries the buffer draws with are set back to SGR 30-37, 90-97, 40-47 and 100-107, the bytes the 16-colour
  // configuration writes (in a live run under a storm, the longer sequences came with worse worst-case keys).
  const palette = (term as unknown as { palette?: { escape: string[]; bgEscape: string[] } }).palette;
  if (palette) {
    for (let i = 0; i < 16; i++) {
      palette.escape[i] = `\x1b[${i < 8 ? 30 + i : 82 + i}m`;
      palette.bgEscape[i] = `\x1b[${i < 8 ? 40 + i : 92 + i}m`;
    }
  }
  const fd = (io.stdout as { fd?: number }).fd ?? 1;
  let restored = false;
  let width = io.stdout.columns || 80;
  let height = io.stdout.rows || 24;
  let buf = new termkit.ScreenBuffer({ dst: term, width, height });
  let full = true;
  const attrCache = new Map<Attr, number>();
  const toKit = (a: Attr): number => {
    let n = attrCache.get(a);
    if (n === undefined) {
      const fg = fgOf(a), bg = bgOf(a);
      const obj = {
        ...(fg === undefined ? { defaultColor: true } : { color: fg }), ...(bg === undefined ? { bgDefaultColor: true } : { bgColor: bg }),
        bold: (a & BOLD) !== 0, dim: (a & DIM) !== 0, inverse: (a & INVERSE) !== 0, underline: (a & UNDERLINE) !== 0,
      };
      n = (buf.object2attr(obj) as unknown as number);
      attrCache.set(a, n);
    }
    return n;
  };
  // The last frame's cells as put into the buffer: cells equal to it are neither put nor walked again.
  // ScreenBuffer's delta draw decodes every cell it walks (2-8 ms a 200x50 frame under an event storm,
  // when a frame changed a few rates); walking only what changed leaves a frame's drawing proportional to
  // it (a PageDown, every row: 1.5-2.3 ms). Kept in place, the changed cells copied in: a copy of the whole
  // grid each frame lived until the next and was promoted (see render()).
  let lastChars: string[] = [];
  let lastAttrs = new Uint16Array(0);
  let lastWidth = -1;
  writeSync(fd, '\x1b[?1049h\x1b[?25l\x1b[2J');
  term.grabInput(io.mouse ? { mouse: 'button' } : true);
  const resizeFns: Array<(w: number, h: number) => void> = [];
  term.on('resize', (w: number, h: number) => {
    width = w;
    height = h;
    buf = new termkit.ScreenBuffer({ dst: term, width, height });
    full = true;
    for (const fn of resizeFns) fn(w, h);
  });
  return {
    get width() { return width; },
    get height() { return height; },
    draw(g: Grid): void {
      if (restored) return;
      const w = Math.min(g.width, width);
      if (g.width !== lastWidth || lastChars.length !== g.chars.length) {
        lastChars = new Array<string>(g.chars.length).fill('');
        lastAttrs = new Uint16Array(g.attrs.length);
        lastWidth = g.width;
        full = true;
      }
      // The cells that changed are drawn in rectangles over runs of nearby changed rows, each as wide as their
      // changed spans: ScreenBuffer's delta draw makes an object per cell it walks, and walking whole rows was
      // the view's second source of garbage under a storm (1.4 MB/s at 3,000 events/s, 200x50).
      let top = -1, bottom = -1, left = 0, right = 0;
      const flush = () => {
        if (top >= 0) buf.draw({ delta: !full, srcClipRect: { xmin: left, ymin: top, xmax: right, ymax: bottom } as never });
        top = -1;
      };
      const same = (i: number): boolean => g.attrs[i] === lastAttrs[i] && g.chars[i] === lastChars[i];
      for (let y = 0; y < Math.min(g.height, height); y++) {
        const o = y * g.width;
        let x0 = 0, x1 = w - 1;
        if (!full) {
          while (x0 < w && same(o + x0)) x0++;
          if (x0 === w) continue;
          while (x1 > x0 && same(o + x1)) x1--;
          // A wide character's two cells go together: its second half ('') is put with its first.
          while (x0 > 0 && g.chars[o + x0] === '') x0--;
          while (x1 + 1 < w && g.chars[o + x1 + 1] === '') x1++;
        }
        for (let i = o + x0; i <= o + x1; i++) {
          lastChars[i] = g.chars[i];
          lastAttrs[i] = g.attrs[i];
        }
        // Runs of equal attributes become one put each (a cell-by-cell put cost a 200x60 frame ~10 ms).
        let x = x0;
        while (x <= x1) {
          const a = g.attrs[o + x];
          let e = x + 1;
          while (e <= x1 && g.attrs[o + e] === a) e++;
          // No format arguments: terminal-kit then takes the text as it is (no format or markup parsing).
          buf.put({ x, y, attr: toKit(a), wrap: false, dx: 1, dy: 0 }, g.chars.slice(o + x, o + e).join(''));
          x = e;
        }
        // Rows a few lines apart share a rectangle (one write to the terminal instead of several).
        if (top >= 0 && y - bottom <= 3) {
          bottom = y;
          left = Math.min(left, x0);
          right = Math.max(right, x1);
        } else {
          flush();
          top = bottom = y;
          left = x0;
          right = x1;
        }
      }
      flush();
      full = false;
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
