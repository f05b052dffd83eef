// Test helper (not a test): runs INSIDE a throw-away netns (`ip netns exec`), opens TCP/UDP sockets on loopback,
// queries them with our inet_diag codec over the npm `netlink` binding, and prints one JSON report on stdout.
// Imports netlink/ and node: builtins only. With argv[2] = path it also writes the exchange as a fixture file.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { IPPROTO } from '../../netlink/ct-attrs.js';
import { HOST_IS_LE } from '../../netlink/reader.js';
import { TCP_STATE, decodeInetDiagReply, encodeInetDiagReq, exactLookupFor, type InetDiagReq } from '../../netlink/sock-diag.js';

interface RawSocket {
  on(ev: 'message', cb: (msg: Buffer) => void): void;
  send(buf: Uint8Array, opts: { port: number }, cb?: (err?: Error) => void): void;
  close(): void;
}
const { RawNetlinkSocket } = createRequire(import.meta.url)('netlink/dist/raw') as {
  RawNetlinkSocket: new (protocol: number, opts: object) => RawSocket;
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const json = (v: unknown): string => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : k === 'skipped' ? Object.fromEntries(x.counts) : x));

const diag = new RawNetlinkSocket(4, { recvBufferSize: 1 << 20, sendBufferSize: 1 << 16 });
const exchange: { direction: 'out' | 'in'; hex: string }[] = [];
let waiter: ((b: Buffer) => void) | undefined;
diag.on('message', (b) => waiter?.(b));

/** Sends one request and collects reply datagrams until DONE/ERROR (dump) or the first datagram (exact lookup). */
async function query(name: string, req: InetDiagReq): Promise<unknown> {
  const out = encodeInetDiagReq(req);
  exchange.push({ direction: 'out', hex: hex(out) });
  const replies: ReturnType<typeof decodeInetDiagReply>[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no reply`)), 3000);
    waiter = (b) => {
      exchange.push({ direction: 'in', hex: hex(b) });
      const r = decodeInetDiagReply(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      replies.push(r);
      if (r.done || !req.dump) {
        clearTimeout(timer);
        resolve();
      }
    };
    diag.send(out, { port: 0 }, (err) => err && reject(err));
  });
  return { name, sockets: replies.flatMap((r) => r.sockets), error: replies.find((r) => r.done)?.error ?? 0 };
}

function listen(host: string): Promise<net.Server> {
  return new Promise((resolve) => {
    const s = net.createServer((c) => c.write('hi'));
    s.listen(0, host, () => resolve(s));
  });
}
function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const c = net.connect(port, host);
    c.on('data', () => resolve(c)); // the server's greeting: both ends are ESTABLISHED
  });
}
function bindUdp(type: 'udp4' | 'udp6', host: string): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(type);
    s.bind(0, host, () => resolve(s));
  });
}

const srv4 = await listen('127.0.0.1');
const srv6 = await listen('::1');
const port4 = (srv4.address() as net.AddressInfo).port;
const port6 = (srv6.address() as net.AddressInfo).port;
const cli4 = await connect('127.0.0.1', port4);
const cli6 = await connect('::1', port6);
const udpA = await bindUdp('udp4', '127.0.0.1');
const udpB = await bindUdp('udp4', '127.0.0.1');
const udpAPort = udpA.address().port;
await new Promise<void>((resolve) => udpB.connect(udpAPort, '127.0.0.1', () => resolve()));
const udpBPort = udpB.address().port;

const ESTABLISHED_LISTEN = (1 << TCP_STATE.ESTABLISHED) | (1 << TCP_STATE.LISTEN);
const l4 = { addr: '127.0.0.1', port: cli4.localPort! };
const r4 = { addr: '127.0.0.1', port: port4 };
const l6 = { addr: '::1', port: cli6.localPort! };
const r6 = { addr: '::1', port: port6 };
const ub = { addr: '127.0.0.1', port: udpBPort };
const ua = { addr: '127.0.0.1', port: udpAPort };
const results = [
  await query('tcp4-dump', { family: 2, protocol: IPPROTO.TCP, states: ESTABLISHED_LISTEN, seq: 1, dump: true }),
  await query('tcp6-dump', { family: 10, protocol: IPPROTO.TCP, seq: 2, dump: true }),
  await query('tcp4-exact', { family: 2, protocol: IPPROTO.TCP, exact: exactLookupFor(IPPROTO.TCP, l4, r4), seq: 3, dump: false }),
  await query('tcp6-exact', { family: 10, protocol: IPPROTO.TCP, exact: exactLookupFor(IPPROTO.TCP, l6, r6), seq: 4, dump: false }),
  await query('tcp4-exact-missing', { family: 2, protocol: IPPROTO.TCP, exact: { src: '127.0.0.1', sport: 1, dst: '127.0.0.1', dport: 2 }, seq: 5, dump: false }),
  await query('udp4-dump', { family: 2, protocol: IPPROTO.UDP, seq: 6, dump: true }),
  await query('udp4-exact', { family: 2, protocol: IPPROTO.UDP, exact: exactLookupFor(IPPROTO.UDP, ub, ua), seq: 7, dump: false }),
  await query('udp4-exact-tcp-orientation', { family: 2, protocol: IPPROTO.UDP, exact: exactLookupFor(IPPROTO.TCP, ub, ua), seq: 8, dump: false }),
];

// Oracles: socket inodes this process holds, and ss's view (-e adds uid, ino and sk = cookie).
const procInodes = readdirSync('/proc/self/fd').flatMap((fd) => {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return m ? [Number(m[1])] : [];
  } catch {
    return [];
  }
});
const ss = execFileSync('ss', ['-HtuaneO'], { encoding: 'utf8' });
const endpoints = { tcp4: { client: l4, server: r4 }, tcp6: { client: l6, server: r6 }, udp: { connected: ub, bound: ua } };
process.stdout.write(json({ endpoints, results, procInodes, ss }) + '\n');

if (process.argv[2]) {
  const fixture = {
    comment: 'NETLINK_SOCK_DIAG exchange recorded by test/helpers/sock-diag-child.ts in a fresh netns; see test/netlink/sock-diag.test.ts',
    kernel: os.release(),
    endianness: HOST_IS_LE ? 'LE' : 'BE',
    endpoints,
    exchange,
    expected: results,
  };
  writeFileSync(process.argv[2], json(fixture) + '\n');
}
for (const s of [cli4, cli6]) s.destroy();
srv4.close();
srv6.close();
udpA.close();
udpB.close();
diag.close();
