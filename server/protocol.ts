// server/ layer: conntop's wire protocol (version 2; conntop 1.0's is version 1, see protocol-v1.ts), one
// TypeBox schema per message. These schemas are the single definition: the code validates with them
// (compiled once by TypeCompiler) and scripts/gen-schema writes server/schema/*.json from them. PROTOCOL.md
// documents the exchange. Imports lib/ types and @sinclair/typebox only.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FlowChangesSchema, FlowSchema, ProcessLabelWireSchema } from './protocol-flow.js';

/** Our protocol version; a peer offering none we speak gets an `unsupported-version` error. */
export const PROTOCOL_VERSION = 2;
/** The protocol name in both hellos. */
export const PROTOCOL_NAME = 'conntop';
/** Longest line the server accepts from a client, newline excluded (bytes); longer lines are refused unparsed. */
export const MAX_CLIENT_LINE_BYTES = 64 * 1024;
/** Longest line a client accepts from a server (bytes): snapshot chunks stay far below it. */
export const MAX_SERVER_LINE_BYTES = 4 * 1024 * 1024;

const Ms = Type.Number({ minimum: 0 });
const Name = Type.String({ maxLength: 256 });
const Hex = (bytes: number) => Type.String({ pattern: `^[0-9a-f]{${bytes * 2}}$` });
const Capabilities = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 });
/** Handle of one flow incarnation, chosen by the server, unique for the server process's lifetime. */
const Ref = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** The 1.0 banner every accepted connection receives first (conntop 1.0 clients wait for it). */
export const BannerSchema = Type.Object({ conntop_server: Type.Literal(1) });

/** What a client may ask the server to leave out; each list present keeps only matching flows. */
export const FilterSchema = Type.Object({
  families: Type.Optional(Type.Array(Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]), { maxItems: 2 })),
  /** IP protocol numbers. */
  protocols: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { maxItems: 256 })),
  /** A flow matches when its original source or destination port is listed. */
  ports: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), { maxItems: 1024 })),
  /** (flow.mark & mask) === mark, mask defaulting to 0xffffffff. */
  marks: Type.Optional(Type.Array(Type.Object({
    mark: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    mask: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
  }, { additionalProperties: false }), { maxItems: 64 })),
  zones: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), { maxItems: 64 })),
}, { additionalProperties: false });

// ---- client to server ----

/** The client's first line: the versions it speaks, its name, capabilities, a nonce for mutual auth, a filter. */
export const ClientHelloSchema = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Literal(PROTOCOL_NAME),
  versions: Type.Array(Type.Integer({ minimum: 1, maximum: 1000 }), { minItems: 1, maxItems: 16 }),
  name: Name,
  software: Type.Optional(Type.String({ maxLength: 64 })),
  capabilities: Capabilities,
  /** 32 random bytes: the server proves it knows the secret by signing them (see `ready.proof`). */
  nonce: Hex(32),
  filter: Type.Optional(FilterSchema),
}, { additionalProperties: false });

/** The answer to the server's challenge: HMAC-SHA256(secret, "conntop-auth-client\n" + challenge + "\n" + nonce). */
export const AuthSchema = Type.Object({ type: Type.Literal('auth'), hmac: Hex(32) }, { additionalProperties: false });

/** Either side, every heartbeat interval: proves the peer is alive (any line does). */
export const HeartbeatSchema = Type.Object({ type: Type.Literal('heartbeat'), atMs: Ms }, { additionalProperties: false });

/** The client asks for a fresh snapshot (its table went wrong). */
export const ResyncRequestSchema = Type.Object({ type: Type.Literal('resync') }, { additionalProperties: false });

/** Either side, before closing on purpose. */
export const ByeSchema = Type.Object({ type: Type.Literal('bye'), reason: Type.String({ maxLength: 256 }) }, { additionalProperties: false });

// ---- server to client ----

/** The server's answer to the client's hello; `auth` is null when no secret is required. */
export const ServerHelloSchema = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Literal(PROTOCOL_NAME),
  version: Type.Integer({ minimum: 1 }),
  name: Name,
  software: Type.String({ maxLength: 64 }),
  capabilities: Capabilities,
  auth: Type.Union([Type.Null(), Type.Object({ method: Type.Literal('hmac-sha256'), challenge: Hex(32) }, { additionalProperties: false })]),
  heartbeatMs: Type.Integer({ minimum: 100 }),
  maxLineBytes: Type.Integer({ minimum: 1024 }),
}, { additionalProperties: false });

/** The session is open; a snapshot follows. `proof` = HMAC-SHA256(secret, "conntop-auth-server\n" + nonce + "\n" + challenge). */
export const ReadySchema = Type.Object({
  type: Type.Literal('ready'),
  proof: Type.Union([Type.Null(), Hex(32)]),
  intervalMs: Type.Number({ minimum: 0 }),
}, { additionalProperties: false });

/** A full snapshot starts: `total` flows follow in `flows` chunks, then `snapshot-end`. */
export const SnapshotBeginSchema = Type.Object({ type: Type.Literal('snapshot-begin'), atMs: Ms, total: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/** One chunk of a snapshot: flows with their handles (and their processes, when shared and known). */
export const FlowsSchema = Type.Object({
  type: Type.Literal('flows'),
  flows: Type.Array(Type.Object({ ref: Ref, flow: FlowSchema, process: Type.Optional(ProcessLabelWireSchema) }, { additionalProperties: false }), { maxItems: 100000 }),
}, { additionalProperties: false });

/** The snapshot is complete: the client's table now holds exactly the server's open flows (filtered). */
export const SnapshotEndSchema = Type.Object({ type: Type.Literal('snapshot-end'), atMs: Ms }, { additionalProperties: false });

/** A flow appeared (with its process, when shared and already known). */
export const NewSchema = Type.Object({ type: Type.Literal('new'), atMs: Ms, ref: Ref, flow: FlowSchema, process: Type.Optional(ProcessLabelWireSchema) }, { additionalProperties: false });

/** A flow changed: `set` holds only the fields that changed; `process` is its process once the server found it. */
export const UpdateSchema = Type.Object({ type: Type.Literal('update'), atMs: Ms, ref: Ref, set: FlowChangesSchema, process: Type.Optional(ProcessLabelWireSchema) }, { additionalProperties: false });

/** A flow left: a DESTROY event (`destroy`) or absent from a complete dump (`gone`); `set` holds final changes. */
export const DestroySchema = Type.Object({
  type: Type.Literal('destroy'), atMs: Ms, ref: Ref,
  reason: Type.Union([Type.Literal('destroy'), Type.Literal('gone')]),
  set: FlowChangesSchema,
}, { additionalProperties: false });

/** After each server refresh: table statistics (as --events' stats line, without `event`) and source health. */
export const RefreshSchema = Type.Object({
  type: Type.Literal('refresh'),
  atMs: Ms,
  stats: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    kernelCount: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    max: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  }, { additionalProperties: true }),
  health: Type.Object({
    badMessages: Type.Integer({ minimum: 0 }),
    unknownAttrs: Type.Integer({ minimum: 0 }),
    lastProblem: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

/** The server's table resynchronised after lost events (`kernel`), or this client is resent a snapshot (`slow-client`, `requested`). */
export const ResyncSchema = Type.Object({
  type: Type.Literal('resync'), atMs: Ms,
  reason: Type.Union([Type.Literal('kernel'), Type.Literal('slow-client'), Type.Literal('requested')]),
}, { additionalProperties: false });

/** Why a connection is about to close. The codes are listed in ERROR_CODES. */
export const ErrorSchema = Type.Object({ type: Type.Literal('error'), code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });

/** The error codes a server sends before closing. */
export const ERROR_CODES = [
  'line-too-long', 'bad-json', 'bad-message', 'unexpected-message', 'unsupported-version', 'auth-failed',
  'auth-required', 'rate-limited', 'handshake-timeout', 'heartbeat-timeout', 'slow-client', 'too-many-clients',
  'server-quit',
] as const;

/** An error code (see ERROR_CODES). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every message a client may send after its hello, by `type`. */
export const CLIENT_MESSAGES = {
  hello: ClientHelloSchema, auth: AuthSchema, heartbeat: HeartbeatSchema, resync: ResyncRequestSchema, bye: ByeSchema,
} as const satisfies Record<string, TSchema>;

/** Every message a server may send, by `type` (the banner has none and is recognised by its key). */
export const SERVER_MESSAGES = {
  hello: ServerHelloSchema, ready: ReadySchema, 'snapshot-begin': SnapshotBeginSchema, flows: FlowsSchema,
  'snapshot-end': SnapshotEndSchema, new: NewSchema, update: UpdateSchema, destroy: DestroySchema,
  refresh: RefreshSchema, resync: ResyncSchema, heartbeat: HeartbeatSchema, error: ErrorSchema, bye: ByeSchema,
} as const satisfies Record<string, TSchema>;

export type ClientHello = Static<typeof ClientHelloSchema>;
export type ServerHello = Static<typeof ServerHelloSchema>;
export type Filter = Static<typeof FilterSchema>;
/** A message from a client, by type. */
export type ClientMessage = { [K in keyof typeof CLIENT_MESSAGES]: Static<(typeof CLIENT_MESSAGES)[K]> }[keyof typeof CLIENT_MESSAGES];
/** A message from a server, by type. */
export type ServerMessage = { [K in keyof typeof SERVER_MESSAGES]: Static<(typeof SERVER_MESSAGES)[K]> }[keyof typeof SERVER_MESSAGES];

/** Every schema that server/schema/*.json holds, by file name (without .json). */
export const SCHEMA_FILES: Record<string, TSchema> = {
  flow: FlowSchema,
  banner: BannerSchema,
  filter: FilterSchema,
  ...Object.fromEntries(Object.entries(CLIENT_MESSAGES).map(([k, s]) => [`client-${k}`, s])),
  ...Object.fromEntries(Object.entries(SERVER_MESSAGES).map(([k, s]) => [`server-${k}`, s])),
};
