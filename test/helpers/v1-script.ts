// Test helper: a scripted conntop 1.0 server on loopback TCP, written from peers.md's description of protocol
// version 1 (not from our server): banner on accept, HELLO answered with HELLO, REQUEST_DATA answered with
// DATA_STATUS, and at each tick an UPDATE_TICK plus, to a client that asked, a DATA. Like 1.0 it closes a client
// whose line has no `message` without a word. Its output is cut into small pieces and glued across messages.
import { createServer, type Server, type Socket } from 'node:net';

/** One client connection as the script sees it. */
export interface ScriptConn {
  sock: Socket;
  /** Parsed lines received from the client. */
  got: Record<string, unknown>[];
  /** The client's pending request: dataUpdateFlags of its last REQUEST_DATA not yet answered with a DATA. */
  asked: number | null;
  hello: boolean;
}

/** Serves the `next` DATA items to each client that asked (`full` when it asked for the whole table). */
export type DataFn = (full: boolean, conn: ScriptConn) => unknown[];

export class V1Script {
  private readonly server: Server;
  readonly conns: ScriptConn[] = [];
  port = 0;
  /** Connections closed because their first line was not 1.0's (our client's probe). */
  probes = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly data: DataFn, private readonly opts: { sendBannerFirst?: boolean; answerProbe?: 'close' | 'disconnect' } = {}) {
    this.server = createServer((sock) => this.accept(sock));
  }

  /** Listens on loopback, on `port` (a restart) or an ephemeral one. */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Ticks every `ms` on its own (for CLI tests, where the test cannot know when the client asked). */
  autoTick(ms: number): void {
    this.timer = setInterval(() => this.tick(), ms);
  }

  /** Stops autoTick. */
  stopTicks(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One tick: UPDATE_TICK to every client past its HELLO, then a DATA to each that asked. */
  tick(): void {
    this.ticks++;
    for (const c of this.conns) {
      if (!c.hello || c.sock.destroyed) continue;
      let out = `{"message":"UPDATE_TICK","timestamp":${this.ticks}}\n`;
      if (c.asked !== null) {
        const full = c.asked === 0;
        c.asked = null;
        out += `${JSON.stringify({ message: 'DATA', type: 1, isUpdate: !full, data: this.data(full, c) })}\n`;
      }
      this.send(c.sock, out);
    }
  }

  /** Sends raw text to every live client (bad lines, DISCONNECT). */
  broadcast(text: string): void {
    for (const c of this.conns) if (c.hello && !c.sock.destroyed) this.send(c.sock, text);
  }

  /** The connections that completed a 1.0 HELLO. */
  sessions(): ScriptConn[] {
    return this.conns.filter((c) => c.hello);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns) c.sock.destroy();
    this.server.close();
  }

  /** Writes `text` in pieces of 1 to 97 bytes (split lines), each piece possibly ending inside one message. */
  private send(sock: Socket, text: string): void {
    const b = Buffer.from(text, 'utf8');
    for (let at = 0, n = 1; at < b.length; at += n, n = (n * 7 + 3) % 97 + 1) sock.write(b.subarray(at, at + n));
  }

  private accept(sock: Socket): void {
    const c: ScriptConn = { sock, got: [], asked: null, hello: false };
    this.conns.push(c);
    sock.on('error', () => undefined);
    // 1.0 queues its banner at accept; a client line read first may close the socket before it goes out.
    if (this.opts.sendBannerFirst !== false) this.send(sock, '{"conntop_server":1}\n');
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) if (!sock.destroyed) this.onLine(c, p);
    });
  }

  private onLine(c: ScriptConn, line: string): void {
    const m = JSON.parse(line) as Record<string, unknown>;
    c.got.push(m);
    if (typeof m.message !== 'string') {
      // 1.0: "Missing message type" -> PROTOCOL_ERROR; the session's queue is dropped and the socket closed.
      this.probes++;
      if (this.opts.answerProbe === 'disconnect') c.sock.end('{"message":"DISCONNECT","reason":"PROTOCOL_ERROR"}\n');
      else c.sock.end();
      return;
    }
    if (m.message === 'HELLO') {
      c.hello = true;
      this.send(c.sock, '{"message":"HELLO","name":"router10","version":"1.0.0","platform":"Linux"}\n');
    } else if (m.message === 'REQUEST_DATA') {
      c.asked = m.dataUpdateFlags as number;
      this.send(c.sock, `${JSON.stringify({ message: 'DATA_STATUS', dataFlags: 1, dataUpdateFlags: m.dataUpdateFlags })}\n`);
    } else if (m.message === 'DISCONNECT') {
      c.sock.end();
    }
  }
}

/** A CREATE item (peers.md's field order). */
export function create(type: string, src: string, dst: string, sport: number, dport: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'CREATE', type, srcAddress: src, dstAddress: dst, srcPort: sport, dstPort: dport,
    state: type.startsWith('tcp') ? 'ESTABLISHED' : '', rxPackets: 1, txPackets: 2, rxBytes: 100, txBytes: 200, rxSpeed: 0, txSpeed: 0, ...over,
  };
}

/** The key fields of an item, for UPDATE and REMOVE. */
export function keyOf(i: Record<string, unknown>): Record<string, unknown> {
  return { type: i.type, srcAddress: i.srcAddress, dstAddress: i.dstAddress, srcPort: i.srcPort, dstPort: i.dstPort };
}
