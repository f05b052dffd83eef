// lib/ layer (schema): TypeBox definitions of the flow object that `--once --json` prints and `--events` wraps
// (README "JSON flow schema", lib/flow.ts Flow, written by lib/flow-json.ts). Imports @sinclair/typebox only.
// Objects stay open (extra keys allowed): the compatibility promise lets a release add keys without a new version.
import { Type, type TSchema } from '@sinclair/typebox';

/** A non-negative integer below 2^53 (counters saturate there and set `saturated`). */
export const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });
/** An unsigned integer of `bits` bits (16 for ports and zones, 32 for ids and marks). */
export const Uint = (bits: number, description?: string) => Type.Integer({ minimum: 0, maximum: 2 ** bits - 1, ...(description ? { description } : {}) });
/** `schema` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One direction's tuple: addresses, then the protocol's keys. */
export const FlowTupleSchema = Type.Object({
  src: Type.String({ description: 'source address: IPv4 dotted quad, IPv6 in RFC 5952 form' }),
  dst: Type.String({ description: 'destination address' }),
  sport: Type.Optional(Uint(16, 'TCP, UDP, UDP-Lite, SCTP, DCCP source port')),
  dport: Type.Optional(Uint(16, 'destination port')),
  type: Type.Optional(Uint(8, 'ICMP/ICMPv6 type')),
  code: Type.Optional(Uint(8, 'ICMP/ICMPv6 code')),
  icmpId: Type.Optional(Uint(16, 'ICMP/ICMPv6 identifier')),
  srcKey: Type.Optional(Uint(32, 'GRE key (PPTP call id)')),
  dstKey: Type.Optional(Uint(32, 'GRE key (PPTP call id)')),
  zone: Type.Optional(Uint(16, 'a zone bound to this direction only')),
});

/** Packets and bytes (L3, IP header included) of one direction. */
export const DirCountersSchema = Type.Object({ packets: Count(), bytes: Count() });

/** The flow object, without an `$id` (so it can be embedded in several line kinds of one document). */
export const flowProperties = {
  id: Uint(32, 'kernel conntrack id; reused over time: identity is id + zone + original tuple'),
  family: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]),
  proto: Type.String({ description: 'tcp, udp, udplite, sctp, dccp, icmp, icmpv6, gre, or the protocol number as a string' }),
  protoNum: Uint(8, 'IP protocol number'),
  orig: FlowTupleSchema,
  reply: FlowTupleSchema,
  state: Nullable(Type.String({ description: 'TCP, SCTP or DCCP state name' })),
  status: Type.Array(Type.String(), { description: 'IPS_* flags without the prefix, in bit order' }),
  timeoutSec: Nullable(Type.Integer({ minimum: 0, description: 'seconds until the entry expires' })),
  mark: Uint(32, 'connection mark'),
  zone: Uint(16, 'conntrack zone, 0 when none'),
  use: Nullable(Type.Integer({ minimum: 0, description: 'reference count; null in events' })),
  labels: Type.Array(Uint(16), { description: 'connection label bit numbers, ascending' }),
  helper: Nullable(Type.String({ description: 'conntrack helper name' })),
  counters: Type.Optional(Type.Object({
    orig: DirCountersSchema,
    reply: DirCountersSchema,
    saturated: Type.Optional(Type.Literal(true, { description: 'a counter passed 2^53 - 1 and was held there' })),
  }, { description: 'absent when nf_conntrack_acct was off when the flow was created' })),
  startNs: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'CLOCK_REALTIME ns as a decimal string' })),
  stopNs: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'CLOCK_REALTIME ns as a decimal string' })),
  master: Type.Optional(FlowTupleSchema),
  secctx: Type.Optional(Type.String({ description: 'security context (SELinux)' })),
  host: Type.Optional(Type.String({ description: 'the server the flow came from, when conntop follows several (-c given more than once)' })),
};

/** The flow object (README "JSON flow schema"). */
export const FlowObjectSchema = Type.Object(flowProperties);
