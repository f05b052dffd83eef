// The test helper that shares connlabel.conf between test processes (test/helpers/ctfill.ts ensureConnlabels):
// the last process out restores the file; a process that died is dropped and its labels undone by the next one.
// Runs on temporary paths: no root needed.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimeOf } from '../../lib/process-identity.js';
import { ensureConnlabels } from '../helpers/ctfill.js';

/** A HasTeardown whose teardowns run when `done` is called (as tap runs them at a test's end). */
function scope() {
  const fns: Array<() => void> = [];
  return { teardown: (fn: () => void) => { fns.push(fn); }, done: () => { for (const fn of fns.reverse()) fn(); } };
}

t.test('the last user out restores connlabel.conf; a dead user is dropped and its labels undone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-connlabel-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'etc/xtables/connlabel.conf');
  const users = join(dir, 'users');

  const a = scope();
  const bits = ensureConnlabels(a, [[1, 'alpha']], path, users);
  t.equal(bits.get('alpha'), 1);
  t.match(readFileSync(path, 'utf8'), /^1 alpha$/m, 'created with the label');

  // Another test process (a sleeping child stands for it) registers while this one runs.
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => other.kill());
  const start = startTimeOf(other.pid!);
  t.ok(start, 'the other process has a start time');
  writeFileSync(join(users, `user-${other.pid}-${start}`), '');
  a.done();
  t.match(readFileSync(path, 'utf8'), /^1 alpha$/m, 'left in place while another user runs');

  // It dies without its teardown: the next user finds nobody alive, undoes what is left, then adds its own.
  other.kill();
  await new Promise((r) => other.once('exit', r));
  const b = scope();
  ensureConnlabels(b, [[2, 'beta']], path, users);
  const text = readFileSync(path, 'utf8');
  t.match(text, /^2 beta$/m);
  t.notMatch(text, /alpha/, "the dead user's labels are gone");
  b.done();
  t.notOk(existsSync(path), 'the last one out removes the file it created');
  t.notOk(existsSync(join(dir, 'etc')), 'and its directories');

  // A file that was there keeps its text exactly.
  mkdirSync(join(dir, 'etc/xtables'), { recursive: true });
  writeFileSync(path, '# site labels\n5 site');
  const c = scope();
  const have = ensureConnlabels(c, [[5, 'gamma'], [6, 'site']], path, users);
  t.equal(have.get('site'), 5, 'an existing name keeps its bit');
  t.equal(have.get('gamma'), 0, 'a wanted bit in use: the lowest free one');
  c.done();
  t.equal(readFileSync(path, 'utf8'), '# site labels\n5 site', 'restored as it was');
});
