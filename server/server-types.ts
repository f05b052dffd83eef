// server/ layer: the types shared by the server, its connections and the 1.0 compatibility session.
// Imports lib/ types and server/ only.
import type { LiveFlow } from '../lib/flow-table.js';
import type { FailureLimiter } from './auth.js';
import type { ServedTable } from './session-seam.js';
import type { WireEncoder } from './wire-encode.js';

/**
 * One change as every client may take it: its line is built once (null: nothing a client shows changed).
 * 'process': the server found the flow's process (--share-processes), for clients that take processes.
 */
export interface Encoded {
  kind: 'new' | 'update' | 'destroy' | 'process';
  live: LiveFlow;
  line: string | null;
}

/** What a connection needs from its server (settings are fixed; the rest is shared state). */
export interface ConnectionHost {
  readonly name: string;
  readonly software: string;
  readonly capabilities: readonly string[];
  /** The shared secret, or null when no authentication is required. */
  readonly secret: Buffer | null;
  readonly heartbeatMs: number;
  readonly handshakeMs: number;
  /** A client whose output stays over highWaterBytes this long (ms) is dropped. */
  readonly stallMs: number;
  /** Bytes queued on a socket above which changes are coalesced instead of written. */
  readonly highWaterBytes: number;
  /** The refresh interval advertised to clients (ms). */
  readonly intervalMs: number;
  /** Accept conntop 1.0 clients (protocol version 1). */
  readonly v1: boolean;
  /** Processes are shared (--share-processes) with clients that offer the `processes` capability. */
  readonly shareProcesses: boolean;
  /** Epoch ms when the server started (1.0's UPDATE_TICK counts seconds from it). */
  readonly startedMs: number;
  /** The table is not being followed (no client until now): a new client waits for woke() before its snapshot. */
  readonly asleep: boolean;
  readonly table: ServedTable;
  readonly encoder: WireEncoder;
  readonly limiter: FailureLimiter;
  now(): number;
  log(message: string): void;
  /** Pending coalesced changes beyond which a client is resent a snapshot (grows with the table). */
  maxPending(): number;
  /** The handshake of `c` completed. */
  ready(c: unknown): void;
  /** `c` closed (it is forgotten). */
  closed(c: unknown): void;
}
