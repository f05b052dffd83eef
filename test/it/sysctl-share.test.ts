// Real kernel: several `conntop --events` in one network namespace share its sysctls (lib/sysctl-share.ts).
// Stopped by SIGTERM in every order, the sysctls stay on until the last one stops, which restores the values the
// first one found; SIGKILLed ones stop counting, and their recorded originals outlive them. The children keep
// their state in a test-private $CONNTOP_RUN_DIR, never the host's /run/conntop. Each case has its own namespace.
import t from 'tap';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { ctSysctls, setCtSysctls, startEvents, type EventsChild } from '../helpers/events-child.js';

const skip = needRootAnd('conntrack');
const RUN_DIR = t.testdir();
const ARGS = ['--events', '-d', '0.5', '-n', '--no-geoip', '--no-processes'];
// Generous: a loaded 2-core machine starts a dozen node processes slowly; this is a failure deadline only.
const READY_MS = 60_000;

/** The PIDs the namespace's state file lists now (none when there is no file). */
function members(ns: Netns): number[] {
  const inode = ns.exec('stat', ['-L', '-c', '%i', '/proc/self/ns/net']).trim();
  const file = readdirSync(RUN_DIR).find((f) => f.startsWith('sysctl-net-') && f.endsWith(`-${inode}.json`));
  if (!file) return [];
  return (JSON.parse(readFileSync(join(RUN_DIR, file), 'utf8')) as { members: { pid: number }[] }).members.map((m) => m.pid).sort();
}

/** Starts `n` instances; each is ready once it printed a stats line (its sysctls are set before that). */
async function startMany(ns: Netns, n: number, runDir = RUN_DIR): Promise<EventsChild[]> {
  const evs = Array.from({ length: n }, () => startEvents(ns, ARGS, { CONNTOP_RUN_DIR: runDir }));
  await Promise.all(evs.map((ev) => ev.waitFor('first stats line', () => ev.table.statsLines >= 1, READY_MS)));
  return evs;
}

/** Stops (SIGTERM) or kills (SIGKILL) `ev` and waits for its exit; returns the exit code, or the signal. */
async function end(ev: EventsChild, sig: 'SIGTERM' | 'SIGKILL'): Promise<number | string | null> {
  process.kill(ev.child.pid!, sig);
  const { code, signal } = await ev.exited;
  return code ?? signal;
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Runs `jobs` at most `width` at a time (a few namespaces side by side keep the file within the runner's timeout). */
async function inBatches(width: number, jobs: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += width) await Promise.all(jobs.slice(i, i + width).map((j) => j()));
}

for (const [n, start] of [[2, '0/0/2'], [3, '0/0/0']] as const) {
  t.test(`${n} instances from ${start}, stopped in every order: only the last one restores`, { skip }, async (t) => {
    await inBatches(3, permutations([...Array(n).keys()]).map((order) => async () => {
      const ns = createNetns(t, 'share');
      setCtSysctls(ns, start);
      const evs = await startMany(ns, n);
      t.equal(ctSysctls(ns), '1/1/1', `order ${order}: on while they run`);
      t.same(members(ns), evs.map((e) => e.child.pid!).sort(), `order ${order}: all are members`);
      for (const [k, i] of order.entries()) {
        t.equal(await end(evs[i], 'SIGTERM'), 143, `order ${order}: #${i} exits 143`);
        const left = n - k - 1;
        t.equal(ctSysctls(ns), left > 0 ? '1/1/1' : start, `order ${order}: after #${i} stopped, ${left} left`);
      }
      t.same(members(ns), [], `order ${order}: the state file is gone`);
      for (const ev of evs) t.equal(ev.stderr(), '', `order ${order}: nothing on stderr`);
    }));
  });
}

t.test('one of three SIGKILLed: it stops counting, and the last of the others restores', { skip }, async (t) => {
  const ns = createNetns(t, 'share');
  setCtSysctls(ns, '0/0/2');
  const evs = await startMany(ns, 3);
  t.equal(await end(evs[1], 'SIGKILL'), 'SIGKILL');
  t.equal(ctSysctls(ns), '1/1/1', 'still on');
  await end(evs[0], 'SIGTERM');
  t.equal(ctSysctls(ns), '1/1/1', 'one left: still on');
  t.same(members(ns), [evs[2].child.pid], 'the killed one was pruned');
  await end(evs[2], 'SIGTERM');
  t.equal(ctSysctls(ns), '0/0/2', 'the last one restores');
});

t.test('all SIGKILLed: the next instance keeps the real originals, not the values they left', { skip }, async (t) => {
  const ns = createNetns(t, 'share');
  setCtSysctls(ns, '0/1/0');
  for (const ev of await startMany(ns, 2)) await end(ev, 'SIGKILL');
  t.equal(ctSysctls(ns), '1/1/1', 'left changed by the crashes');
  const [next] = await startMany(ns, 1);
  t.same(members(ns), [next.child.pid], 'the dead members are pruned');
  t.equal(await end(next, 'SIGTERM'), 143);
  t.equal(ctSysctls(ns), '0/1/0', 'the values found before the crashes');
});

t.test('a state directory writable by others is not trusted: restores alone, with a warning', { skip }, async (t) => {
  const ns = createNetns(t, 'share');
  setCtSysctls(ns, '0/0/2');
  const dir = join(t.testdir(), 'open');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const [ev] = await startMany(ns, 1, dir);
  t.equal(ctSysctls(ns), '1/1/1', 'set anyway');
  t.equal(await end(ev, 'SIGTERM'), 143);
  t.equal(ctSysctls(ns), '0/0/2', 'restored by itself');
  t.match(ev.stderr(), /^conntop: warning: sysctls not shared with other conntop instances \(.*open is not a directory owned by uid 0/m);
  t.same(readdirSync(dir), [], 'nothing written there');
});
