// The socket shim as `npm install` leaves it: patched (netlink/shim/patch-binding.mjs) and working.
// The patched build needs a compiler; without one the prebuilt shim stays and these checks are skipped.
// Opening a NETLINK_NETFILTER socket needs no privileges; the dump needs root, in a namespace of its own.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodeDumpRequest } from '../../netlink/ct-request.js';
import { NLMSG } from '../../netlink/message.js';
import { AF, NETLINK_NETFILTER } from '../../netlink/nfnetlink.js';
import { openNetlinkSocket, shimPatchLevel, shimPatched } from '../../netlink/socket.js';

const shimDir = dirname(createRequire(import.meta.url).resolve('netlink/package.json'));
const built = existsSync(join(shimDir, 'build/Release/netlink_binding.node'));

t.test('npm install patched and rebuilt the shim (every patch)', { skip: built ? false : 'no patched build (no compiler at install)' }, async (t) => {
  t.equal(shimPatchLevel(), 4, 'overflow-safe, SO_RCVBUFFORCE, the reused receive buffer, batches, read-ahead');
  t.ok(shimPatched());
});

t.test('fixed-size reads: each datagram is a view of one reused buffer, valid during the callback', {
  skip: !built ? 'no patched build' : process.getuid?.() !== 0 ? 'needs root (a dump in a fresh namespace)' : false,
}, async (t) => {
  // A child in a fresh network namespace: a dump of an empty table is one datagram (DONE); two dumps must
  // arrive in the same ArrayBuffer, each datagram intact when it is read.
  const script = `
    import { openNetlinkSocket } from ${JSON.stringify(new URL('../../dist/netlink/socket.js', import.meta.url).href)};
    import { encodeDumpRequest } from ${JSON.stringify(new URL('../../dist/netlink/ct-request.js', import.meta.url).href)};
    const buffers = new Set(); let n = 0; const types = [];
    let done;
    const sock = openNetlinkSocket(12, {
      onDatagram(d) { buffers.add(d.buffer); n++; types.push(new DataView(d.buffer, d.byteOffset).getUint16(4, true)); done?.(); },
      onError(e) { console.error(e.message); process.exit(3); },
    }, { recvChunkBytes: 32768 });
    for (let i = 0; i < 2; i++) {
      const got = new Promise((r) => (done = r));
      await sock.send(encodeDumpRequest(100 + i, { family: 0 }));
      await got;
    }
    sock.close();
    console.log(JSON.stringify({ n, buffers: buffers.size, types }));`;
  const r = spawnSync('unshare', ['-n', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n: number; buffers: number; types: number[] };
  t.equal(out.n, 2, 'one datagram per dump of an empty table');
  t.same(out.types, [NLMSG.DONE, NLMSG.DONE], 'each read while it was current');
  t.equal(out.buffers, 1, 'both datagrams in the same ArrayBuffer');
});

t.test('batches (readDelayMs): datagrams queued together arrive in one read, each intact; drain() reads at once', {
  skip: !built ? 'no patched build' : process.getuid?.() !== 0 ? 'needs root (dumps in a fresh namespace)' : false,
}, async (t) => {
  // Three dumps of an empty table (one DONE datagram each) are queued while the socket pauses after the
  // first read; drain() then reads the other two in one batch, synchronously, in order.
  const script = `
    import { openNetlinkSocket } from ${JSON.stringify(new URL('../../dist/netlink/socket.js', import.meta.url).href)};
    import { encodeDumpRequest } from ${JSON.stringify(new URL('../../dist/netlink/ct-request.js', import.meta.url).href)};
    const seqs = []; const buffers = new Set();
    let first;
    const sock = openNetlinkSocket(12, {
      onDatagram(d) { buffers.add(d.buffer); const v = new DataView(d.buffer, d.byteOffset, d.byteLength); seqs.push(v.getUint16(4, true) === 3 && v.getUint32(0, true) === d.byteLength ? v.getUint32(8, true) : -1); first?.(); },
      onError(e) { console.error(e.message); process.exit(3); },
    }, { recvChunkBytes: 32768, readDelayMs: 1000 });
    const got = new Promise((r) => (first = r));
    await sock.send(encodeDumpRequest(100, { family: 0 }));
    await got;
    first = undefined;
    await sock.send(encodeDumpRequest(101, { family: 0 }));
    await sock.send(encodeDumpRequest(102, { family: 0 }));
    await new Promise((r) => setTimeout(r, 50));
    const before = seqs.length;
    const drained = sock.drain();
    console.log(JSON.stringify({ batched: sock.batched, drained, before, seqs, buffers: buffers.size }));
    sock.close();`;
  const r = spawnSync('unshare', ['-n', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { batched: boolean; drained: boolean; before: number; seqs: number[]; buffers: number };
  t.ok(out.batched && out.drained, 'batched, and drain() could read');
  t.equal(out.before, 1, 'polling paused after the first read (the delay is 1 s)');
  t.same(out.seqs, [100, 101, 102], 'every DONE datagram whole, in order');
  t.equal(out.buffers, 1, 'one reused buffer');
});

t.test('read-ahead: a dump of thousands of entries arrives whole and in order through the thread; a close mid-dump is clean', {
  skip: !built ? 'no patched build' : process.getuid?.() !== 0 ? 'needs root (flows in a fresh namespace)' : false,
}, async (t) => {
  // 3,000 entries (about 30 datagrams, so many batches of the double buffer) made by the storm helper in a
  // fresh namespace. Then: a whole dump, every message checked against its header and counted; a second dump
  // closed from its first datagram's callback, while the thread may be inside recvmsg; and a socket closed
  // right after its request. None may crash, leak its descriptor, or deliver after the close.
  const script = `
    import { openNetlinkSocket } from ${JSON.stringify(new URL('../../dist/netlink/socket.js', import.meta.url).href)};
    import { encodeDumpRequest } from ${JSON.stringify(new URL('../../dist/netlink/ct-request.js', import.meta.url).href)};
    import { readdirSync } from 'node:fs';
    const fds = () => readdirSync('/proc/self/fd').length;
    const fds0 = fds();
    const walk = (d, out) => {
      const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
      for (let off = 0; off + 16 <= d.byteLength;) {
        const len = v.getUint32(off, true);
        if (len < 16 || off + len > d.byteLength) { out.bad++; return; }
        const type = v.getUint16(off + 4, true);
        if (type === 3) out.done++; else if (type === 2) out.errors++; else { out.entries++; if (v.getUint32(off + 8, true) !== out.seq) out.bad++; }
        off += (len + 3) & ~3;
      }
    };
    const whole = { seq: 7, entries: 0, done: 0, errors: 0, bad: 0, datagrams: 0, buffers: new Set() };
    let end;
    const a = openNetlinkSocket(12, {
      onDatagram(d) { whole.datagrams++; whole.buffers.add(d.buffer); walk(d, whole); if (whole.done) end?.(); },
      onError(e) { console.error(e.message); process.exit(3); },
    }, { recvChunkBytes: 32768, readAhead: true });
    const finished = new Promise((r) => (end = r));
    await a.send(encodeDumpRequest(7, { family: 0 }));
    await finished;
    a.close();
    let after = 0, closed = false;
    const b = openNetlinkSocket(12, {
      onDatagram() { if (closed) after++; else { closed = true; b.close(); } },
      onError(e) { console.error(e.message); process.exit(3); },
    }, { recvChunkBytes: 32768, readAhead: true });
    await b.send(encodeDumpRequest(8, { family: 0 }));
    const c = openNetlinkSocket(12, { onDatagram() { after++; }, onError() {} }, { recvChunkBytes: 32768, readAhead: true });
    await c.send(encodeDumpRequest(9, { family: 0 }));
    c.close();
    await new Promise((r) => setTimeout(r, 300));
    console.log(JSON.stringify({ ...whole, buffers: whole.buffers.size, closedOnFirst: closed, after, fdsLeft: fds() - fds0 }));`;
  const storm = new URL('../helpers/storm.mjs', import.meta.url).pathname;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && "$0" "$1" 3000 3000 200 >/dev/null && "$0" --input-type=module -e "$2"', process.execPath, storm, script], { encoding: 'utf8', timeout: 60000 });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entries: number; done: number; errors: number; bad: number; datagrams: number; buffers: number; closedOnFirst: boolean; after: number; fdsLeft: number };
  t.equal(out.entries, 3000, 'every entry, each message whole and of this dump');
  t.same([out.done, out.errors, out.bad], [1, 0, 0], 'one DONE at the end, no error, nothing torn');
  t.ok(out.datagrams > 16, `many datagrams (${out.datagrams}), so many batches`);
  t.equal(out.buffers, 2, 'two buffers, read in turn (double-buffered)');
  t.ok(out.closedOnFirst, 'the second dump was closed from its first datagram');
  t.equal(out.after, 0, 'nothing delivered after a close');
  t.equal(out.fdsLeft, 0, 'every descriptor closed, also those closed while the thread read');
});

t.test('without readDelayMs a socket reads as before and cannot drain', async (t) => {
  const s = openNetlinkSocket(NETLINK_NETFILTER, { onDatagram: () => undefined, onError: () => undefined }, { recvChunkBytes: 32768 });
  t.notOk(s.batched);
  t.equal(s.drain?.(), false);
  s.close();
});

t.test('sockets open without privileges and close', async (t) => {
  const s = openNetlinkSocket(NETLINK_NETFILTER, { onDatagram: () => undefined, onError: () => undefined }, { recvChunkBytes: 32768 });
  t.type(s.portId, 'number');
  s.close();
  t.ok(encodeDumpRequest(1, { family: AF.UNSPEC }).byteLength > 0);
});
