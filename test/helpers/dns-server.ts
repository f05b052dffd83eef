// test helper: a tiny UDP DNS responder on loopback for reverse-DNS tests. Imports node: builtins only.
// Each query name maps to a behaviour: answer with PTR names, NXDOMAIN, or never answer (a black hole).
import { createSocket, type Socket } from 'node:dgram';

export type Behaviour = { ptr: string[] } | 'nxdomain' | 'drop';

export interface DnsTestServer {
  /** "127.0.0.1:PORT", for Resolver.setServers. */
  address: string;
  /** Queries received per name (lower case, no trailing dot). */
  received: Map<string, number>;
  close(): Promise<void>;
}

function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  while (msg[at] !== 0) {
    labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('ascii'));
    at += 1 + msg[at];
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** Starts the responder on 127.0.0.1, an ephemeral port; `behave` decides per query name (default NXDOMAIN). */
export async function startDnsServer(behave: (name: string) => Behaviour): Promise<DnsTestServer> {
  const sock: Socket = createSocket('udp4');
  const received = new Map<string, number>();
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    received.set(name, (received.get(name) ?? 0) + 1);
    const b = behave(name);
    if (b === 'drop') return;
    const question = msg.subarray(12, end + 4);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const answers = b === 'nxdomain' ? [] : b.ptr;
    header.writeUInt16BE(0x8180 | (b === 'nxdomain' ? 3 : 0), 2); // QR RD RA, rcode
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((target) => {
      const rdata = encodeName(target);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
      rr.writeUInt16BE(12, 2); // PTR
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL s
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    sock.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  const { port } = sock.address();
  return { address: `127.0.0.1:${port}`, received, close: () => new Promise<void>((res) => sock.close(() => res())) };
}

/** The in-addr.arpa name of an IPv4 address. */
export const arpa4 = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
