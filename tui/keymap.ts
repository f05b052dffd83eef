// tui/ layer: the ONE key table. It drives key handling (actionFor) and the help screen (helpLines), and
// its function-key labels make the bottom bar, as htop's Action.c and helpLeft/helpRight do.
// Imports nothing. Key names are terminal-kit's (F1, SHIFT_F3, PAGE_DOWN, CTRL_C, ESCAPE) or the character.

/** A screen mode: each has its own bindings. Prompts (search, filter) also take typed text. */
export type Mode = 'list' | 'help' | 'detail' | 'setup' | 'search' | 'filter' | 'sort' | 'proto' | 'group';

/** Everything a key can do. */
export type ActionId =
  | 'help' | 'setup' | 'search' | 'searchNext' | 'searchPrev' | 'filter' | 'group' | 'sortMenu' | 'sortPrev' | 'sortNext'
  | 'invert' | 'pause' | 'quit' | 'detail' | 'back' | 'accept' | 'erase'
  | 'toggleNames' | 'toggleServices' | 'toggleBits' | 'toggleTotals' | 'toggleSide' | 'toggleActive' | 'toggleGhosts'
  | 'protoMenu' | 'protoTcp' | 'protoUdp' | 'protoDccp' | 'protoIcmp' | 'protoSctp' | 'protoGre'
  | 'faster' | 'slower' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'
  | 'toggleItem' | 'moveItemUp' | 'moveItemDown' | 'widen' | 'narrow' | 'prevValue' | 'nextValue' | 'nextGroupBy';

/** One binding: in `mode`, any of `keys` runs `action`. `bar` is its label in the bottom bar (F-keys). */
export interface Binding {
  mode: Mode;
  keys: readonly string[];
  action: ActionId;
  help: string;
  bar?: string;
}

const nav = (mode: Mode): Binding[] => [
  { mode, keys: ['UP', 'k'], action: 'up', help: 'move up' },
  { mode, keys: ['DOWN', 'j'], action: 'down', help: 'move down' },
  { mode, keys: ['PAGE_UP'], action: 'pageUp', help: 'page up' },
  { mode, keys: ['PAGE_DOWN'], action: 'pageDown', help: 'page down' },
  { mode, keys: ['HOME'], action: 'home', help: 'first row' },
  { mode, keys: ['END'], action: 'end', help: 'last row' },
];

/** The key table, in help-screen order. */
export const KEYMAP: readonly Binding[] = [
  { mode: 'list', keys: ['F1', '?'], action: 'help', help: 'this help', bar: 'Help' },
  { mode: 'list', keys: ['F2'], action: 'setup', help: 'setup: columns, meters, theme, interval', bar: 'Setup' },
  { mode: 'list', keys: ['F3', '/'], action: 'search', help: 'search (F3 again: next match)', bar: 'Search' },
  { mode: 'list', keys: ['SHIFT_F3'], action: 'searchPrev', help: 'previous match' },
  { mode: 'list', keys: ['F4', '\\'], action: 'filter', help: 'filter: proto:tcp port:443 state:established !local ...', bar: 'Filter' },
  { mode: 'list', keys: ['F5', 'g'], action: 'group', help: 'group by host, port, process, country, ASN, state', bar: 'Group' },
  { mode: 'list', keys: ['F6'], action: 'sortMenu', help: 'choose the sort column', bar: 'SortBy' },
  { mode: 'list', keys: ['<', ','], action: 'sortPrev', help: 'sort by the column to the left' },
  { mode: 'list', keys: ['>', '.'], action: 'sortNext', help: 'sort by the column to the right' },
  { mode: 'list', keys: ['I'], action: 'invert', help: 'invert the sort order' },
  { mode: 'list', keys: ['F9', ' ', 'z'], action: 'pause', help: 'pause / resume the screen (the table keeps following)', bar: 'Pause' },
  { mode: 'list', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  { mode: 'list', keys: ['ENTER'], action: 'detail', help: 'details of the selected flow' },
  { mode: 'list', keys: ['ESCAPE'], action: 'back', help: 'clear the search' },
  { mode: 'list', keys: ['n'], action: 'toggleNames', help: 'host names / addresses' },
  { mode: 'list', keys: ['N'], action: 'toggleServices', help: 'service names / port numbers' },
  { mode: 'list', keys: ['b'], action: 'toggleBits', help: 'bits / bytes' },
  { mode: 'list', keys: ['t'], action: 'toggleTotals', help: 'totals / rates' },
  { mode: 'list', keys: ['s'], action: 'toggleSide', help: 'which side counts as source' },
  { mode: 'list', keys: ['a'], action: 'toggleActive', help: 'active flows only' },
  { mode: 'list', keys: ['G'], action: 'toggleGhosts', help: 'ghost rows (closed flows)' },
  { mode: 'list', keys: ['p'], action: 'protoMenu', help: 'protocol menu (T U D I S G)' },
  { mode: 'list', keys: ['+', '='], action: 'slower', help: 'longer refresh interval' },
  { mode: 'list', keys: ['-'], action: 'faster', help: 'shorter refresh interval' },
  ...nav('list'),
  { mode: 'proto', keys: ['T'], action: 'protoTcp', help: 'TCP' },
  { mode: 'proto', keys: ['U'], action: 'protoUdp', help: 'UDP and UDP-Lite' },
  { mode: 'proto', keys: ['D'], action: 'protoDccp', help: 'DCCP' },
  { mode: 'proto', keys: ['I'], action: 'protoIcmp', help: 'ICMP and ICMPv6' },
  { mode: 'proto', keys: ['S'], action: 'protoSctp', help: 'SCTP' },
  { mode: 'proto', keys: ['G'], action: 'protoGre', help: 'GRE' },
  { mode: 'proto', keys: ['ESCAPE', 'ENTER', 'p'], action: 'back', help: 'close the menu', bar: 'Done' },
  { mode: 'proto', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  { mode: 'sort', keys: ['ENTER', 'F6'], action: 'accept', help: 'sort by this column', bar: 'Sort' },
  { mode: 'sort', keys: ['I'], action: 'invert', help: 'invert the sort order' },
  { mode: 'sort', keys: ['ESCAPE'], action: 'back', help: 'cancel', bar: 'Cancel' },
  { mode: 'sort', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  ...nav('sort'),
  { mode: 'search', keys: ['ENTER'], action: 'accept', help: 'keep the match selected', bar: 'Done' },
  { mode: 'search', keys: ['F3'], action: 'searchNext', help: 'next match', bar: 'Next' },
  { mode: 'search', keys: ['SHIFT_F3'], action: 'searchPrev', help: 'previous match' },
  { mode: 'search', keys: ['ESCAPE'], action: 'back', help: 'cancel the search', bar: 'Cancel' },
  { mode: 'search', keys: ['BACKSPACE'], action: 'erase', help: 'erase a character' },
  { mode: 'search', keys: ['CTRL_C'], action: 'quit', help: 'quit' },
  { mode: 'filter', keys: ['ENTER'], action: 'accept', help: 'apply the filter', bar: 'Done' },
  { mode: 'filter', keys: ['ESCAPE'], action: 'back', help: 'cancel (an empty filter clears it)', bar: 'Cancel' },
  { mode: 'filter', keys: ['BACKSPACE'], action: 'erase', help: 'erase a character' },
  { mode: 'filter', keys: ['CTRL_C'], action: 'quit', help: 'quit' },
  { mode: 'detail', keys: ['ESCAPE', 'ENTER'], action: 'back', help: 'back to the list', bar: 'Back' },
  { mode: 'detail', keys: ['UP', 'k'], action: 'up', help: 'previous flow' },
  { mode: 'detail', keys: ['DOWN', 'j'], action: 'down', help: 'next flow' },
  { mode: 'detail', keys: ['F9', ' ', 'z'], action: 'pause', help: 'pause / resume', bar: 'Pause' },
  { mode: 'detail', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  { mode: 'help', keys: ['ESCAPE', 'F1', '?', 'ENTER'], action: 'back', help: 'close the help', bar: 'Done' },
  { mode: 'help', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  ...nav('help'),
  { mode: 'setup', keys: [' ', 'ENTER'], action: 'toggleItem', help: 'show / hide the column or meter; next value' },
  { mode: 'setup', keys: ['['], action: 'moveItemUp', help: 'move the column left, the meter up' },
  { mode: 'setup', keys: [']'], action: 'moveItemDown', help: 'move the column right, the meter down' },
  { mode: 'setup', keys: ['+', '='], action: 'widen', help: 'wider column' },
  { mode: 'setup', keys: ['-'], action: 'narrow', help: 'narrower column' },
  { mode: 'setup', keys: ['LEFT'], action: 'prevValue', help: 'previous value (theme, interval)' },
  { mode: 'setup', keys: ['RIGHT'], action: 'nextValue', help: 'next value (theme, interval)' },
  { mode: 'setup', keys: ['ESCAPE', 'F2', 'F10'], action: 'back', help: 'save and leave setup', bar: 'Done' },
  { mode: 'setup', keys: ['CTRL_C'], action: 'quit', help: 'quit' },
  ...nav('setup'),
  { mode: 'group', keys: ['ENTER'], action: 'accept', help: 'open the group (filters the list to it)', bar: 'Open' },
  { mode: 'group', keys: ['F5', 'g'], action: 'nextGroupBy', help: 'group by the next key', bar: 'GroupBy' },
  { mode: 'group', keys: ['ESCAPE'], action: 'back', help: 'leave group mode', bar: 'Back' },
  { mode: 'group', keys: ['F9', ' ', 'z'], action: 'pause', help: 'pause / resume', bar: 'Pause' },
  { mode: 'group', keys: ['F10', 'q', 'CTRL_C'], action: 'quit', help: 'quit', bar: 'Quit' },
  ...nav('group'),
];

const INDEX = new Map<string, ActionId>();
for (const b of KEYMAP) for (const k of b.keys) if (!INDEX.has(`${b.mode} ${k}`)) INDEX.set(`${b.mode} ${k}`, b.action);

/** The action bound to `key` in `mode`, or undefined (in a prompt, an unbound printable key is typed text). */
export function actionFor(mode: Mode, key: string): ActionId | undefined {
  return INDEX.get(`${mode} ${key}`);
}

/** How a key is written on screen: F1, Shift-F3, PgDn, Space, Ctrl-C. */
export function keyLabel(k: string): string {
  const names: Record<string, string> = {
    ' ': 'Space', PAGE_UP: 'PgUp', PAGE_DOWN: 'PgDn', ESCAPE: 'Esc', ENTER: 'Enter', UP: 'Up', DOWN: 'Down', LEFT: 'Left', RIGHT: 'Right',
    HOME: 'Home', END: 'End', CTRL_C: 'Ctrl-C', BACKSPACE: 'Bksp', SHIFT_F3: 'Shift-F3',
  };
  return names[k] ?? k;
}

/** The bottom bar of `mode`: the F-key (or first) key and label of each binding that has a bar label. */
export function barItems(mode: Mode): Array<{ key: string; label: string }> {
  return KEYMAP.filter((b) => b.mode === mode && b.bar).map((b) => ({ key: keyLabel(b.keys.find((k) => /^F\d+$/.test(k)) ?? b.keys[0]), label: b.bar! }));
}

/** The help screen's text for `mode`: one line per binding, keys then what they do. */
export function helpLines(mode: Mode): string[] {
  return KEYMAP.filter((b) => b.mode === mode).map((b) => `${b.keys.map(keyLabel).join(' ').padEnd(18)} ${b.help}`);
}

/** Mode titles of the README's key table, in order. */
const DOC_MODES: Array<[Mode, string]> = [
  ['list', 'Flow list'], ['proto', 'Protocol menu (`p`)'], ['sort', 'Sort menu (F6)'], ['search', 'Search prompt'], ['filter', 'Filter prompt'],
  ['group', 'Group mode'], ['detail', 'Flow details'], ['setup', 'Setup (F2)'], ['help', 'Help'],
];

/** The keymap as Markdown tables, one per mode (the README's key reference; a test keeps them equal). */
export function keysMarkdown(): string {
  const out: string[] = [];
  for (const [mode, title] of DOC_MODES) {
    out.push(`${title}:`, '', '| keys | action |', '|---|---|');
    for (const b of KEYMAP.filter((x) => x.mode === mode)) out.push(`| ${b.keys.map((k) => `\`${keyLabel(k).replace('|', '\\|')}\``).join(' ')} | ${b.help.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}
