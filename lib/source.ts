// lib/ layer: the FlowSource interface the live table, the CLI, the TUI and the server all consume, and the
// FlowFilter every source applies. Imports ./flow and ./enrich/processes types only. A source is the kernel (lib/kernel/), a capture file
// (replay), or a remote server (server/client.ts): everything above it is the same code.
import type { ProcessLabel } from './enrich/processes.js';
import type { Flow } from './flow.js';

/** What a source reports, in order. Times are milliseconds since the epoch of the source's clock. */
export type SourceEvent =
  /** A dump (initial, periodic or resync) started; dump entries follow until dumpEnd. */
  | { kind: 'dumpBegin'; atMs: number }
  /** digest: the source's fingerprint of the copy (see DumpShortcut), when the consumer gave a shortcut. */
  | { kind: 'dumpEntry'; flow: Flow; digest?: number }
  /** complete=false: the dump failed or held undecodable entries, so it must not be used to sweep. */
  | { kind: 'dumpEnd'; atMs: number; complete: boolean }
  | { kind: 'new' | 'update' | 'destroy'; flow: Flow; atMs: number }
  /** Events were lost (ENOBUFS): the table is stale until the next complete dump. */
  | { kind: 'overflow'; atMs: number }
  /** Table-wide kernel statistics: entries in this namespace and nf_conntrack_max (null if unknown). */
  | { kind: 'stats'; count: number; max: number | null; atMs: number }
  /** Something the user should know that changes no flow (a capture's timestamp gap was skipped). */
  | { kind: 'notice'; message: string };

/** Receives source events. */
export type SourceSink = (ev: SourceEvent) => void;

/** What a source knows of a dump copy before decoding it (an object the source reuses: read, don't keep). */
export interface CopyDigest {
  /** Kernel id (CTA_ID). */
  readonly id: number;
  /** Fingerprint of the whole copy but its timeout: equal digests for one id mean an unchanged flow. */
  readonly digest: number;
  readonly timeoutSec: number | null;
}

/**
 * A consumer's fast path for dump copies that did not change (most of a big table between two refreshes).
 * Before decoding a dump copy, the source asks: if the consumer holds the flow with this kernel id whose last
 * dumpEntry carried this digest, and nothing changed it since, the consumer takes the copy as seen with the
 * new timeout and returns true, and the source decodes nothing. Otherwise false, and a dumpEntry follows.
 */
export interface DumpShortcut {
  unchanged(copy: CopyDigest): boolean;
}

/**
 * A consumer that takes dump copies as their JSON lines instead of Flows (`--once --json`: nothing of a flow
 * outlives its line). Given to FlowSource.start, it receives every dump copy that passes the filter; events
 * still go to the sink.
 */
export interface DumpJsonSink {
  /**
   * One copy: its flowJson text as UTF-8 in `line[0, len)` (a reused buffer: valid during the call only), its
   * kernel id, and a 30-bit fingerprint of its identity (id, zone, original tuple: equal for the same flow).
   */
  entry(line: Uint8Array, len: number, id: number, keyHash: number): void;
}

/** Problems a source met and went on from (bad messages, unknown attributes), for the status bar. */
export interface SourceHealth {
  badMessages: number;
  /** Unknown attributes in the messages decoded (a dump copy skipped by a DumpShortcut is not decoded again). */
  unknownAttrs: number;
  lastProblem: string | null;
}

/** A stream of flows and events. */
export interface FlowSource {
  /**
   * Starts delivering to `sink`; resolves once the initial dump has been delivered. With `json`, dump copies
   * go to it as JSON lines instead of dumpEntry events (sources that cannot do that ignore it: none yet).
   */
  start(sink: SourceSink, shortcut?: DumpShortcut, json?: DumpJsonSink): Promise<void>;
  /** Asks for a fresh dump (periodic refresh or resync); resolves when it has been delivered. */
  refresh(): Promise<void>;
  /** Stops everything at once, ending every wait (a replay's pacing sleep too); never blocks. */
  close(): void;
  readonly health: SourceHealth;
  /**
   * Resolves when the source ended by itself (a replay reached the end of its capture); never for the live
   * kernel. Rejects when the source failed for good (an unreadable capture).
   */
  readonly ended: Promise<void>;
  /**
   * True when the source decides when dumps happen (a replay plays them at their recorded times): the
   * session then asks for the next one at once instead of waiting for its refresh interval.
   */
  readonly schedulesRefreshes: boolean;
  /**
   * True when events arrive in batches, many per event-loop turn (the live kernel source with the shim's
   * read pause): consumers may hand changes on once per turn instead of waiting a couple of ms for more.
   */
  readonly batchesEvents?: boolean;
  /**
   * A remote source's processes, as its server shared them (`--share-processes`): the label of the flow whose
   * flowKey is `key`, undefined when none was shared. Absent for the kernel and captures (looked up locally).
   */
  processOf?(key: string): ProcessLabel | undefined;
}

/** Which flows a source passes on: events cannot be filtered by the kernel, so both dumps and events are checked. */
export interface FlowFilter {
  /** 'ipv4' / 'ipv6'; empty or absent = both. */
  families?: readonly Flow['family'][];
  /** Protocol numbers; empty or absent = all. */
  protoNums?: ReadonlySet<number>;
}

/** True when `f` passes `filter` (an empty filter passes everything). */
export function passesFilter(f: Pick<Flow, 'family' | 'protoNum'>, filter: FlowFilter): boolean {
  const fam = filter.families;
  if (fam && fam.length > 0 && !fam.includes(f.family)) return false;
  const protos = filter.protoNums;
  return !protos || protos.size === 0 || protos.has(f.protoNum);
}
