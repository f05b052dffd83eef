// Real kernel: `conntop --events` turns on nf_conntrack_acct, _timestamp and _events=1 in its network
// namespace while it runs, and puts them back when it is stopped by SIGINT, SIGTERM or SIGHUP (exit code
// 128 + signal number). With --no-sysctl it leaves them alone. Each case uses a fresh namespace, and the
// child keeps its shared state in a test-private $CONNTOP_RUN_DIR, never the host's /run/conntop (several
// instances sharing the sysctls: sysctl-share.test.ts).
import t from 'tap';
import { createNetns, needRootAnd, type Netns } from '../helpers/netns.js';
import { ctSysctls, setCtSysctls, startEvents as startIn, type EventsChild } from '../helpers/events-child.js';

const skip = needRootAnd('conntrack');
const SIGNO = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const FRESH = '0/0/2';
const env = { CONNTOP_RUN_DIR: t.testdir() };
const startEvents = (ns: Netns, args: readonly string[]): EventsChild => startIn(ns, args, env);
const prepare = (ns: Netns): void => setCtSysctls(ns, FRESH);

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

// Values already on are kept after exit (only what conntop changed is put back); events=0 is turned on too.
for (const [found, why] of [['1/0/1', 'values already set are kept after exit'], ['0/0/0', 'events=0 is turned on like the others and put back']]) {
  t.test(why, { skip }, async (t) => {
    const ns = createNetns(t, 'sysctl');
    setCtSysctls(ns, found);
    const ev = startEvents(ns, ['--events', '-d', '0.5']);
    await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
    t.equal(ctSysctls(ns), '1/1/1', 'set while running');
    process.kill(ev.child.pid!, 'SIGTERM');
    t.equal((await ev.exited).code, 143, 'exit code 143');
    t.equal(ctSysctls(ns), found, 'restored after exit');
    t.equal(ev.stderr(), '', 'nothing on stderr');
  });
}

t.test('events=0 with --no-sysctl: says that no events will arrive', { skip }, async (t) => {
  const ns = createNetns(t, 'sysctl');
  ns.sysctl('net.netfilter.nf_conntrack_events', 0);
  const ev = startEvents(ns, ['--events', '-d', '0.5', '--no-sysctl']);
  await ev.waitFor('first stats line', () => ev.table.statsLines >= 1, 10_000);
  process.kill(ev.child.pid!, 'SIGTERM');
  await ev.exited;
  t.match(ev.stderr(), /nf_conntrack_events is 0, so no events will arrive/);
});
