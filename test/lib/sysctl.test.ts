// lib/sysctl.ts: SysctlGuard on a fake /proc/sys, alone and shared through a SysctlShare in a temp directory
// with fake processes (live and dead PIDs are a set here): every stop order of two and three instances, members
// that vanished (SIGKILL), PID reuse, and the fallbacks when the state cannot be shared.
import t, { type Test } from 'tap';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCT, EVENTS, SysctlGuard, TIMESTAMP, withRmemMax, RMEM_MAX, type SysctlIo } from '../../lib/sysctl.js';
import { SysctlShare } from '../../lib/sysctl-share.js';
import type { ProcessRef, Processes } from '../../lib/process-identity.js';

const NAMES = [ACCT, TIMESTAMP, EVENTS];

/** A fake /proc/sys holding acct, timestamp and events; a name missing from `init` does not exist. */
function fakeSysctls(init: string, opts: { deny?: boolean } = {}): SysctlIo & { now(): string; values: Map<string, string> } {
  const values = new Map<string, string>();
  init.split('/').forEach((v, i) => v !== '-' && values.set(NAMES[i], v));
  return {
    values,
    read: (n) => values.get(n) ?? null,
    write(n, v) {
      if (opts.deny) throw Object.assign(new Error('denied'), { code: 'EACCES' });
      if (!values.has(n)) throw Object.assign(new Error('no such sysctl'), { code: 'ENOENT' });
      values.set(n, v);
    },
    now: () => NAMES.map((n) => values.get(n) ?? '-').join('/'),
  };
}

const refKey = (p: ProcessRef): string => `${p.pid}@${p.start}`;

/** Instances of conntop sharing one fake namespace: one SysctlShare each, a shared set of live processes. */
function namespace(t: Test, io: SysctlIo, opts: { dir?: string; uid?: number } = {}) {
  const dir = opts.dir ?? t.testdir();
  const live = new Set<string>();
  let pid = 1000;
  const start = (ref: ProcessRef = { pid: pid++, start: '7' }) => {
    live.add(refKey(ref));
    const processes: Processes = { self: () => ref, alive: (p) => live.has(refKey(p)) };
    const share = new SysctlShare({ dir, processes, nsKey: () => 'net-test', uid: opts.uid, lockWait: { attempts: 3, pauseMs: 0, pause: () => undefined } });
    const guard = new SysctlGuard(io, share);
    guard.enableMonitoring();
    return {
      ref,
      guard,
      share,
      /** A normal exit: restore, then the process is gone. */
      stop() {
        guard.restore();
        live.delete(refKey(ref));
      },
      /** SIGKILL: gone without restoring. */
      kill() {
        live.delete(refKey(ref));
      },
    };
  };
  return { dir, start, file: join(dir, 'sysctl-net-test.json') };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

t.test('alone: sets what differs, restores newest first, only values still as written', async (t) => {
  const io = fakeSysctls('1/0/2');
  const g = new SysctlGuard(io);
  g.enableMonitoring();
  t.equal(io.now(), '1/1/1');
  t.same(g.changes.map((c) => c.name), [TIMESTAMP, EVENTS], 'acct was already on');
  io.values.set(EVENTS, '2'); // someone else's change after ours is kept
  g.restore();
  t.equal(io.now(), '1/0/2');
  g.restore();
  t.equal(io.now(), '1/0/2', 'restore is idempotent');
});

t.test('events=0 (off entirely) is turned on like the others and put back', async (t) => {
  const io = fakeSysctls('0/0/0');
  const g = new SysctlGuard(io);
  g.enableMonitoring();
  t.equal(io.now(), '1/1/1');
  g.restore();
  t.equal(io.now(), '0/0/0');
});

t.test('a missing events sysctl is skipped silently; missing acct is a failure', async (t) => {
  const io = fakeSysctls('-/0/-');
  const g = new SysctlGuard(io);
  g.enableMonitoring();
  t.equal(io.now(), '-/1/-');
  t.same(g.failures, [{ name: ACCT, reason: 'not available on this kernel' }]);
});

t.test('withRmemMax raises the cap around fn only', async (t) => {
  const values = new Map([[RMEM_MAX, '1000']]);
  const io: SysctlIo = { read: (n) => values.get(n) ?? null, write: (n, v) => void values.set(n, v) };
  t.equal(withRmemMax(io, 5000, () => values.get(RMEM_MAX)), '5000');
  t.equal(values.get(RMEM_MAX), '1000');
});

for (const n of [2, 3]) {
  const init = n === 2 ? '0/0/2' : '0/0/0';
  for (const order of permutations([...Array(n).keys()])) {
    t.test(`${n} instances from ${init}, stopped in order ${order.join(',')}: the last one restores`, async (t) => {
      const io = fakeSysctls(init);
      const ns = namespace(t, io);
      const inst = [...Array(n).keys()].map(() => ns.start());
      t.equal(io.now(), '1/1/1', 'on while they run');
      t.equal(inst[0].share.members().length, n, 'all are members');
      order.forEach((i, k) => {
        inst[i].stop();
        const left = n - k - 1;
        t.equal(io.now(), left > 0 ? '1/1/1' : init, `after stopping #${i}: ${left} left`);
      });
      t.notOk(existsSync(ns.file), 'the state file is gone');
      t.same(inst.flatMap((x) => [...x.guard.failures, ...x.guard.warnings]), [], 'no warnings');
    });
  }
}

t.test('a SIGKILLed member stops counting: the survivor restores on its own stop', async (t) => {
  for (const [killed, stopped] of [[0, 1], [1, 0]]) {
    const io = fakeSysctls('0/0/2');
    const ns = namespace(t, io);
    const inst = [ns.start(), ns.start()];
    inst[killed].kill();
    t.equal(io.now(), '1/1/1');
    inst[stopped].stop();
    t.equal(io.now(), '0/0/2', `killed #${killed}, stopped #${stopped}`);
  }
});

t.test('three instances, the middle one killed, the others stopped in either order', async (t) => {
  for (const order of [[0, 2], [2, 0]]) {
    const io = fakeSysctls('0/0/0');
    const ns = namespace(t, io);
    const inst = [ns.start(), ns.start(), ns.start()];
    inst[1].kill();
    inst[order[0]].stop();
    t.equal(io.now(), '1/1/1', 'one still runs');
    inst[order[1]].stop();
    t.equal(io.now(), '0/0/0', `order ${order.join(',')}`);
  }
});

t.test('the last instance killed: the next one keeps the real originals, not the values left behind', async (t) => {
  const io = fakeSysctls('0/1/2');
  const ns = namespace(t, io);
  const a = ns.start();
  a.kill();
  t.equal(io.now(), '1/1/1', 'left changed by the crash');
  const b = ns.start();
  t.same(b.share.members().map((m) => m.pid), [b.ref.pid], 'the dead member is pruned');
  b.stop();
  t.equal(io.now(), '0/1/2', 'the values found before the crash');
});

t.test('after a crash, a value the admin changed meanwhile is the new original', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  ns.start().kill();
  io.values.set(ACCT, '0'); // turned off by hand after the crash
  const b = ns.start();
  t.equal(io.now(), '1/1/1');
  b.stop();
  t.equal(io.now(), '0/0/2');
  io.values.set(ACCT, '0');
});

t.test('a reused PID (same number, other start time) is not a member', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  const a = ns.start({ pid: 50, start: '100' });
  a.kill();
  const b = ns.start({ pid: 50, start: '200' }); // the kernel gave PID 50 to a new process
  t.same(b.share.members(), [{ pid: 50, start: '200' }]);
  b.stop();
  t.equal(io.now(), '0/0/2');
});

t.test('a garbled state file is replaced with a warning; the values in place count as original', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  writeFileSync(ns.file, '{"version":1,"ns":', { mode: 0o600 });
  const a = ns.start();
  t.equal(a.guard.warnings.length, 1, 'one warning');
  t.match(a.guard.warnings[0], ns.file);
  a.stop();
  t.equal(io.now(), '0/0/2');
});

t.test('a state file garbled while one runs: the sysctls stay on (the safe side) rather than turn off under it', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  const a = ns.start();
  writeFileSync(ns.file, 'garbage');
  const b = ns.start();
  a.stop();
  t.equal(io.now(), '1/1/1', 'b still runs');
  b.stop();
  t.equal(io.now(), '1/1/1', 'originals unknown: left on');
});

t.test('untrusted state: per-instance behaviour with a warning', async (t) => {
  const uid = process.geteuid!();
  const cases: [string, (ns: ReturnType<typeof namespace>) => void, number?][] = [
    ['a state file writable by others', (ns) => {
      writeFileSync(ns.file, '{}');
      chmodSync(ns.file, 0o666);
    }],
    ['a directory writable by others', (ns) => chmodSync(ns.dir, 0o777)],
    ['a directory and file owned by another user', () => undefined, uid + 1],
  ];
  for (const [name, spoil, owner] of cases) {
    const io = fakeSysctls('0/0/2');
    const ns = namespace(t, io, { dir: join(t.testdir(), name.replace(/ /g, '-')), uid: owner });
    const first = ns.start(); // creates the directory (and shares, unless the uid is foreign)
    first.stop();
    spoil(ns);
    const a = ns.start();
    t.equal(io.now(), '1/1/1', `${name}: set anyway`);
    t.equal(a.guard.warnings.length, 1, `${name}: warned`);
    t.match(a.guard.warnings[0], /not shared/);
    a.stop();
    t.equal(io.now(), '0/0/2', `${name}: restored by the instance itself`);
  }
});

t.test('no permission (an unprivileged user): failures only, no word about sharing', async (t) => {
  const io = fakeSysctls('0/0/2', { deny: true });
  const blocker = join(t.testdir({ file: 'x' }), 'file');
  const ns = namespace(t, io, { dir: join(blocker, 'run') }); // mkdir fails: ENOTDIR
  const a = ns.start();
  t.same(a.guard.failures.map((f) => f.reason), ['EACCES', 'EACCES', 'EACCES']);
  t.same(a.guard.warnings, []);
  a.stop();
});

t.test('a lock held by a live process: a join falls back, a leave gives up, and the next instance cleans up', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  const a = ns.start();
  writeFileSync(`${ns.file}.lock`, JSON.stringify(a.ref)); // a (alive) seems to hold the lock for ever
  const b = ns.start();
  t.same(b.guard.changes, [], 'b found the values on and changed nothing');
  t.same(b.guard.warnings, [], 'so it has nothing to warn about');
  t.doesNotThrow(() => a.stop(), 'a leave that cannot lock gives up quietly');
  b.stop();
  t.equal(io.now(), '1/1/1', 'nobody could restore');
  const c = ns.start(); // the lock's holder a is gone now: the lock is broken, a's entry pruned
  t.same(c.share.members(), [c.ref]);
  c.stop();
  t.equal(io.now(), '0/0/2', 'the originals a recorded');
});

t.test('a join that fails after setting (the state cannot be written): this process restores on its own', async (t) => {
  const io = fakeSysctls('0/0/2');
  const ns = namespace(t, io);
  ns.start().stop(); // creates the directory
  mkdirSync(`${ns.file}.tmp-${process.pid}`); // the temporary file's name is taken: the write fails
  const a = ns.start();
  t.equal(io.now(), '1/1/1');
  t.match(a.guard.warnings, [/not shared.*cannot write/]);
  t.same(a.guard.failures, [], 'no failure reported twice');
  a.stop();
  t.equal(io.now(), '0/0/2');
});
