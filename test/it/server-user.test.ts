// Real kernel, in a throw-away network namespace: `conntopd --user nobody`. The process serving clients runs
// as that user (its /proc status), the root process only relays the netlink sockets and the sysctls; clients
// still hold exactly what `conntrack -L` lists after refreshes; SIGTERM to the root restores the sysctls.
// The server runs from a copy the user can read (test/helpers/unprivileged.ts). Deadlines only bound failures.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createNetns, needRootAnd } from '../helpers/netns.js';
import { oracle, sortedKeys, startEvents } from '../helpers/events-child.js';
import { until } from '../helpers/serve-harness.js';
import { NOBODY, unprivilegedCli } from '../helpers/unprivileged.js';

const skip = needRootAnd('conntrack', 'ss');
const root = resolve(import.meta.dirname, '../..');
const PORT = 55555; // a namespace of our own: the default port is free

function status(pid: number, key: string): string {
  return /^(\w+):\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2].trim() ?? '';
}

t.test('--user: the server runs as the user, clients stay exact, SIGTERM restores the sysctls', { skip }, async (t) => {
  const copy = unprivilegedCli(t, root);
  if (typeof copy === 'string') {
    t.comment(`skipped: ${copy}`);
    return;
  }
  const conntopd = join(dirname(copy.cli), 'conntopd.js');
  const ns = createNetns(t, 'user');
  const ts = (): string => ns.exec('sysctl', ['-n', 'net.netfilter.nf_conntrack_timestamp']).trim();
  const add = (from: number, n: number): void => {
    for (let i = from; i < from + n; i++) ns.exec('conntrack', ['-I', '-p', 'udp', '-s', `10.9.0.${i}`, '-d', '10.8.0.1', '--sport', String(1000 + i), '--dport', '53', '-t', '300', '-u', 'ASSURED']);
  };
  add(1, 20);
  // `env -i`: tap's process hooks put NODE_OPTIONS into any env it is given, and the forked user child cannot
  // read tap's hooks in a checkout only root may enter (a 0700 folder, like /root).
  const d = ns.spawn('env', ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, process.execPath, conntopd, '--user', String(NOBODY.uid), '-p', String(PORT), '-d', '0.3']);
  t.teardown(() => { d.kill('SIGKILL'); });
  let err = '';
  d.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await until(() => /listening on 127\.0\.0\.1/.test(err) || d.exitCode !== null, `conntopd to listen (${err})`, 20000);
  t.equal(d.exitCode, null, err);
  const pid = Number(ns.exec('sh', ['-c', `ss -Hltnp 'sport = :${PORT}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`]).trim());
  t.not(pid, d.pid, 'the listening process is not the root one');
  t.equal(status(pid, 'Uid').split(/\s+/)[0], String(NOBODY.uid), 'the serving process runs as the user (real uid)');
  t.same(status(pid, 'Uid').split(/\s+/), Array(4).fill(String(NOBODY.uid)), 'real, effective, saved and file-system uids');
  t.same(status(pid, 'Gid').split(/\s+/), Array(4).fill(String(NOBODY.gid)), 'and its gids');
  t.equal(status(pid, 'Groups'), '', 'no supplementary groups');
  t.equal(status(pid, 'CapEff'), '0000000000000000', 'no capabilities');
  t.equal(status(d.pid!, 'Uid').split(/\s+/)[1], '0', 'the relaying process is root');
  t.equal(ts(), '0', 'asleep: sysctls untouched');

  const ev = startEvents(ns, ['-c', `127.0.0.1:${PORT}`, '--events']);
  t.teardown(() => { ev.child.kill('SIGKILL'); });
  let seen = -1;
  const exact = (): boolean => {
    if (ev.table.statsLines === seen) return false;
    seen = ev.table.statsLines;
    const want = sortedKeys(oracle(ns));
    const got = sortedKeys(ev.table.open);
    return want.length === got.length && want.every((k, i) => k === got[i]);
  };
  await ev.waitFor('the client to equal conntrack -L', exact, 20000);
  t.equal(ev.table.open.size, 20);
  t.equal(ts(), '1', 'awake: the root turned the sysctls on for the user process');
  add(100, 30);
  ns.exec('conntrack', ['-D', '-s', '10.9.0.5']);
  await ev.waitFor('the client to equal conntrack -L after changes and refreshes', exact, 20000);
  t.equal(ev.table.open.size, 49);

  d.kill('SIGTERM');
  await until(() => d.exitCode !== null, 'the root process to exit', 15000);
  t.equal(d.exitCode, 0, 'a clean exit');
  t.equal(ts(), '0', 'the sysctls restored');
  t.throws(() => readFileSync(`/proc/${pid}/status`), 'the user process is gone too');
});
