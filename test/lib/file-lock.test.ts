// lib/file-lock.ts: the lock file is there while held and gone after, even when fn throws; a dead holder's lock
// and a garbled one are broken; a live holder makes the wait end in LOCK_TIMEOUT (asserted by code).
import t from 'tap';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../../lib/file-lock.js';
import type { ProcessRef, Processes } from '../../lib/process-identity.js';

const ME: ProcessRef = { pid: 10, start: '1' };
const OTHER: ProcessRef = { pid: 11, start: '1' };
function processes(liveOther: boolean): Processes {
  return { self: () => ME, alive: (p) => p.pid === ME.pid || (liveOther && p.pid === OTHER.pid) };
}
const quick = { attempts: 30, pauseMs: 0, pause: () => undefined };

t.test('held while fn runs, released after, also when fn throws', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  const seen = withFileLock(lock, processes(false), () => {
    t.equal(statSync(lock).mode & 0o777, 0o600, 'mode 0600');
    return JSON.parse(readFileSync(lock, 'utf8'));
  });
  t.same(seen, ME, 'names its holder');
  t.notOk(existsSync(lock));
  t.throws(() => withFileLock(lock, processes(false), () => { throw new Error('boom'); }), /boom/);
  t.notOk(existsSync(lock), 'released after a throw');
});

t.test('a dead holder\'s lock is broken', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  writeFileSync(lock, JSON.stringify(OTHER));
  t.equal(withFileLock(lock, processes(false), () => 'ran', quick), 'ran');
  t.notOk(existsSync(lock));
});

t.test('a garbled lock (holder killed between create and write) is broken after a while', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  writeFileSync(lock, '');
  t.equal(withFileLock(lock, processes(true), () => 'ran', quick), 'ran');
});

t.test('a live holder: LOCK_TIMEOUT, and its lock is left alone', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  writeFileSync(lock, JSON.stringify(OTHER));
  let pauses = 0;
  t.throws(() => withFileLock(lock, processes(true), () => 'ran', { attempts: 5, pauseMs: 1, pause: () => pauses++ }), { code: 'LOCK_TIMEOUT' });
  t.equal(pauses, 5, 'paused between attempts');
  t.same(JSON.parse(readFileSync(lock, 'utf8')), OTHER);
});

t.test('a lock broken by mistake while fn runs is not removed by its former holder', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  withFileLock(lock, processes(false), () => writeFileSync(lock, JSON.stringify(OTHER)));
  t.same(JSON.parse(readFileSync(lock, 'utf8')), OTHER, 'the new holder keeps it');
});

t.test('the real pause blocks without throwing', async (t) => {
  const lock = join(t.testdir(), 'x.lock');
  writeFileSync(lock, JSON.stringify(OTHER));
  t.throws(() => withFileLock(lock, processes(true), () => 'ran', { attempts: 2, pauseMs: 1 }), { code: 'LOCK_TIMEOUT' });
});
