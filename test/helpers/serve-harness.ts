// Test helper (server tests): a server table driven by synthetic source events in place of a Session, a
// ConntopServer on a loopback ephemeral port, raw line clients, and a RemoteSource feeding a local table.
// Imports lib/ and server/. Waits are on conditions with deadlines, never fixed sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { FlowTable, type LiveFlow } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';
import type { SourceEvent } from '../../lib/source.js';
import { RemoteSource, type RemoteOptions } from '../../server/client.js';
import { ConntopServer, type ServerOptions } from '../../server/server.js';

export const T0 = 1_700_000_000_000;

/** A TCP flow number i (distinct ids and ports), as a dump reports it. */
export function mkFlow(i: number, over: Partial<Flow> = {}): Flow {
  const sport = 1024 + (i % 60000);
  const dst = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return {
    id: 1000 + i, family: 'ipv4', proto: 'tcp', protoNum: 6,
    orig: { src: '192.0.2.1', dst, sport, dport: 443 },
    reply: { src: dst, dst: '192.0.2.1', sport: 443, dport: sport },
    state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'], timeoutSec: 300, mark: 0, zone: 0, use: 1,
    counters: { orig: { packets: 10, bytes: 1000 + i }, reply: { packets: 5, bytes: 500 } },
    labels: [], helper: null, startNs: `${BigInt(T0) * 1000000n + BigInt(i)}`, ...over,
  };
}

/** A server table fed with source events by hand, publishing to a ConntopServer like a Session would. */
export class Served {
  readonly table = new FlowTable({ lingerMs: 0, trackChanges: true });
  readonly server: ConntopServer;
  clock = T0;
  readonly logs: string[] = [];
  port = 0;

  constructor(opts: Partial<ServerOptions> = {}) {
    this.server = new ConntopServer({
      table: this.table, name: 'test-server', software: 'conntop test', intervalMs: 1000, now: () => this.clock,
      log: (m) => this.logs.push(m), ...opts,
    });
  }

  async listen(): Promise<number> {
    const [a] = await this.server.listen([{ host: '127.0.0.1', port: 0 }]);
    this.port = a.port;
    return a.port;
  }

  /** Applies events and hands the changes to the server. */
  apply(...evs: SourceEvent[]): void {
    for (const e of evs) this.table.apply(e);
    this.server.changes(this.table.drainChanges());
  }

  /** A complete dump of `flows`, then a refresh (ticks, publishes changes and the refresh line). */
  refresh(flows: Flow[], stepMs = 1000): void {
    this.clock += stepMs;
    this.apply({ kind: 'dumpBegin', atMs: this.clock }, ...flows.map((f) => ({ kind: 'dumpEntry' as const, flow: structuredClone(f) })), { kind: 'dumpEnd', atMs: this.clock, complete: true });
    this.table.tick(this.clock);
    this.server.changes(this.table.drainChanges());
    this.server.refreshed(this.table.stats(), { badMessages: 0, unknownAttrs: 0, lastProblem: null });
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** Waits until `cond()` holds, polling every 5 ms; throws with `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A loopback TCP port that was free a moment ago (bound to 0, read, released), for listeners that need a fixed port. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Starts a conntopd process (`cmd`: node and the script, or an installed bin) on an ephemeral loopback port
 * with `args`; resolves once it says it listens. Killed by PID in `t`'s teardown.
 */
export async function startConntopd(t: { teardown(fn: () => void): void }, cmd: readonly string[], args: readonly string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(cmd[0], [...cmd.slice(1), '-p', '0', '-l', '127.0.0.1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  await until(() => /listening on 127\.0\.0\.1:\d+/.test(err) || child.exitCode !== null, 'conntopd to listen', 30000);
  const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
  if (!m) throw new Error(`conntopd did not listen: ${err}`);
  return { child, port: Number(m[1]), stderr: () => err };
}

/** A raw connection collecting the lines it receives. */
export class RawClient {
  readonly sock: Socket;
  readonly lines: string[] = [];
  private buf = '';
  ended = false;

  constructor(port: number, opts: { read?: boolean } = {}) {
    this.sock = connect({ host: '127.0.0.1', port });
    this.sock.on('error', () => undefined);
    this.sock.on('close', () => (this.ended = true));
    if (opts.read === false) this.sock.pause();
    this.sock.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      for (const p of parts) if (this.lines.length < 100000) this.lines.push(p);
    });
  }

  send(text: string | Buffer): void {
    this.sock.write(text);
  }

  /** The parsed messages received so far. */
  messages(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The first message with this type (or 1.0 `message`), waiting for it. */
  async waitFor(type: string, ms = 10000): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await until(() => (found = this.messages().find((m) => m.type === type || m.message === type)) !== undefined, `a ${type} message`, ms);
    return found!;
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/** A well-behaved client's hello line. */
export function helloLine(over: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ type: 'hello', protocol: 'conntop', versions: [2], name: 'raw', capabilities: [], nonce: 'ab'.repeat(32), ...over })}\n`;
}

/** A RemoteSource feeding its own FlowTable (as --events does). */
export class Mirror {
  readonly table = new FlowTable({ lingerMs: 0, trackChanges: true });
  readonly source: RemoteSource;
  refreshes = 0;
  /** atMs of the last complete dump delivered (the snapshot or a replayed refresh). */
  lastDumpAtMs = 0;

  constructor(port: number, opts: Partial<RemoteOptions> = {}) {
    this.source = new RemoteSource({ host: '127.0.0.1', port, name: 'mirror', software: 'conntop test', backoff: { minMs: 20, maxMs: 200 }, ...opts });
  }

  start(): Promise<void> {
    return this.source.start((ev) => {
      this.table.apply(ev);
      if (ev.kind === 'dumpEnd') {
        this.refreshes++;
        this.lastDumpAtMs = ev.atMs;
      }
    }, this.table);
  }

  close(): void {
    this.source.close();
  }
}

/** A comparable view of a table's open flows: key, state, mark and counters, sorted. */
export function view(flows: readonly LiveFlow[]): string[] {
  return flows.map((l) => `${l.key} ${l.flow.state} ${l.flow.mark} ${JSON.stringify(l.flow.counters)}`).sort();
}
