// Tests for tui/terminal.ts's choice of terminal-kit configuration (the screen itself is tested end to end in
// e2e.test.ts, through tmux).
import t from 'tap';
import { terminalGeneric } from '../../tui/terminal.js';

t.test('a 256-colour terminal gets a 256-colour configuration, whatever terminal-kit guessed', async (t) => {
  t.equal(terminalGeneric('tmux', { TERM: 'tmux-256color' }), 'xterm-256color', 'tmux: guessed "tmux", which has no configuration of its own');
  t.equal(terminalGeneric('screen', { TERM: 'screen-256color' }), 'xterm-256color');
  t.equal(terminalGeneric(undefined, { TERM: 'xterm', COLORTERM: 'truecolor' }), 'xterm-256color', 'COLORTERM says so');
  t.equal(terminalGeneric('gnome-256color', { TERM: 'xterm-256color' }), 'gnome-256color', 'a 256-colour guess stays');
});

t.test('a 16-colour terminal keeps the guess, or xterm', async (t) => {
  t.equal(terminalGeneric('linux', { TERM: 'linux' }), 'linux');
  t.equal(terminalGeneric('screen', { TERM: 'screen' }), 'screen');
  t.equal(terminalGeneric(undefined, {}), 'xterm');
  t.equal(terminalGeneric('', { TERM: 'vt100' }), 'xterm');
});
