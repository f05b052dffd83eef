import t from 'tap';
import { createServer, connect, type AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InodeIndex, ProcessAttributor, type ProcFs, type SocketInfo, type SocketLookup, type SocketQuery } from '../../../lib/enrich/processes.js';

/** Real fs calls on a fake /proc tree; counts readlinks per path. */
function countingFs() {
  const readlinks = new Map<string, number>();
  const fs: ProcFs = {
    readdir: (p) => readdir(p),
    readlink: (p) => { readlinks.set(p, (readlinks.get(p) ?? 0) + 1); return readlink(p); },
    readFile: (p) => readFile(p, 'utf8'),
  };
  return { fs, readlinks };
}

async function addProc(root: string, pid: number, name: string, uid: number, fds: Record<string, string>) {
  const dir = join(root, String(pid));
  await mkdir(join(dir, 'fd'), { recursive: true });
  await writeFile(join(dir, 'comm'), `${name}\n`);
  await writeFile(join(dir, 'cmdline'), `/usr/sbin/${name}\0-g\0daemon off;\0`);
  await writeFile(join(dir, 'status'), `Name:\t${name}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  for (const [fd, target] of Object.entries(fds)) await symlink(target, join(dir, 'fd', fd));
}

const q = (sport: number): SocketQuery => ({ family: 'ipv4', protoNum: 6, src: '192.0.2.1', sport, dst: '198.51.100.1', dport: 443 });
/** A SocketLookup answering by local port. */
const lookupByPort = (table: Record<number, SocketInfo | null>): SocketLookup & { batches: number[] } => {
  const batches: number[] = [];
  return { batches, lookup: async (batch) => { batches.push(batch.length); return batch.map((x) => table[x.sport] ?? null); } };
};
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n';

t.test('labels: process, no socket, no owner, hidden, unavailable', async (t) => {
  const root = t.testdir({});
  await addProc(root, 100, 'nginx', 33, { 0: '/dev/null', 3: 'socket:[1111]' });
  await addProc(root, 200, 'sshd', 0, { 5: 'socket:[2222]', 6: 'pipe:[9]' });
  await mkdir(join(root, 'self'));
  const sockets = lookupByPort({ 1: { inode: 1111, uid: 33 }, 2: { inode: 2222, uid: 0 }, 4: { inode: 0, uid: 0 }, 5: { inode: 5555, uid: 1000 } });
  const pa = new ProcessAttributor({ sockets, fs: countingFs().fs, now: () => 0, procRoot: root, readPasswd: async () => PASSWD });
  const labels = await pa.attribute([q(1), q(2), q(3), q(4), q(5)]);
  t.same(labels, [
    { kind: 'process', pid: 100, name: 'nginx', uid: 33, user: 'www-data', cmdline: '/usr/sbin/nginx -g daemon off;' },
    { kind: 'process', pid: 200, name: 'sshd', uid: 0, user: 'root', cmdline: '/usr/sbin/sshd -g daemon off;' },
    { kind: 'no-socket' },
    { kind: 'no-owner', uid: 0 },
    { kind: 'hidden', inode: 5555, uid: 1000 },
  ]);
  t.same(sockets.batches, [5], 'one SocketLookup call per batch');
  const failing = new ProcessAttributor({ sockets: { lookup: async () => { throw Object.assign(new Error('x'), { code: 'EPERM' }); } }, fs: countingFs().fs, now: () => 0, procRoot: root });
  t.same(await failing.attribute([q(1)]), [{ kind: 'unavailable', code: 'EPERM' }]);
});

t.test('the inode index refreshes incrementally and verifies hits', async (t) => {
  const root = t.testdir({});
  await addProc(root, 100, 'a', 0, { 3: 'socket:[1111]', 4: 'socket:[1112]' });
  const { fs, readlinks } = countingFs();
  const idx = new InodeIndex(fs, root);
  await idx.refresh();
  t.equal(await idx.lookup(1111), 100);
  await addProc(root, 300, 'b', 0, { 7: 'socket:[3333]' });
  await symlink('socket:[1113]', join(root, '100', 'fd', '5'));
  const fd3 = join(root, '100', 'fd', '3');
  const before = readlinks.get(fd3);
  await idx.refresh();
  t.equal(readlinks.get(fd3), before, 'a known fd is not read again by an incremental refresh');
  t.equal(await idx.lookup(3333), 300, 'new process found');
  t.equal(await idx.lookup(1113), 100, 'new fd of a known process found');
  // fd 3 is closed and its number reused for another socket: the stale hit fails verification.
  await unlink(fd3);
  await symlink('socket:[4444]', fd3);
  t.equal(await idx.lookup(1111), undefined, 'stale entry rejected, never guessed');
  await idx.refresh();
  t.equal(await idx.lookup(4444), 100, 'a re-read of the dropped fd finds the new socket');
  await rm(join(root, '300'), { recursive: true });
  await idx.refresh();
  t.equal(await idx.lookup(3333), undefined, 'exited process dropped');
  t.ok(idx.size >= 2 && idx.size <= 3);
});

t.test('a reused fd number is found by the rate-limited deep scan', async (t) => {
  const root = t.testdir({});
  await addProc(root, 100, 'a', 0, { 3: 'socket:[1111]' });
  let now = 0;
  const sockets = lookupByPort({ 1: { inode: 1111, uid: 0 }, 2: { inode: 2222, uid: 0 } });
  const pa = new ProcessAttributor({ sockets, fs: countingFs().fs, now: () => now, procRoot: root, deepScanIntervalMs: 1000 });
  t.match(await pa.attribute([q(1)]), [{ kind: 'process', pid: 100 }]);
  // Without a verified lookup of 1111, fd 3 now holds 2222: only a deep scan re-reads it.
  await unlink(join(root, '100', 'fd', '3'));
  await symlink('socket:[2222]', join(root, '100', 'fd', '3'));
  t.match(await pa.attribute([q(2)]), [{ kind: 'process', pid: 100 }], 'first miss triggers a deep scan');
  await addProc(root, 101, 'c', 0, {});
  await unlink(join(root, '100', 'fd', '3'));
  await symlink('socket:[1111]', join(root, '100', 'fd', '3'));
  now += 10;
  t.match(await pa.attribute([q(1)]), [{ kind: 'hidden', inode: 1111 }], 'deep scan not due yet: labelled, not guessed');
  now += 1000;
  t.match(await pa.attribute([q(1)]), [{ kind: 'process', pid: 100 }], 'found once the deep scan is due');
});

t.test('the index is bounded', async (t) => {
  const root = t.testdir({});
  await addProc(root, 100, 'a', 0, { 3: 'socket:[1]', 4: 'socket:[2]', 5: 'socket:[3]' });
  const idx = new InodeIndex(countingFs().fs, root, 2);
  await idx.refresh();
  t.equal(idx.size, 2);
  t.equal(idx.overflow, 1);
});

t.test('real /proc: this process owns its sockets', async (t) => {
  const server = createServer((s) => s.end());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((res) => client.on('connect', res));
  t.teardown(() => { client.destroy(); server.close(); });
  const inodes: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/self/fd/${fd}`).catch(() => ''));
    if (m) inodes.push(Number(m[1]));
  }
  t.ok(inodes.length >= 2);
  const idx = new InodeIndex({ readdir: (p) => readdir(p), readlink: (p) => readlink(p), readFile: (p) => readFile(p, 'utf8') });
  await idx.refresh();
  for (const ino of inodes) t.equal(await idx.lookup(ino), process.pid, `socket:[${ino}]`);
});
