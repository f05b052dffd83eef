// Real kernel: `conntop --events` turns on nf_conntrack_acct, _timestamp and _events=1 in its network
// namespace while it runs, and puts them back when it is stopped by SIGINT, SIGTERM or SIGHUP (exit code
// 128 + signal number). With --no-sysctl it leaves them alone. Each case uses a fresh namespace.
import t from 'tap';
import { createNetns, needRootAnd } from '../helpers/netns.js';
import { ctSysctls, startEvents } from '../helpers/events-child.js';

const skip = needRootAnd('conntrack');
const SIGNO = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const FRESH = '0/0/2';

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
