// server/ layer: the TypeBox schema of README's JSON flow schema (lib/flow.ts Flow), as it travels on the
// wire. Imports lib/ types and @sinclair/typebox only. Kept beside the message schemas (protocol.ts), which
// embed it; a test holds it to lib/flow.ts by validating flows the kernel codec produced.
import { Type, type TSchema } from '@sinclair/typebox';

const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
const U16 = Type.Integer({ minimum: 0, maximum: 0xffff });
const U8 = Type.Integer({ minimum: 0, maximum: 0xff });
/** A counter: exact up to 2^53 - 1 (the flow then carries `saturated`). */
const Counter = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** Text fields have a length cap so that a hostile peer cannot make the receiver hold huge strings. */
const Addr = Type.String({ maxLength: 64 });
const DecimalNs = Type.String({ pattern: '^[0-9]{1,20}$' });

/** One direction's tuple (lib/flow.ts FlowTuple). */
export const FlowTupleSchema = Type.Object({
  src: Addr,
  dst: Addr,
  sport: Type.Optional(U16),
  dport: Type.Optional(U16),
  type: Type.Optional(U8),
  code: Type.Optional(U8),
  icmpId: Type.Optional(U16),
  srcKey: Type.Optional(U32),
  dstKey: Type.Optional(U32),
  zone: Type.Optional(U16),
}, { additionalProperties: false });

const DirCountersSchema = Type.Object({ packets: Counter, bytes: Counter }, { additionalProperties: false });

/** Counters of both directions; `saturated` once a value passed 2^53 - 1. */
export const CountersSchema = Type.Object({
  orig: DirCountersSchema,
  reply: DirCountersSchema,
  saturated: Type.Optional(Type.Literal(true)),
}, { additionalProperties: false });

/** The fields of a Flow that may change while it lives (what an update carries, each optional). */
export const MUTABLE_FLOW_FIELDS = {
  state: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
  status: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 }),
  timeoutSec: Type.Union([U32, Type.Null()]),
  mark: U32,
  use: Type.Union([U32, Type.Null()]),
  counters: CountersSchema,
  startNs: DecimalNs,
  stopNs: DecimalNs,
  labels: Type.Array(Type.Integer({ minimum: 0, maximum: 127 }), { maxItems: 128 }),
  helper: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
  master: FlowTupleSchema,
  secctx: Type.String({ maxLength: 256 }),
} satisfies Record<string, TSchema>;

/** The names of the mutable fields, in the order updates carry them. */
export const MUTABLE_FIELD_NAMES = Object.keys(MUTABLE_FLOW_FIELDS) as (keyof typeof MUTABLE_FLOW_FIELDS)[];

/** A whole flow: README's JSON flow schema. */
export const FlowSchema = Type.Object({
  id: U32,
  family: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]),
  proto: Type.String({ maxLength: 16 }),
  protoNum: U8,
  orig: FlowTupleSchema,
  reply: FlowTupleSchema,
  state: MUTABLE_FLOW_FIELDS.state,
  status: MUTABLE_FLOW_FIELDS.status,
  timeoutSec: MUTABLE_FLOW_FIELDS.timeoutSec,
  mark: MUTABLE_FLOW_FIELDS.mark,
  zone: U16,
  use: MUTABLE_FLOW_FIELDS.use,
  counters: Type.Optional(CountersSchema),
  startNs: Type.Optional(DecimalNs),
  stopNs: Type.Optional(DecimalNs),
  labels: MUTABLE_FLOW_FIELDS.labels,
  helper: MUTABLE_FLOW_FIELDS.helper,
  master: Type.Optional(FlowTupleSchema),
  secctx: Type.Optional(MUTABLE_FLOW_FIELDS.secctx),
}, { additionalProperties: false, $id: 'Flow' });

const Uid = Type.Integer({ minimum: 0, maximum: 0xffffffff });

/**
 * The process owning a flow's local end, as the server found it (lib/enrich/processes.ts ProcessLabel, README's
 * `enrich.process`): sent only by a server run with --share-processes, to clients that offered `processes`.
 */
export const ProcessLabelWireSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('process'), pid: Type.Integer({ minimum: 0, maximum: 0x7fffffff }), name: Type.String({ maxLength: 64 }), uid: Uid,
    user: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]), cmdline: Type.String({ maxLength: 4096 }),
  }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('no-socket') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('no-owner'), uid: Uid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('hidden'), inode: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), uid: Uid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('unavailable'), code: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
]);

/** Only the changed mutable fields of a flow (an update's `set`). */
export const FlowChangesSchema = Type.Partial(Type.Object(MUTABLE_FLOW_FIELDS, { additionalProperties: false }));
