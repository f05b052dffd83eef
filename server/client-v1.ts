// server/ layer: our client reading an original conntop 1.0 server (peers.md "conntop protocol version 1").
// Both servers send the same banner, so detection is by what follows our hello: ours answers it, 1.0 closes
// (or answers in 1.0 words). V1Probe makes that call per connection; V1Adapter then speaks 1.0 on a fresh
// connection and turns its lines into our protocol's messages for RemoteSource (server/client.ts): the first
// DATA a snapshot, later DATAs changes then a refresh. Imports lib/ and server/ only.
import type { Flow } from '../lib/flow.js';
import { flowPredicate } from './filter.js';
import type { Filter, ServerMessage } from './protocol.js';
import { decodeV1Item, v1Changes, v1Flow, v1Key, type V1Item } from './v1-items.js';

/**
 * Longest line taken from a 1.0 server (bytes): 1.0 sends its whole table in one DATA line, about 212 bytes per
 * flow, so 64 MiB holds about 300k flows (our protocol's 4 MiB would stop at about 20k).
 */
export const V1_MAX_LINE_BYTES = 64 * 1024 * 1024;
/** A 1.0 server ticks every second; silent this long (no byte at all), the connection is taken as lost. */
export const V1_SILENCE_MS = 10_000;

/** What a 1.0 server lacks, told to the user once (header or status line; stderr in JSON modes). */
export const V1_NOTICE = 'speaks conntop 1.0: TCP and UDP only; no kernel ids (synthetic), reply tuples (NAT not shown), ' +
  'status, marks, zones, timeouts, timestamps or table statistics; no authentication or encryption';

/** Codes of 1.0 failures retrying cannot fix (server/client.ts adds them to its fatal codes). */
export const V1_FATAL = ['v1-insecure', 'v1-filter'] as const;

/** A 1.0 failure: the RemoteError code and its message (server/client.ts makes the RemoteError). */
export interface V1Failure {
  code: string;
  message: string;
}

/** What the adapter needs from RemoteSource: all closures over one connection. */
export interface V1Hooks {
  /** Writes one line (the newline is added). */
  write(line: string): void;
  /** Hands a message of our protocol to RemoteSource as if our server had sent it. */
  deliver(m: ServerMessage): void;
  /** The server's name, from its HELLO. */
  identify(name: string): void;
  /** A refresh: RemoteSource replays its mirror as a dump at `atMs` and wakes refresh() callers. */
  refresh(atMs: number): void;
  /** A problem the session goes on from (a bad item): counted in the source's health. */
  problem(detail: string): void;
  /** The connection failed: RemoteSource closes it and reconnects (or not, for V1_FATAL codes). */
  fail(f: V1Failure): void;
  /** Tells the user that this server speaks 1.0 (RemoteSource does it once per source). */
  tell(message: string): void;
  now(): number;
}

/** conntop 1.0's DISCONNECT reasons as our error codes (fatal ones are not retried). */
const REASONS: Record<string, string> = {
  TIMEOUT: 'heartbeat-timeout', USER_DECISION: 'bye', SERVER_QUIT: 'server-quit', VERSION_MISMATCH: 'unsupported-version',
  CONNECTION_LOST: 'closed', PROTOCOL_ERROR: 'protocol', SOCKET_ERROR: 'closed',
};

/** Per connection of our protocol: did the server show itself as conntop 1.0? */
export class V1Probe {
  private connected = false;
  private heardOurs = false;
  private heardV1 = false;
  /** The next connection speaks 1.0 (one shot: every reconnect probes our protocol first). */
  nextIsV1 = false;

  /** A new connection begins; returns whether it speaks 1.0 (and consumes the request). */
  begin(): boolean {
    this.connected = false;
    this.heardOurs = false;
    this.heardV1 = false;
    const v1 = this.nextIsV1;
    this.nextIsV1 = false;
    return v1;
  }

  /** TCP connected. */
  onConnect(): void {
    this.connected = true;
  }

  /**
   * A parsed line on a connection of our protocol: true when it is 1.0's (a `message` key: its DISCONNECT after
   * our hello), which ends the probe. Our messages and the banner (both servers send it) return false.
   */
  onLine(v: unknown): boolean {
    if (typeof v !== 'object' || v === null) return false;
    if (typeof (v as { type?: unknown }).type === 'string') this.heardOurs = true;
    else if (!this.heardOurs && typeof (v as { message?: unknown }).message === 'string') this.heardV1 = true;
    return this.heardV1;
  }

  /**
   * The connection of our protocol ended with `code`: true when the server is taken for 1.0, so that the next
   * connection speaks it at once. conntop 1.0 closes a client whose first line has no `message` (without a
   * word, often before its banner went out); our server always answers, in our protocol, before it closes.
   */
  isV1Server(code: string): boolean {
    return this.heardV1 || (this.connected && !this.heardOurs && (code === 'closed' || code === 'ECONNRESET' || code === 'EPIPE'));
  }
}

/** One connection speaking conntop 1.0 to a 1.0 server, turned into our protocol's messages. */
export class V1Adapter {
  private sentHello = false;
  private named = false;
  /** Flows held (filtered), by v1Key: our handle (ref) for each and the flow as last delivered. */
  private flows = new Map<string, { ref: number; flow: Flow }>();
  private nextRef = 1;
  /** No full DATA applied yet on this connection: the next one is our snapshot. */
  private first = true;
  /** A bad delta item made our copy unsure: ask for the whole table again. */
  private wantFull = true;
  private readonly keep: ((f: Flow) => boolean) | null;

  /** `name` and `software` ("conntop 0.1.0") go in our HELLO, as 1.0's client sends its host name and version. */
  constructor(private readonly h: V1Hooks, filter: Filter | undefined, private readonly name: string, private readonly software: string) {
    this.keep = flowPredicate(filter);
  }

  /** Refuses what 1.0 cannot honour: a filter on marks or zones (1.0 sends neither), before anything is sent. */
  static refusal(filter: Filter | undefined): V1Failure | null {
    if (filter?.marks?.length || filter?.zones?.length) {
      return { code: 'v1-filter', message: 'the server speaks conntop 1.0, which sends no marks or zones: --mark and --zone cannot apply' };
    }
    return null;
  }

  /** One parsed line from the server (undefined: not JSON). */
  onLine(v: unknown): void {
    const m = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null) as Record<string, unknown> | null;
    if (m === null) return this.protocol(v === undefined ? 'a line that is not JSON' : 'a line that is not an object');
    if (!this.sentHello) {
      if (m.conntop_server !== 1) return this.h.fail({ code: 'unsupported-version', message: `server banner is not conntop 1.0's (${JSON.stringify(m).slice(0, 60)})` });
      this.sentHello = true;
      const version = this.software.split(' ').pop() ?? '';
      return this.h.write(JSON.stringify({ message: 'HELLO', name: this.name, version, platform: 'Linux' }));
    }
    switch (m.message) {
      case 'HELLO':
        if (this.named) return this.protocol('a second HELLO');
        if (typeof m.name !== 'string') return this.protocol('HELLO without a name');
        this.named = true;
        this.h.identify(m.name.slice(0, 256));
        this.h.tell(V1_NOTICE);
        return this.request();
      case 'DATA_STATUS':
      case 'UPDATE_TICK':
        return; // the request acknowledged; the server's second tick (any byte keeps the connection alive)
      case 'DATA':
        if (!this.named) return this.protocol('DATA before HELLO');
        if (m.type !== 1 || typeof m.isUpdate !== 'boolean' || !Array.isArray(m.data)) return this.protocol('DATA without type 1, isUpdate and data');
        if (m.isUpdate && this.first) return this.protocol('a DATA update before the whole table');
        this.apply(m.isUpdate, m.data as unknown[]);
        return this.request();
      case 'DISCONNECT': {
        const reason = typeof m.reason === 'string' ? m.reason.slice(0, 40) : '?';
        return this.h.fail({ code: REASONS[reason] ?? 'bye', message: `server disconnected: ${reason}` });
      }
      default:
        return this.protocol(`unknown message ${JSON.stringify(m.message ?? null).slice(0, 40)}`);
    }
  }

  /** The line that says goodbye in 1.0's words (close()). */
  static readonly BYE = '{"message":"DISCONNECT","reason":"USER_DECISION"}\n';

  private protocol(detail: string): void {
    this.h.problem(`server message: ${detail}`);
    this.h.fail({ code: 'protocol', message: `server sent ${detail}` });
  }

  /** 1.0's client asks again after every DATA: the whole table first (and after a bad item), then changes. */
  private request(): void {
    this.h.write(`{"message":"REQUEST_DATA","dataFlags":1,"dataUpdateFlags":${this.wantFull ? 0 : 1}}`);
  }

  /** One DATA: the first whole table is our snapshot; anything later becomes changes and a refresh. */
  private apply(isUpdate: boolean, data: unknown[]): void {
    const atMs = this.h.now();
    const items: V1Item[] = [];
    let bad = 0;
    for (const raw of data) {
      const d = decodeV1Item(raw);
      if (d.ok) items.push(d.item);
      else if (++bad === 1) this.h.problem(`server DATA item: ${d.detail}`);
    }
    if (!isUpdate) {
      // A whole table: REMOVE and UPDATE make no sense in it; a CREATE of a key met before wins.
      const next = new Map<string, Flow>();
      for (const i of items) {
        if (i.action !== 'CREATE') continue;
        const f = v1Flow(i);
        if (!this.keep || this.keep(f)) next.set(v1Key(i), f);
      }
      this.wantFull = false;
      return this.first ? this.snapshot(next, atMs) : this.replace(next, atMs);
    }
    // Changes: an item we cannot read leaves our copy unsure, so the next request asks for the whole table.
    if (bad > 0) this.wantFull = true;
    for (const i of items) this.change(i, atMs);
    this.h.refresh(atMs);
  }

  private snapshot(next: Map<string, Flow>, atMs: number): void {
    this.first = false;
    this.flows.clear();
    const h = this.h;
    h.deliver({ type: 'snapshot-begin', atMs, total: next.size });
    const chunk: { ref: number; flow: Flow }[] = [];
    for (const [key, flow] of next) {
      const e = { ref: this.nextRef++, flow };
      this.flows.set(key, e);
      chunk.push({ ref: e.ref, flow });
    }
    h.deliver({ type: 'flows', flows: chunk } as ServerMessage); // lib's Flow: readonly lists
    h.deliver({ type: 'snapshot-end', atMs });
  }

  /** A whole table again (after a bad item): the differences, as changes, then a refresh. */
  private replace(next: Map<string, Flow>, atMs: number): void {
    for (const [key, e] of this.flows) {
      if (!next.has(key)) {
        this.flows.delete(key);
        this.h.deliver({ type: 'destroy', atMs, ref: e.ref, reason: 'gone', set: {} });
      }
    }
    for (const [key, f] of next) {
      const e = this.flows.get(key);
      if (!e) this.add(key, f, atMs);
      else {
        const set = changesBetween(e.flow, f);
        if (set) this.update(e, set, atMs);
      }
    }
    this.h.refresh(atMs);
  }

  private change(i: V1Item, atMs: number): void {
    const key = v1Key(i);
    const e = this.flows.get(key);
    if (i.action === 'REMOVE') {
      if (!e) return;
      this.flows.delete(key);
      // 1.0 says only that the flow left its table: the refresh's dump closes it as `gone`.
      return this.h.deliver({ type: 'destroy', atMs, ref: e.ref, reason: 'gone', set: {} });
    }
    if (i.action === 'CREATE') {
      const f = v1Flow(i);
      if (this.keep && !this.keep(f)) return;
      if (!e) return this.add(key, f, atMs);
      const set = changesBetween(e.flow, f);
      return set ? this.update(e, set, atMs) : undefined;
    }
    if (!e) return; // an UPDATE of a flow filtered out (or never seen): nothing to change
    const set = v1Changes(e.flow, i);
    if (set) this.update(e, set, atMs);
  }

  private add(key: string, flow: Flow, atMs: number): void {
    const ref = this.nextRef++;
    this.flows.set(key, { ref, flow });
    this.h.deliver({ type: 'new', atMs, ref, flow } as ServerMessage);
  }

  private update(e: { ref: number; flow: Flow }, set: Partial<Pick<Flow, 'state' | 'counters'>>, atMs: number): void {
    e.flow = { ...e.flow, ...set }; // a new object: the table owns the one it was given
    this.h.deliver({ type: 'update', atMs, ref: e.ref, set } as ServerMessage);
  }
}

/** The fields (state, counters) in which `b` differs from `a`, or null. */
function changesBetween(a: Flow, b: Flow): Partial<Pick<Flow, 'state' | 'counters'>> | null {
  const out: Partial<Pick<Flow, 'state' | 'counters'>> = {};
  let any = false;
  if (a.state !== b.state) { out.state = b.state; any = true; }
  const x = a.counters, y = b.counters;
  if (x?.orig.packets !== y?.orig.packets || x?.orig.bytes !== y?.orig.bytes || x?.reply.packets !== y?.reply.packets || x?.reply.bytes !== y?.reply.bytes ||
    x?.saturated !== y?.saturated) {
    out.counters = y;
    any = true;
  }
  return any ? out : null;
}
