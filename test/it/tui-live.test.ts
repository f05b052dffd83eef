// Real kernel, in a fresh network namespace: the interactive view (in tmux) shows a flow made with
// `conntrack -I`, and one deleted with `conntrack -D` turns into a dimmed ghost row and then leaves the list.
// Waits have deadlines that only bound a failure; nothing asserts how long anything took.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNetns, needRootAnd } from '../helpers/netns.js';
import { haveTmux, TmuxPane } from '../helpers/tmux.js';

const skip = needRootAnd('conntrack', 'tmux') || (haveTmux() ? false : 'tmux is not installed');
const cli = resolve(import.meta.dirname, '../../dist/lib/cli.js');
const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
/** True when an SGR sequence on the line turns on dim (2). */
const dimmed = (l: string) => /\x1b\[(?:[0-9;]*;)?2(?:;[0-9;]*)?m/.test(l);

t.test('a flow appears, and a deleted one turns into a ghost and leaves', { skip }, async (t) => {
  const ns = createNetns(t, 'tui');
  const home = mkdtempSync(join(tmpdir(), 'conntop-tui-live-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const pane = new TmuxPane(`ip netns exec ${ns.name} node ${cli} -d 0.5 --linger 2 --no-dns --no-geoip --no-processes; echo "conntop exit=$?"; exec sleep 3600`, 120, 30, {
    HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm-256color', PATH: process.env.PATH ?? '',
  });
  t.teardown(() => pane.kill());
  await pane.waitFor((l) => l.some((x) => /^Flows .*0\//.test(x)) && !l[0].includes('loading'), 'the empty table', 30000);
  const add = (a: string, b: string, sport: string) =>
    ns.exec('conntrack', ['-I', '-s', a, '-d', b, '-p', 'udp', '--sport', sport, '--dport', '53', '-t', '300']);
  add('10.9.0.1', '10.9.0.2', '1111');
  add('10.9.0.3', '10.9.0.4', '3333');
  await pane.waitFor((l) => l.some((x) => x.includes('10.9.0.1')) && l.some((x) => x.includes('10.9.0.3')), 'both flows listed');
  ns.exec('conntrack', ['-D', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'udp', '--sport', '3333', '--dport', '53']);
  await pane.waitFor((l) => l.some((x) => plain(x).includes('10.9.0.3') && dimmed(x)), 'the deleted flow dimmed', 15000, true);
  t.pass('a ghost row');
  await pane.waitFor((l) => !l.some((x) => x.includes('10.9.0.3')) && l.some((x) => x.includes('10.9.0.1')), 'the ghost gone, the other flow still there', 15000);
  t.pass('the ghost left after --linger');
  pane.keys('q');
  await pane.waitForText(/^conntop exit=0/);
});
