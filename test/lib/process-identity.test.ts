// lib/process-identity.ts: the start time is field 22 of /proc/PID/stat even when the command name holds spaces
// and parentheses; this process is alive, a PID with another start time or no process at all is not.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asProcessRef, procProcesses, startTimeOf } from '../../lib/process-identity.js';

t.test('field 22 after a tricky command name', async (t) => {
  const proc = t.testdir();
  mkdirSync(join(proc, '42'));
  // fields 3..22: state, ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt, majflt, cmajflt, utime, stime,
  // cutime, cstime, priority, nice, num_threads, itrealvalue, starttime
  writeFileSync(join(proc, '42', 'stat'), '42 (a) b (c)) S 1 42 42 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 987654 3133440 409\n');
  t.equal(startTimeOf(42, proc), '987654');
  t.equal(startTimeOf(43, proc), null, 'no such process');
});

t.test('the real table: this process is alive, a changed start time is not', async (t) => {
  const me = procProcesses.self();
  t.equal(me.pid, process.pid);
  t.match(me.start, /^\d+$/);
  t.ok(procProcesses.alive(me));
  t.notOk(procProcesses.alive({ pid: me.pid, start: `${me.start}1` }), 'a reused PID');
});

t.test('asProcessRef accepts only {pid > 0 integer, start string}', async (t) => {
  t.same(asProcessRef({ pid: 5, start: '9', extra: 1 }), { pid: 5, start: '9' });
  for (const bad of [null, 5, {}, { pid: 0, start: '1' }, { pid: 1.5, start: '1' }, { pid: 5, start: 9 }]) t.equal(asProcessRef(bad), null, JSON.stringify(bad));
});
