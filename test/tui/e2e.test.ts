// End to end: conntop's interactive view in a real terminal (tmux), on a replayed capture from the tests'
// golden fixtures. Keys go in with send-keys; the screen is read with capture-pane (text, and escapes for
// the selection bar); every wait polls the screen with a deadline. Needs a build (dist/lib/cli.js) and tmux.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HasTeardown } from '../helpers/netns.js';
import { freeLoopbackPort, startConntopd } from '../helpers/serve-harness.js';
import { haveTmux, TmuxPane } from '../helpers/tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
const capture = join(root, 'test/fixtures/golden/once-mixed.pcap');

if (!haveTmux()) t.plan(0, 'tmux is not installed');

/** Lines of the flow list: between the column header (the line with a sort arrow) and the bottom bar. */
function listLines(lines: string[]): string[] {
  const h = lines.findIndex((l) => /[▲▼]/.test(l));
  return h < 0 ? [] : lines.slice(h + 1, lines.length - 1).filter((l) => l.trim() !== '');
}

const ready = (lines: string[]) => lines.some((l) => /^Flows .*13\/1\.0M\]/.test(l)) && !lines.some((l) => l.includes('loading…')) && listLines(lines).length === 13;

function start(t: HasTeardown, home: string, width = 100, height = 30, env: Record<string, string> = {}): TmuxPane {
  const pane = new TmuxPane(`printf 'shell before\\n'; node ${cli} --replay ${capture} --speed max --no-dns --no-geoip; echo "conntop exit=$?"; exec sleep 3600`, width, height, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '', ...env,
  });
  t.teardown(() => pane.kill());
  return pane;
}

t.test('the interactive view on a replay', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = start(t, home);
  await pane.waitFor(ready, 'the loaded table', 30000);
  t.equal(pane.variable('alternate_on'), '1', 'on the alternate screen');

  // Sort: F6 opens the sort menu; Home + Enter picks the first column (PROTO); I inverts.
  pane.keys('F6', 'Home', 'Enter');
  let lines = await pane.waitForText(/PROTO▲/);
  t.match(listLines(lines)[0], /^99 /, 'ascending: protocol 99 first');
  pane.keys('I');
  lines = await pane.waitForText(/PROTO▼/);
  t.match(listLines(lines)[0], /^udplite /, 'descending: udplite first');

  // Filter: \ then an expression; the list shrinks as it is typed; Enter keeps it, and FILTER shows.
  pane.keys('\\');
  pane.type('proto:tcp');
  pane.keys('Enter');
  lines = await pane.waitFor((l) => listLines(l).length === 3 && l[0].includes('FILTER'), 'three tcp flows');
  t.ok(listLines(lines).every((l) => l.startsWith('tcp ')));
  // A bad expression says where it is wrong and keeps the filter.
  pane.keys('\\');
  pane.type(' port:x');
  pane.keys('Enter');
  lines = await pane.waitForText(/\^ .*BAD_VALUE/);
  pane.keys('Escape');
  await pane.waitFor((l) => !l.some((x) => x.includes('BAD_VALUE')) && listLines(l).length === 3, 'the prompt cancelled, the filter as before');
  pane.keys('\\', ...new Array(12).fill('BSpace'), 'Enter');
  await pane.waitFor((l) => listLines(l).length === 13 && !l[0].includes('FILTER'), 'filter cleared');

  // Search: / moves the selection bar to the first match (the bar is the reverse/coloured list line).
  pane.keys('/');
  pane.type('10.0.1.5');
  pane.keys('Enter');
  lines = await pane.waitFor((l) => {
    const sel = selectedLine(l, pane);
    return sel !== null && sel.includes('10.0.1.5');
  }, 'the selection on the match', 15000);
  t.pass('search selected the matching flow');

  // Pause and resume.
  pane.keys('Space');
  await pane.waitFor((l) => l[0].includes('PAUSED'), 'PAUSED');
  pane.keys('z');
  await pane.waitFor((l) => !l[0].includes('PAUSED'), 'resumed');

  // Detail view of the selected flow, Esc back.
  pane.keys('Enter');
  lines = await pane.waitForText(/^Flow details/);
  t.ok(lines.some((l) => /^Original\s+10\.0\.1\.1:3000 -> 10\.0\.1\.5:53/.test(l)), 'both tuples shown');
  t.ok(lines.some((l) => /^Reply\s/.test(l)));
  pane.keys('Escape');
  await pane.waitFor((l) => listLines(l).length === 13, 'back to the list');

  // Help, generated from the keymap.
  pane.keys('F1');
  lines = await pane.waitForText(/^Help \(Esc: back\)/);
  t.ok(lines.some((l) => /F10 q Ctrl-C\s+quit/.test(l)));
  pane.keys('Escape');
  await pane.waitFor((l) => listLines(l).length === 13, 'help closed');

  // Group mode: by host, then F5 for the next key; Esc leaves.
  pane.keys('g');
  lines = await pane.waitForText(/^BY HOST/);
  t.ok(lines[0].includes('GROUP'));
  pane.keys('F5');
  await pane.waitForText(/^BY SERVICE/);
  pane.keys('Escape');
  await pane.waitFor((l) => listLines(l).length === 13, 'group mode left');

  // Resize: the screen follows the window.
  pane.tmux('resize-window', '-x', '70', '-y', '20');
  lines = await pane.waitFor((l) => l.length === 20 && listLines(l).length === 13, 'redrawn at 70x20');
  t.ok(lines.every((l) => l.length <= 70));

  // Setup: hide the STATE column (second item) and the TCP states meter (End is the interval, then the theme,
  // then the meters from the last shown: interval, events, rates, TCP states), leave (saves), quit.
  t.ok(lines.some((l) => l.startsWith('TCP ')), 'the TCP states meter is shown');
  pane.keys('F2', 'Down', 'Space', 'End', 'Up', 'Up', 'Up', 'Up', 'Up', 'Space', 'Escape');
  await pane.waitFor((l) => listLines(l).length === 13 && !l.some((x) => /STATE/.test(x) && /[▲▼]/.test(x)) && !l.some((x) => x.startsWith('TCP ')),
    'STATE and the TCP states meter hidden');
  pane.keys('q');
  lines = await pane.waitForText(/^conntop exit=0/);
  t.ok(lines.some((l) => l.startsWith('shell before')), 'the shell screen is back');
  t.equal(pane.variable('alternate_on'), '0', 'alternate screen left');
  t.equal(pane.variable('cursor_flag'), '1', 'cursor shown');
  const saved = JSON.parse(readFileSync(join(home, 'config/conntop/conntoprc'), 'utf8')) as {
    version: number; columns: Array<{ id: string }>; sort: { column: string; descending: boolean }; meters: string[];
  };
  t.notOk(saved.columns.some((c) => c.id === 'state'));
  t.equal(saved.version, 2);
  t.same(saved.meters, ['flows', 'source', 'states', 'protocols', 'rates', 'events', 'interval'], 'the meters saved without TCP states');
  t.same(saved.sort, { column: 'proto', descending: true });

  // A restart reads the settings back.
  const again = start(t, home, 100, 30);
  lines = await again.waitFor(ready, 'the loaded table after a restart', 30000);
  const header = lines.find((l) => /[▲▼]/.test(l))!;
  t.notMatch(header, /STATE/, 'STATE still hidden');
  t.notOk(lines.some((l) => l.startsWith('TCP ')), 'the TCP states meter still hidden');
  t.ok(lines.some((l) => l.startsWith('Proto ')) && lines.some((l) => l.startsWith('Rate ')), 'the other meters still shown');
  t.match(header, /PROTO▼/, 'sort restored');
  again.keys('F10');
  await again.waitForText(/^conntop exit=0/);
});

t.test('the terminal shows exactly the frame drawn, after redraws of only what changed', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const frameFile = join(home, 'frame.txt');
  const pane = start(t, home, 100, 30, { CONNTOP_TUI_FRAME: frameFile });
  await pane.waitFor(ready, 'the loaded table', 30000);
  // The frame file holds a status line, then the grid's lines without trailing blanks, as capture-pane gives them.
  const frameText = () => readFileSync(frameFile, 'utf8').split('\n').slice(1, 31).join('\n');
  const frameNo = () => Number(/"frame":(\d+)/.exec(readFileSync(frameFile, 'utf8'))?.[1] ?? 0);
  const same = async (what: string) => {
    await pane.waitFor((l) => l.map((x) => x.trimEnd()).join('\n') === frameText(), what);
    t.pass(what);
  };
  await same('the loaded table');
  // Each step changes a few cells or a few rows: the selection bar, a prompt, part of the list, a column.
  const steps: Array<[string, string[]]> = [
    ['the selection two rows down', ['Down', 'Down']], ['the search prompt', ['/']], ['a search typed', ['1', '0', '.', '0']],
    ['the search left', ['Escape']], ['the end of the list', ['End']], ['the top again', ['Home']],
    ['another sort column', ['>']], ['the first sort column back', ['<']], ['inverted', ['I']], ['the details', ['Enter']], ['the list again', ['Escape']],
  ];
  for (const [what, ks] of steps) {
    const before = frameNo();
    pane.keys(...ks);
    // First the key's frame (else the screen could still match the frame before it), then the screen.
    await pane.waitFor(() => frameNo() > before, `${what}: a new frame`);
    await same(what);
  }
  pane.keys('q');
  await pane.waitForText(/^conntop exit=0/);
});

t.test('a signal restores the terminal too', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = start(t, home, 80, 24);
  await pane.waitFor(ready, 'the loaded table', 30000);
  const pid = pane.tmux('display-message', '-p', '#{pane_pid}').trim();
  // The shell's child is conntop (node): send it SIGTERM.
  const child = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
  process.kill(Number(child), 'SIGTERM');
  const lines = await pane.waitForText(/^conntop exit=143/);
  t.ok(lines.some((l) => l.startsWith('shell before')));
  t.equal(pane.variable('alternate_on'), '0');
  t.equal(pane.variable('cursor_flag'), '1');
});

t.test('without a terminal, conntop says what to use instead', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('node', [cli, '--replay', capture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.equal(r.status, 2);
  t.match(r.stderr, /--once.*--events/);
  t.equal(r.stdout, '');
});

/** The list line drawn with the selection colours (black on cyan: SGR 30 and 46), as plain text. */
function selectedLine(_plain: string[], pane: TmuxPane): string | null {
  const esc = pane.screen(true);
  const h = esc.findIndex((l) => /[▲▼]/.test(l));
  for (let i = h + 1; i < esc.length - 1; i++) {
    if (/\x1b\[[0-9;]*46m/.test(esc[i]) || /\x1b\[[0-9;]*7m/.test(esc[i])) return esc[i].replace(/\x1b\[[0-9;]*m/g, '');
  }
  return null;
}

t.test('--metrics: the view\'s table on a Prometheus endpoint while it runs', async (t) => {
  const port = await freeLoopbackPort();
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = new TmuxPane(`node ${cli} --replay ${capture} --speed max --no-dns --no-geoip --metrics 127.0.0.1:${port}; exec sleep 3600`, 100, 30, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '',
  });
  t.teardown(() => pane.kill());
  await pane.waitFor(ready, 'the loaded table', 30000);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  t.match(text, /^conntop_flows 13$/m, 'the 13 flows on screen');
  pane.keys('q');
  await pane.waitFor(() => pane.variable('alternate_on') === '0', 'quit');
});

t.test('-c HOST:PORT: the view follows a server, and its header names that server', async (t) => {
  const { port } = await startConntopd(t, [process.execPath, join(root, 'dist/lib/conntopd.js')], ['--replay', capture, '--speed', '100']);
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = new TmuxPane(`node ${cli} -c 127.0.0.1:${port} --no-dns --no-geoip; exec sleep 3600`, 100, 30, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '',
  });
  t.teardown(() => pane.kill());
  const lines = await pane.waitFor((l) => /^Flows .*13\/1\.0M\]/.test(l[0] ?? ''), 'the served table', 30000);
  t.match(lines[0], new RegExp(`server 127\\.0\\.0\\.1:${port}`), 'the header names the server, not this host');
  pane.keys('q');
  await pane.waitFor(() => pane.variable('alternate_on') === '0', 'quit');
});

t.test('several -c: one table with a SERVER column, each server\'s state and flows in the header, server: filters', async (t) => {
  const conntopd = [process.execPath, join(root, 'dist/lib/conntopd.js')];
  const a = await startConntopd(t, conntopd, ['--replay', capture, '--speed', '100', '-N', 'alpha']);
  const b = await startConntopd(t, conntopd, ['--replay', capture, '--speed', '100', '-N', 'beta']);
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = new TmuxPane(`node ${cli} -c 127.0.0.1:${a.port} -c 127.0.0.1:${b.port} --no-dns --no-geoip; exec sleep 3600`, 160, 40, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '',
  });
  t.teardown(() => pane.kill());
  let lines = await pane.waitFor((l) => /^Flows .*26\/2\.1M\]/.test(l[0] ?? '') && listLines(l).length === 26, 'both served tables', 30000);
  t.match(lines[0], /2 servers: alpha 13 flows · beta 13 flows/, 'the header gives each server\'s flows');
  t.match(lines.find((l) => /[▲▼]/.test(l)) ?? '', /^SERVER\s+PROTO/, 'the SERVER column comes first');
  const rows = listLines(lines);
  t.equal(rows.filter((l) => l.startsWith('alpha ')).length, 13);
  t.equal(rows.filter((l) => l.startsWith('beta ')).length, 13, 'identical flows from two servers are two rows');
  pane.keys('\\');
  pane.type('server:beta');
  pane.keys('Enter');
  lines = await pane.waitFor((l) => listLines(l).length === 13 && l[0].includes('FILTER'), 'the server:beta filter');
  t.ok(listLines(lines).every((l) => l.startsWith('beta ')));
  b.child.kill('SIGKILL');
  lines = await pane.waitFor((l) => /beta (down, reconnecting|connecting)/.test(l[0] ?? ''), 'beta shown down', 30000);
  t.match(lines[0], /alpha 13 flows/, 'alpha still followed');
  pane.keys('q');
  await pane.waitFor(() => pane.variable('alternate_on') === '0', 'quit');
});
