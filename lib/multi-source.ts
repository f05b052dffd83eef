// lib/ layer: several servers in one table (`conntop -c A -c B`): a FlowSource merging N remote sources whose
// flows carry their server's `host` (part of flowKey, so one tuple seen by two servers stays two rows). Each
// server's refresh becomes one dump of every server's copy, so a complete dump never sweeps another server's
// flows. Imports lib/ only; the remote sources (server/client.ts RemoteSource) are passed in by their shape.
import type { ProcessLabel } from './enrich/processes.js';
import type { DumpShortcut, FlowSource, SourceEvent, SourceHealth, SourceSink } from './source.js';

/** Where a remote source stands (server/client.ts RemoteState). */
export type MemberState = 'connecting' | 'syncing' | 'live' | 'disconnected' | 'closed';

/** What the merge needs of one server's source (server/client.ts RemoteSource has it). */
export interface MergeableSource extends FlowSource {
  readonly state: MemberState;
  /** The server's hello name, once known. */
  readonly serverName: string | null;
  /** The host tag its flows carry, once chosen. */
  readonly hostTag: string | undefined;
  /** Flows it holds now. */
  readonly flowCount: number;
  /** The server's last table statistics. */
  readonly serverStats: { count: number; max: number | null } | null;
  /** Sends every flow it holds as dumpEntry events (those the shortcut takes as unchanged excepted). */
  replayEntries(sink: SourceSink, shortcut: DumpShortcut | undefined): void;
  processOf(key: string): ProcessLabel | undefined;
}

/** One server: its source and how the user named it (HOST:PORT). */
export interface Member {
  label: string;
  source: MergeableSource;
}

/** One server's line in the header: its name, state, flows and kernel figures. */
export interface MemberStatus {
  name: string;
  state: MemberState;
  flows: number;
  max: number | null;
}

/**
 * Chooses the host tag of each server: its hello name, or HOST:PORT as given when that name is taken by
 * another server of the same table (two hosts both called "router"). Returns, per member label, the tag
 * function to give its RemoteSource (server/client.ts RemoteOptions.tag).
 */
export function hostTagger(): (label: string) => (serverName: string) => string {
  const taken = new Set<string>();
  return (label) => (serverName) => {
    const tag = serverName !== '' && !taken.has(serverName) ? serverName : label;
    taken.add(tag);
    return tag;
  };
}

const STATE_WORDS: Record<MemberState, string> = {
  connecting: 'connecting', syncing: 'syncing', live: '', disconnected: 'down, reconnecting', closed: 'failed',
};

/** The header's text for several servers: `2 servers: router 1.2k flows · nas down, reconnecting`. */
export function statusText(list: readonly MemberStatus[], count: (n: number) => string): string {
  const parts = list.map((m) => (m.state === 'live' ? `${m.name} ${count(m.flows)} flows` : `${m.name} ${STATE_WORDS[m.state]}`));
  return `${list.length} servers: ${parts.join(' · ')}`;
}

/** A shared version counter (DumpShortcut digests) for the sources of one table: no two copies share one. */
export function versionCounter(): () => number {
  let v = 0;
  return () => ++v;
}

/** The merged source. */
export class MultiSource implements FlowSource {
  readonly schedulesRefreshes = true;
  readonly ended: Promise<void>;
  private sink: SourceSink = () => undefined;
  private shortcut: DumpShortcut | undefined;
  private readonly stats = new Map<MergeableSource, { count: number; max: number | null }>();
  private waiters: (() => void)[] = [];

  constructor(readonly members: readonly Member[], private readonly now: () => number = Date.now) {
    // Ends (rejects) once every server failed for good (a wrong secret everywhere); never ends otherwise.
    let failed = 0;
    this.ended = new Promise<void>((_, reject) => {
      for (const m of members) {
        m.source.ended.catch((e: unknown) => {
          if (++failed === members.length) reject(e);
          this.release();
        });
      }
    });
    this.ended.catch(() => undefined);
  }

  /**
   * Starts every server; resolves once each has delivered its first snapshot or failed its first attempt (it
   * keeps trying when its source was made with keepTrying); rejects only when every first attempt failed.
   */
  async start(sink: SourceSink, shortcut?: DumpShortcut): Promise<void> {
    this.sink = sink;
    this.shortcut = shortcut;
    const results = await Promise.allSettled(this.members.map((m) => m.source.start(this.memberSink(m), shortcut)));
    const fails = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (fails.length === results.length) throw fails[0].reason;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.status === 'rejected') sink({ kind: 'notice', message: `${this.members[i].label}: ${(r.reason as Error).message}` });
    }
  }

  /** Resolves after the next merged dump (any server's refresh), or at once when every server is closed. */
  refresh(): Promise<void> {
    if (this.members.every((m) => m.source.state === 'closed')) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  close(): void {
    for (const m of this.members) m.source.close();
    this.release();
  }

  /** The servers' problems added up; the last problem named with its server. */
  get health(): SourceHealth {
    const h: SourceHealth = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
    for (const m of this.members) {
      const s = m.source.health;
      h.badMessages += s.badMessages;
      h.unknownAttrs += s.unknownAttrs;
      if (s.lastProblem !== null) h.lastProblem = `${this.nameOf(m)}: ${s.lastProblem}`;
    }
    return h;
  }

  /** The process a server shared for the flow with this flowKey (the key ends with the server's tag). */
  processOf(key: string): ProcessLabel | undefined {
    for (const m of this.members) {
      const tag = m.source.hostTag;
      if (tag !== undefined && key.endsWith(`|${tag}`)) return m.source.processOf(key);
    }
    return undefined;
  }

  /** Each server's name, connection state, flows and nf_conntrack_max, in the order given. */
  status(): MemberStatus[] {
    return this.members.map((m) => ({ name: this.nameOf(m), state: m.source.state, flows: m.source.flowCount, max: m.source.serverStats?.max ?? null }));
  }

  private nameOf(m: Member): string {
    return m.source.hostTag ?? m.source.serverName ?? m.label;
  }

  private memberSink(m: Member): SourceSink {
    return (ev: SourceEvent) => {
      switch (ev.kind) {
        case 'dumpBegin':
        case 'dumpEntry':
          return; // the merged dump replays this server's copy once it is whole
        case 'dumpEnd':
          return this.mergedDump(ev.atMs);
        case 'stats':
          this.stats.set(m.source, { count: ev.count, max: ev.max });
          return this.sink(this.summedStats(ev.atMs));
        case 'notice':
          return this.sink({ kind: 'notice', message: ev.message.startsWith(this.nameOf(m)) ? ev.message : `${this.nameOf(m)}: ${ev.message}` });
        case 'overflow':
          this.sink(ev);
          // A server lost (or its events lost): a merged dump once its state has settled, so that the session
          // refreshes now and the header shows the change even if no other server refreshes meanwhile.
          queueMicrotask(() => this.mergedDump(this.now()));
          return;
        default:
          return this.sink(ev); // new, update, destroy (tagged flows)
      }
    };
  }

  /**
   * One dump of every server's copy: complete unless a server is receiving a snapshot (its copy is partial
   * and left out, and an incomplete dump sweeps nothing). A server that lost its connection keeps its last
   * copy (stale) until its next snapshot replaces it.
   */
  private mergedDump(atMs: number): void {
    const sink = this.sink;
    let complete = true;
    sink({ kind: 'dumpBegin', atMs });
    for (const m of this.members) {
      if (m.source.state === 'syncing') complete = false;
      else if (m.source.state !== 'closed') m.source.replayEntries(sink, this.shortcut); // a closed one's rows go
    }
    sink({ kind: 'dumpEnd', atMs, complete });
    this.release();
  }

  /** Flows in every server's kernel table, and the sum of their maxima (null while one is unknown). */
  private summedStats(atMs: number): SourceEvent {
    let count = 0;
    let max: number | null = 0;
    for (const m of this.members) {
      const s = this.stats.get(m.source);
      count += s?.count ?? 0;
      max = s && s.max !== null && max !== null ? max + s.max : null;
    }
    return { kind: 'stats', count, max, atMs: atMs || this.now() };
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
