// Tests for lib/kernel/privsep.ts: the root relays only conntrack dump and statistics requests, byte for byte
// checked; a refused request never reaches a socket; datagrams and errors come back to the child's handlers.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { encodeDeleteRequest, encodeDumpRequest, encodeGetRequest, encodeStatsCpuRequest, encodeStatsRequest } from '../../../netlink/ct-request.js';
import { SocketError } from '../../../netlink/errors.js';
import type { NetlinkSocket, SocketHandlers } from '../../../netlink/socket.js';
import { RootRelay, checkRequest, relayOpener } from '../../../lib/kernel/privsep.js';

const tuple = { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };

t.test('checkRequest: dumps and statistics pass; anything that changes or reads otherwise is refused', async (t) => {
  t.equal(checkRequest(encodeDumpRequest(7)), null, 'a dump');
  t.equal(checkRequest(encodeDumpRequest(7, { family: 2, mark: 1, markMask: 0xff, zone: 3 })), null, 'a filtered dump');
  t.equal(checkRequest(encodeStatsRequest(8)), null, 'table statistics');
  t.not(checkRequest(encodeDumpRequest(7, {}, true)), null, 'a dump that zeroes counters');
  t.not(checkRequest(encodeDeleteRequest(9, 2, 17, tuple)), null, 'a delete');
  t.not(checkRequest(encodeGetRequest(9, 2, 17, tuple)), null, 'a single get (not a dump)');
  t.not(checkRequest(encodeStatsCpuRequest(9)), null, 'per-CPU statistics');
  const two = new Uint8Array([...encodeDumpRequest(1), ...encodeDumpRequest(2)]);
  t.not(checkRequest(two), null, 'two messages in one send');
  const lying = encodeDumpRequest(1).slice();
  new DataView(lying.buffer).setUint32(0, 1000, true);
  t.not(checkRequest(lying), null, 'a length that is not the data\'s');
  t.not(checkRequest('x'), null, 'not bytes');
  t.not(checkRequest(new Uint8Array(4096)), null, 'too long');
});

/** Both ends of an IPC channel, in process. */
function channelPair(): { root: EventEmitter & { send(m: unknown): boolean }; child: EventEmitter & { send(m: unknown): boolean } } {
  const root = new EventEmitter() as EventEmitter & { send(m: unknown): boolean };
  const child = new EventEmitter() as EventEmitter & { send(m: unknown): boolean };
  root.send = (m) => { queueMicrotask(() => child.emit('message', structuredClone(m))); return true; };
  child.send = (m) => { queueMicrotask(() => root.emit('message', structuredClone(m))); return true; };
  return { root, child };
}

t.test('the relay: requests checked, datagrams and errors back to the child, sysctls asked for', async (t) => {
  const { root, child } = channelPair();
  const sent: Uint8Array[] = [];
  let handlers: SocketHandlers | undefined;
  const sysctls: boolean[] = [];
  const logs: string[] = [];
  const relay = new RootRelay(root, {
    sysctls: (on) => sysctls.push(on), log: (m) => logs.push(m),
    openSocket: (_p, h, o) => {
      handlers = h;
      t.same(o, { recvChunkBytes: 32768, readAhead: true }, 'a request socket, read ahead (shim v4)');
      return { portId: 1, send: async (d) => void sent.push(d), joinGroup: () => undefined, setReceiveBuffer: (b) => b * 2, close: () => undefined } satisfies NetlinkSocket;
    },
  });
  const open = relayOpener(child);
  const got: Uint8Array[] = [];
  const errors: SocketError[] = [];
  const sock = open(12, { onDatagram: (d) => got.push(d), onError: (e) => errors.push(e) }, { recvChunkBytes: 32768 });
  await sock.send(encodeDumpRequest(3));
  await sock.send(encodeDeleteRequest(4, 2, 17, tuple));
  await new Promise((r) => setTimeout(r, 10));
  t.equal(relay.socketCount, 1);
  t.equal(sent.length, 1, 'only the dump reached the socket');
  t.equal(errors[0]?.code, 'EPERM', 'the delete came back refused');
  t.match(logs.join('\n'), /refused a request/);
  handlers!.onDatagram(new Uint8Array([1, 2, 3]));
  handlers!.onError(new SocketError('recvmsg', 'ENOBUFS', 105));
  (child.send as (m: unknown) => boolean)({ op: 'sysctls', on: true });
  await new Promise((r) => setTimeout(r, 10));
  t.same(got.map((d) => [...d]), [[1, 2, 3]], 'a datagram back');
  t.equal(errors[1]?.code, 'ENOBUFS', 'an overflow back');
  t.same(sysctls, [true]);
  t.throws(() => open(4, { onDatagram: () => undefined, onError: () => undefined }), { code: 'EPROTONOSUPPORT' }, 'only netfilter sockets');
  sock.close();
  await new Promise((r) => setTimeout(r, 10));
  t.equal(relay.socketCount, 0, 'closed at the root');
});
