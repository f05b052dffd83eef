// The manual page and the completions of the real `conntop` (dist/lib/cli.js): every option --help lists is
// in conntop(1), and nothing else is; `npm run build` leaves that page in man/ where `npm install -g` puts it
// for man(1); bash's completion of the real program completes options and files.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFlags, roffText } from '../../lib/manual.js';
import { KEYMAP, keyLabel } from '../../tui/keymap.js';
import { haveTool } from '../helpers/netns.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

/** The option flags --help lists, as commander prints them ("-d, --delay <seconds>"). */
function helpFlags(help: string): string[] {
  const start = help.indexOf('Options:');
  return help.slice(start).split('\n').slice(1).map((l) => /^ {2}(-\S.*?)(?: {2,}|$)/.exec(l)?.[1]).filter((f): f is string => !!f && f.startsWith('-'));
}

t.test('conntop(1) lists exactly the options of --help, and groff reads it', async (t) => {
  const help = run('--help');
  t.equal(help.status, 0);
  const flags = helpFlags(help.stdout);
  t.ok(flags.length > 30, `${flags.length} options in --help`);
  const man = run('--manual');
  t.equal(man.status, 0, man.stderr);
  const manFlags = [...man.stdout.matchAll(/^\.TP\n\.B (.+)$/gm)].map((m) => m[1]);
  t.same(manFlags.sort(), flags.map(roffText).sort(), 'the same options, no more, no fewer');
  t.match(man.stdout, /^\.TH CONNTOP 1 /);
  // Every binding of the view's one key table, under its mode, as the help screen shows it.
  for (const b of KEYMAP) t.ok(man.stdout.includes(`.TP\n${roffText(b.keys.map(keyLabel).join(', '))}\n${roffText(b.help)}\n`), `key ${b.mode} ${b.keys.join(' ')}`);
  t.equal([...man.stdout.matchAll(/^\.SS /gm)].length, new Set(KEYMAP.map((b) => b.mode)).size, 'one subsection per mode');
  for (const s of ['KEYS', 'FILTER LANGUAGE', 'FILES', 'ENVIRONMENT', 'SYSCTLS', 'EXIT STATUS', 'EXAMPLES']) t.match(man.stdout, new RegExp(`^\\.SH ${s}$`, 'm'));
  if (haveTool('groff')) t.equal(spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: man.stdout, encoding: 'utf8' }).stderr, '', 'no groff warning');
  const built = join(root, 'man/conntop.1');
  t.ok(existsSync(built), 'npm run build wrote man/conntop.1');
  t.equal(readFileSync(built, 'utf8').replace(/^\.TH .*\n/, ''), man.stdout.replace(/^\.TH .*\n/, ''), 'the built page is the program\'s own');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { man: string[]; files: string[] };
  t.ok(pkg.man.includes('./man/conntop.1') && pkg.files.includes('man'), 'npm install -g links it for man(1)');
});

t.test('the completion of the real program completes its options', async (t) => {
  for (const shell of ['bash', 'zsh', 'fish']) t.equal(run('--completion', shell).status, 0, shell);
  t.equal(run('--completion', 'ksh').status, 2, 'an unknown shell is bad usage');
  const dir = mkdtempSync(join(tmpdir(), 'conntop-compl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'c.bash'), run('--completion', 'bash').stdout);
  writeFileSync(join(dir, 'cap.pcap'), '');
  const complete = (...words: string[]): string[] => {
    const script = `cd ${JSON.stringify(dir)}; source ./c.bash; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _conntop; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  };
  t.same(complete('conntop', '--repl'), ['--replay']);
  t.same(complete('conntop', '--replay', 'ca'), ['cap.pcap']);
  t.same(complete('conntop', '--completion', 'f'), ['fish']);
  const longs = helpFlags(run('--help').stdout).map((f) => parseFlags(f).long).filter(Boolean);
  t.same(complete('conntop', '--').sort(), [...new Set(longs)].sort(), 'every long option, from the same definitions');
});
