// lib/sysctl-share.ts on its own: the state file's place, mode and content, what parseState refuses, and that
// leave() calls restore only for the last member (the sysctl rules themselves are in sysctl.test.ts).
import t from 'tap';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SysctlShare, parseState } from '../../lib/sysctl-share.js';
import type { ProcessRef } from '../../lib/process-identity.js';

function share(dir: string, me: ProcessRef, live: Set<number>): SysctlShare {
  return new SysctlShare({ dir, nsKey: () => 'net-1-2', processes: { self: () => me, alive: (p) => live.has(p.pid) } });
}

t.test('join writes a 0600 file in a 0700 directory; the last leave restores and deletes it', async (t) => {
  const dir = join(t.testdir(), 'run', 'conntop');
  const live = new Set([1, 2]);
  const a = share(dir, { pid: 1, start: 's' }, live);
  const b = share(dir, { pid: 2, start: 's' }, live);
  a.join((c) => c.push({ name: 'x', before: '0', after: '1' }));
  b.join((c) => t.same(c, [{ name: 'x', before: '0', after: '1' }], 'b sees what a recorded'));
  t.equal(a.file, join(dir, 'sysctl-net-1-2.json'));
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.equal(statSync(a.file).mode & 0o777, 0o600);
  t.same(parseState(readFileSync(a.file, 'utf8'))?.members, [{ pid: 1, start: 's' }, { pid: 2, start: 's' }]);
  const restored: unknown[] = [];
  a.leave((c) => restored.push(c));
  t.same(restored, [], 'b remains');
  b.leave((c) => restored.push(...c));
  t.same(restored, [{ name: 'x', before: '0', after: '1' }]);
  t.notOk(existsSync(a.file));
});

t.test('parseState refuses what is not a version-1 state', async (t) => {
  const good = { version: 1, ns: 'n', changes: [{ name: 'a', before: '0', after: '1' }], members: [{ pid: 3, start: '4' }] };
  t.same(parseState(JSON.stringify(good)), good);
  for (const bad of ['', '{', 'null', '[]', JSON.stringify({ ...good, version: 2 }), JSON.stringify({ ...good, changes: [{ name: 'a' }] }), JSON.stringify({ ...good, members: [{ pid: -1, start: '4' }] })]) {
    t.equal(parseState(bad), null, bad);
  }
});

t.test('a directory that cannot be made: SHARE_IO', async (t) => {
  const file = join(t.testdir({ f: '' }), 'f');
  const s = share(join(file, 'sub'), { pid: 1, start: 's' }, new Set([1]));
  t.throws(() => s.join(() => undefined), { code: 'SHARE_IO' });
});

t.test('a foreign owner: SHARE_UNTRUSTED', async (t) => {
  const s = new SysctlShare({ dir: t.testdir(), nsKey: () => 'k', uid: process.geteuid!() + 1 });
  t.throws(() => s.join(() => undefined), { code: 'SHARE_UNTRUSTED' });
});
