// Tests for lib/manual.ts: the roff page (every option, key and section, escaped), and the shell completions
// run for real: bash's completion function called for a few prefixes in a subprocess, zsh and fish scripts
// checked by their own parsers when those shells are installed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, renderCompletion, renderManPage, roffText, type CompletionSpec, type ManSpec } from '../../lib/manual.js';
import { haveTool } from '../helpers/netns.js';

const options = [
  { flags: '--once', description: 'print the table once and exit' },
  { flags: '-d, --delay <seconds>', description: 'refresh interval', defaultText: '1' },
  { flags: '--replay <file>', description: 'run from a capture [pcap]' },
  { flags: '--geoip-dir <dir>', description: "look for MaxMind's databases here" },
  { flags: '--completion <shell>', description: 'print a completion script' },
  { flags: '-n, --no-dns', description: 'no reverse DNS' },
];
// '--tls-ca' is not among the options: a shared table of values may name options another program has.
const spec: CompletionSpec = { name: 'conntop', options, values: { '--replay': 'file', '--geoip-dir': 'dir', '--completion': ['bash', 'zsh', 'fish'], '--tls-ca': 'file' } };

t.test('flags text parses into names and a value flag', async (t) => {
  t.same(parseFlags('-d, --delay <seconds>'), { long: '--delay', short: '-d', value: true });
  t.same(parseFlags('--once'), { long: '--once', short: undefined, value: false });
  t.same(parseFlags('-n, --no-dns'), { long: '--no-dns', short: '-n', value: false });
  t.same(parseFlags('-V, --version'), { long: '--version', short: '-V', value: false });
});

t.test('the man page holds every option, key and section, escaped for roff', async (t) => {
  const man: ManSpec = {
    name: 'conntop', section: 1, version: '9.9.9', date: '2026-12-03', summary: 'watch conntrack',
    synopsis: ['conntop [options]', 'conntop --once [--json]'],
    description: ['A monitor.', '.starts with a dot', { term: 'x-y', text: 'back\\slash' }],
    options,
    keys: [{ mode: 'list', keys: ['F1', '?'], help: 'help' }, { mode: 'list', keys: ['q'], help: 'quit' }, { mode: 'detail', keys: ['Esc'], help: 'back' }],
    sections: [{ title: 'Exit status', body: [{ term: '2', text: 'bad usage' }] }],
  };
  const roff = renderManPage(man);
  t.match(roff, /^\.TH CONNTOP 1 2026-12-03 "conntop 9\.9\.9" "User Commands"\n/);
  for (const o of options) t.ok(roff.includes(`.TP\n.B ${roffText(o.flags)}\n`), `option ${o.flags}`);
  t.match(roff, /refresh interval \(default: 1\)/);
  t.match(roff, /\.SS list\n\.TP\nF1, \?\nhelp/);
  t.match(roff, /\.SS detail/);
  t.match(roff, /\.SH EXIT STATUS/);
  t.match(roff, /\n\\&\.starts with a dot\n/, 'a leading dot is escaped');
  t.match(roff, /back\\eslash/);
  t.notMatch(roff, /^\.(?!TH|SH|SS|PP|TP|B |br)/m, 'no stray requests');
  if (haveTool('groff')) {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: roff, encoding: 'utf8' });
    t.equal(r.stderr, '', 'groff reads it without a warning');
  }
});

t.test('bash completion completes options, files and fixed words', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-compl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'run.pcap'), '');
  writeFileSync(join(dir, 'comp.bash'), renderCompletion('bash', spec));
  const complete = (...words: string[]): string[] => {
    const script = `cd ${JSON.stringify(dir)}; source ./comp.bash; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _conntop; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  t.same(complete('conntop', '--re'), ['--replay']);
  t.same(complete('conntop', '--d'), ['--delay']);
  t.same(complete('conntop', '--no'), ['--no-dns']);
  t.same(complete('conntop', '--replay', 'ru'), ['run.pcap']);
  t.same(complete('conntop', '--completion', ''), ['bash', 'fish', 'zsh']);
  t.same(complete('conntop', '--completion', 'z'), ['zsh']);
});

t.test('zsh and fish scripts are accepted by their shells', async (t) => {
  const zsh = renderCompletion('zsh', spec);
  t.match(zsh, /^#compdef conntop\n/);
  t.match(zsh, /'\(-d --delay\)'\{-d,--delay\}'\[refresh interval\]:value:'/);
  const fish = renderCompletion('fish', spec);
  t.match(fish, /complete -c conntop -l replay -r -F -d 'run from a capture pcap'\n/);
  t.match(fish, /complete -c conntop -l completion -x -a 'bash zsh fish'/);
  for (const [sh, text, args] of [['zsh', zsh, ['-n']], ['fish', fish, ['--no-execute']]] as const) {
    if (!haveTool(sh)) continue;
    const r = spawnSync(sh, [...args], { input: text, encoding: 'utf8' });
    t.equal(r.status, 0, `${sh} parses it: ${r.stderr}`);
  }
});
