// The key table (tui/keymap.ts) drives both key handling and the help screen: these tests read the same table.
import t from 'tap';
import { actionFor, barItems, helpLines, KEYMAP, type Mode } from '../../tui/keymap.js';
import { helpText } from '../../tui/render-panels.js';

t.test('no key is bound twice in one mode', async (t) => {
  const seen = new Map<string, string>();
  for (const b of KEYMAP) for (const k of b.keys) {
    const id = `${b.mode} ${JSON.stringify(k)}`;
    t.notOk(seen.has(id), `${id} bound to ${b.action} and ${seen.get(id)}`);
    seen.set(id, b.action);
  }
});

t.test('every binding is handled through actionFor and shown in the help screen', async (t) => {
  const help = helpText().join('\n');
  for (const b of KEYMAP) {
    for (const k of b.keys) t.equal(actionFor(b.mode, k), b.action, `${b.mode} ${k}`);
    t.ok(help.includes(b.help), `help shows "${b.help}"`);
  }
  t.equal(actionFor('list', 'no-such-key'), undefined);
});

t.test("htop's keys first, then flowtop's", async (t) => {
  const want: Array<[Mode, string, string]> = [
    ['list', 'F1', 'help'], ['list', '?', 'help'], ['list', 'F2', 'setup'], ['list', 'F3', 'search'], ['list', '/', 'search'],
    ['list', 'SHIFT_F3', 'searchPrev'], ['search', 'F3', 'searchNext'], ['list', 'F4', 'filter'], ['list', '\\', 'filter'],
    ['list', 'F5', 'group'], ['list', 'g', 'group'], ['list', 'F6', 'sortMenu'], ['list', '<', 'sortPrev'], ['list', '>', 'sortNext'],
    ['list', 'I', 'invert'], ['list', 'F9', 'pause'], ['list', ' ', 'pause'], ['list', 'z', 'pause'], ['list', 'F10', 'quit'],
    ['list', 'q', 'quit'], ['list', 'CTRL_C', 'quit'], ['list', 'ENTER', 'detail'], ['detail', 'ESCAPE', 'back'],
    ['list', 'n', 'toggleNames'], ['list', 'N', 'toggleServices'], ['list', 'b', 'toggleBits'], ['list', 't', 'toggleTotals'],
    ['list', 's', 'toggleSide'], ['list', 'a', 'toggleActive'], ['list', 'G', 'toggleGhosts'], ['list', 'p', 'protoMenu'],
    ['proto', 'T', 'protoTcp'], ['proto', 'U', 'protoUdp'], ['proto', 'D', 'protoDccp'], ['proto', 'I', 'protoIcmp'],
    ['proto', 'S', 'protoSctp'], ['proto', 'G', 'protoGre'], ['list', '+', 'slower'], ['list', '-', 'faster'],
    ['list', 'UP', 'up'], ['list', 'DOWN', 'down'], ['list', 'PAGE_UP', 'pageUp'], ['list', 'PAGE_DOWN', 'pageDown'],
    ['list', 'HOME', 'home'], ['list', 'END', 'end'],
  ];
  for (const [mode, key, action] of want) t.equal(actionFor(mode, key), action, `${mode} ${key}`);
});

t.test('the bottom bar and help lines come from the table', async (t) => {
  t.same(barItems('list').map((b) => `${b.key}${b.label}`), ['F1Help', 'F2Setup', 'F3Search', 'F4Filter', 'F5Group', 'F6SortBy', 'F9Pause', 'F10Quit']);
  t.equal(helpLines('list').length, KEYMAP.filter((b) => b.mode === 'list').length);
  t.match(helpLines('list')[0], /^F1 \?\s+this help$/);
});

t.test("README's key tables are the keymap's", async (t) => {
  const { readFileSync } = await import('node:fs');
  const { keysMarkdown } = await import('../../tui/keymap.js');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = /<!-- keys:begin -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(readme);
  t.ok(m, 'README has the key tables between markers');
  t.equal(m?.[1], keysMarkdown(), 'regenerate with: node -e "import(\'./dist/tui/keymap.js\').then(m => console.log(m.keysMarkdown()))"');
});
