// server/ layer: conntop 1.0's protocol (version 1, given exactly in peers.md), served to original conntop
// clients on the same port: after the banner, a first line `{"message":"HELLO",...}` selects it. Only TCP and
// UDP over IPv4/IPv6 exist in it. Each refresh is one UPDATE_TICK, plus a DATA to clients that asked since the
// last one: the whole table, or what changed since that client's previous DATA. Imports lib/ and server/ only.
import type { LiveFlow } from '../lib/flow-table.js';
import type { ErrorCode } from './protocol.js';
import type { ConnectionHost, Encoded } from './server-types.js';

/** Longest client name accepted from a 1.0 client (1.0 itself crashed on names of about 2 KB). */
export const V1_MAX_NAME = 256;

/** conntop 1.0's HELLO, as its clients send it. */
export interface V1Hello {
  message: 'HELLO';
  name: string;
  version?: string;
  platform?: string;
}

/** True for a conntop 1.0 client's first line. */
export function isV1Hello(v: unknown): v is V1Hello {
  return typeof v === 'object' && v !== null && (v as { message?: unknown }).message === 'HELLO';
}

/** One flow as conntop 1.0 sends it (rx = reply direction, tx = original; speeds in bytes per tick). */
interface V1Item {
  type: string;
  srcAddress: string;
  dstAddress: string;
  srcPort: number;
  dstPort: number;
  state: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxSpeed: number;
  txSpeed: number;
}

/** UPDATE's updateFlags bits, in peers.md's order (keys PROTO to DST_PORT never change for one flow). */
const FLAG: [keyof V1Item, number][] = [
  ['state', 2], ['rxPackets', 64], ['txPackets', 128], ['rxBytes', 256], ['txBytes', 512], ['rxSpeed', 1024], ['txSpeed', 2048],
];

/** The 1.0 item of a flow, or null for what 1.0 cannot show (anything but TCP and UDP). */
export function v1Item(l: LiveFlow): V1Item | null {
  const f = l.flow;
  if (f.protoNum !== 6 && f.protoNum !== 17) return null;
  const c = f.counters;
  return {
    type: `${f.protoNum === 6 ? 'tcp' : 'udp'}${f.family === 'ipv4' ? '4' : '6'}`,
    srcAddress: f.orig.src, dstAddress: f.orig.dst, srcPort: f.orig.sport ?? 0, dstPort: f.orig.dport ?? 0,
    state: f.protoNum === 17 ? '' : (f.state ?? '?'),
    rxPackets: c?.reply.packets ?? 0, txPackets: c?.orig.packets ?? 0, rxBytes: c?.reply.bytes ?? 0, txBytes: c?.orig.bytes ?? 0,
    rxSpeed: Math.round(l.rates.reply.bytesPerSec), txSpeed: Math.round(l.rates.orig.bytesPerSec),
  };
}

function keyFields(i: V1Item): Record<string, unknown> {
  return { type: i.type, srcAddress: i.srcAddress, dstAddress: i.dstAddress, srcPort: i.srcPort, dstPort: i.dstPort };
}

/** conntop 1.0's disconnect reason for one of our error codes. */
function v1Reason(code: ErrorCode): string {
  if (code === 'handshake-timeout' || code === 'heartbeat-timeout' || code === 'slow-client') return 'TIMEOUT';
  if (code === 'server-quit') return 'SERVER_QUIT';
  if (code === 'unsupported-version' || code === 'auth-required') return 'VERSION_MISMATCH';
  return 'PROTOCOL_ERROR';
}

/** What a 1.0 session needs from its connection. */
export interface V1Link {
  write(line: string): void;
  fail(code: ErrorCode, message: string): void;
  close(): void;
  backlogged(): boolean;
  host: ConnectionHost;
}

/** One conntop 1.0 client after its HELLO. */
export class V1Session {
  readonly peerName: string;
  /** What this client holds: the items of its last DATA, by flow. */
  private sent = new Map<LiveFlow, V1Item>();
  /** null: no request since the last DATA; else whether the client asked for deltas. */
  private request: 'full' | 'delta' | null = null;

  constructor(hello: V1Hello, private readonly link: V1Link) {
    this.peerName = typeof hello.name === 'string' ? hello.name.slice(0, V1_MAX_NAME) : '';
    if (typeof hello.name !== 'string' || hello.name.length > V1_MAX_NAME) {
      queueMicrotask(() => link.fail('bad-message', `HELLO name must be a string of at most ${V1_MAX_NAME} characters`));
      return;
    }
    if (link.host.secret) {
      queueMicrotask(() => link.fail('auth-required', 'this server requires authentication, which protocol 1 lacks'));
      return;
    }
    link.write(JSON.stringify({ message: 'HELLO', name: link.host.name, version: '1.0.0', platform: 'Linux' }));
  }

  /** A line after the HELLO. */
  onMessage(v: unknown): void {
    const m = (typeof v === 'object' && v !== null ? v : {}) as { message?: unknown; dataFlags?: unknown; dataUpdateFlags?: unknown };
    if (m.message === 'REQUEST_DATA' && typeof m.dataFlags === 'number' && (m.dataUpdateFlags === 0 || m.dataUpdateFlags === 1)) {
      this.request = m.dataUpdateFlags === 1 ? 'delta' : 'full';
      this.link.write(JSON.stringify({ message: 'DATA_STATUS', dataFlags: 1, dataUpdateFlags: m.dataUpdateFlags }));
      return;
    }
    if (m.message === 'DISCONNECT') return this.link.close();
    this.link.fail('bad-message', 'expected REQUEST_DATA or DISCONNECT');
  }

  /** Changes between ticks: 1.0 sends deltas per tick, computed from the table at the tick. */
  changes(_batch: readonly Encoded[]): void {}

  /** A refresh: UPDATE_TICK, then DATA if the client asked (skipped while its socket is backlogged). */
  tick(): void {
    const host = this.link.host;
    this.link.write(`{"message":"UPDATE_TICK","timestamp":${Math.floor((host.now() - host.startedMs) / 1000)}}`);
    if (this.request === null || this.link.backlogged()) return;
    const isUpdate = this.request === 'delta';
    this.request = null;
    const data: string[] = [];
    const next = new Map<LiveFlow, V1Item>();
    for (const l of host.table.snapshot()) {
      const item = v1Item(l);
      if (!item) continue;
      next.set(l, item);
      const old = isUpdate ? this.sent.get(l) : undefined;
      if (!old) {
        data.push(JSON.stringify({ action: 'CREATE', ...item }));
        continue;
      }
      let flags = 0;
      const upd: Record<string, unknown> = keyFields(item);
      for (const [k, bit] of FLAG) if (old[k] !== item[k]) { flags |= bit; upd[k] = item[k]; }
      if (flags !== 0) data.push(JSON.stringify({ action: 'UPDATE', ...keyFields(item), updateFlags: flags, ...upd }));
    }
    if (isUpdate) for (const [l, item] of this.sent) if (!next.has(l)) data.push(JSON.stringify({ action: 'REMOVE', ...keyFields(item) }));
    this.sent = next;
    this.link.write(`{"message":"DATA","type":1,"isUpdate":${isUpdate},"data":[${data.join(',')}]}`);
  }

  /** Says goodbye in 1.0's words. */
  disconnect(code: ErrorCode): void {
    this.link.write(JSON.stringify({ message: 'DISCONNECT', reason: v1Reason(code) }));
  }
}
