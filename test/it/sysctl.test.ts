// Real kernel: `conntop --events` turns on nf_conntrack_acct, _timestamp and _events=1 in its network
// namespace while it runs, and puts them back when it is stopped by SIGINT, SIGTERM or SIGHUP (exit code
// 128 + signal number). With --no-sysctl it leaves them alone. Each case uses a fresh namespace, and the
// children share state through a test-private $CONNTOP_RUN_DIR, never the host's /run/conntop.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { CLI, ctSysctls, followEvents, type EventsChild } from '../helpers/events-child.js';

const skip = needRootAnd('conntrack');
const SIGNO = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const FRESH = '0/0/2';
const RUN_DIR = join(t.testdir(), 'run');

/** `conntop ARGS` in `ns`, sharing its sysctl state through RUN_DIR. */
function startEvents(ns: Netns, args: readonly string[]): EventsChild {
  return followEvents(ns.spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CONNTOP_RUN_DIR: RUN_DIR } }));
}

function prepare(ns: ReturnType<typeof createNetns>): void {
  ns.sysctl('net.netfilter.nf_conntrack_acct', 0);
  ns.sysctl('net.netfilter.nf_conntrack_timestamp', 0);
  ns.sysctl('net.netfilter.nf_conntrack_events', 2);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  t.test(`${sig}: sysctls on while running, restored on exit`, { skip }, async (t) => {
    const ns = createNetns(t, 'sysctl');
    prepare(ns);
    t.equal(ctSysctls(ns), FRESH, 'starting values (acct/timestamp/events)');
    const ev = startEvents(ns, ['--events', '-d', '0.5']);
    await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
    t.equal(ctSysctls(ns), '1/1/1', 'set while running');
    process.kill(ev.child.pid!, sig);
    const { code, signal } = await ev.exited;
    t.same({ code, signal }, { code: 128 + SIGNO[sig], signal: null }, `exit code 128 + ${SIGNO[sig]}`);
    t.equal(ctSysctls(ns), FRESH, 'restored after exit');
    t.equal(ev.stderr(), '', 'nothing on stderr');
  });
}

t.test('--no-sysctl leaves them alone', { skip }, async (t) => {
  const ns = createNetns(t, 'sysctl');
  prepare(ns);
  const ev = startEvents(ns, ['--events', '-d', '0.5', '--no-sysctl']);
  await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
  t.equal(ctSysctls(ns), FRESH, 'unchanged while running');
  process.kill(ev.child.pid!, 'SIGINT');
  const { code } = await ev.exited;
  t.equal(code, 130, 'exit code 130');
  t.equal(ctSysctls(ns), FRESH, 'unchanged after exit');
  t.match(ev.stderr(), /nf_conntrack_acct is 0/, 'says that flows carry no counters');
});

t.test('values already set are kept after exit', { skip }, async (t) => {
  const ns = createNetns(t, 'sysctl');
  ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
  ns.sysctl('net.netfilter.nf_conntrack_timestamp', 0);
  ns.sysctl('net.netfilter.nf_conntrack_events', 1);
  const ev = startEvents(ns, ['--events', '-d', '0.5']);
  await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
  t.equal(ctSysctls(ns), '1/1/1', 'set while running');
  process.kill(ev.child.pid!, 'SIGTERM');
  t.equal((await ev.exited).code, 143, 'exit code 143');
  t.equal(ctSysctls(ns), '1/0/1', 'only the value conntop changed is put back');
});

t.test('events=0 with --no-sysctl: says that no events will arrive', { skip }, async (t) => {
  const ns = createNetns(t, 'sysctl');
  ns.sysctl('net.netfilter.nf_conntrack_events', 0);
  const ev = startEvents(ns, ['--events', '-d', '0.5', '--no-sysctl']);
  await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
  process.kill(ev.child.pid!, 'SIGTERM');
  await ev.exited;
  t.match(ev.stderr(), /nf_conntrack_events is 0, so no events will arrive/);
});

// Several instances in one namespace share the sysctls: the last one to stop restores them.

/** The PIDs the namespace's state file lists now (none when there is no file). */
function members(ns: Netns): number[] {
  const inode = ns.exec('stat', ['-L', '-c', '%i', '/proc/self/ns/net']).trim();
  const file = readdirSync(RUN_DIR).find((f) => f.startsWith('sysctl-net-') && f.endsWith(`-${inode}.json`));
  if (!file) return [];
  return (JSON.parse(readFileSync(join(RUN_DIR, file), 'utf8')) as { members: { pid: number }[] }).members.map((m) => m.pid).sort();
}

/** Starts `n` instances, each ready once it printed a stats line (its sysctls are set before that). */
async function startMany(ns: Netns, n: number): Promise<EventsChild[]> {
  const evs = Array.from({ length: n }, () => startEvents(ns, ['--events', '-d', '0.2', '-n', '--no-geoip', '--no-processes']));
  await Promise.all(evs.map((ev) => ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 30_000)));
  return evs;
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Stops (SIGTERM) or kills (SIGKILL) `ev` and waits for its exit; returns the exit code or signal. */
async function end(ev: EventsChild, sig: 'SIGTERM' | 'SIGKILL'): Promise<number | string | null> {
  process.kill(ev.child.pid!, sig);
  const { code, signal } = await ev.exited;
  return code ?? signal;
}

// Each count's orders run side by side, one namespace each, to keep the file within the runner's timeout.
for (const [n, start] of [[2, FRESH], [3, '0/0/0']] as const) {
  t.test(`${n} instances from ${start}, stopped in every order: only the last one restores`, { skip }, async (t) => {
    await Promise.all(permutations([...Array(n).keys()]).map(async (order) => {
      const ns = createNetns(t, 'share');
      const [acct, ts, events] = start.split('/');
      ns.sysctl('net.netfilter.nf_conntrack_acct', acct);
      ns.sysctl('net.netfilter.nf_conntrack_timestamp', ts);
      ns.sysctl('net.netfilter.nf_conntrack_events', events);
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

t.test('SIGKILL: a killed instance stops counting, and the originals survive the last one killed', { skip }, async (t) => {
  await Promise.all([
    (async () => {
      // Three run; the middle one is killed; the other two stop in turn.
      const ns = createNetns(t, 'share');
      prepare(ns);
      const evs = await startMany(ns, 3);
      t.equal(await end(evs[1], 'SIGKILL'), 'SIGKILL');
      t.equal(ctSysctls(ns), '1/1/1', 'killed one of three: still on');
      await end(evs[0], 'SIGTERM');
      t.equal(ctSysctls(ns), '1/1/1', 'one left: still on');
      t.same(members(ns), [evs[2].child.pid], 'the killed one was pruned');
      await end(evs[2], 'SIGTERM');
      t.equal(ctSysctls(ns), FRESH, 'the last one restores');
    })(),
    (async () => {
      // Two run, both killed: the values stay changed; the next instance finds the real originals and restores them.
      const ns = createNetns(t, 'share');
      prepare(ns);
      const evs = await startMany(ns, 2);
      for (const ev of evs) await end(ev, 'SIGKILL');
      t.equal(ctSysctls(ns), '1/1/1', 'left changed by the crashes');
      const [next] = await startMany(ns, 1);
      t.same(members(ns), [next.child.pid], 'the dead members are pruned');
      t.equal(await end(next, 'SIGTERM'), 143);
      t.equal(ctSysctls(ns), FRESH, 'the values found before the crashes, not those they left');
    })(),
  ]);
});
