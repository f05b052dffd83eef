// lib/ layer (schema): TypeBox definition of the `enrich` object (lib/enrich/index.ts Enrichment, serialised with
// JSON.stringify by `--events --enrich` and `--once --json --enrich`). Imports @sinclair/typebox and ./flow.
import { Type } from '@sinclair/typebox';
import { Nullable, Uint } from './flow.js';

const oneOf = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** The class of one address (lib/enrich/addr-class.ts AddrClass). */
export const AddrClassSchema = oneOf('unspecified', 'loopback', 'this-host', 'private', 'shared', 'link-local', 'multicast',
  'broadcast', 'unique-local', 'documentation', 'public');

/** Who owns a flow's local end, or why that is not known (lib/enrich/processes.ts ProcessLabel). */
export const ProcessLabelSchema = Type.Union([
  Type.Object({ kind: Type.Literal('process'), pid: Type.Integer({ minimum: 0 }), name: Type.String(), uid: Type.Integer({ minimum: 0 }), user: Nullable(Type.String()), cmdline: Type.String() }),
  Type.Object({ kind: Type.Literal('no-socket') }),
  Type.Object({ kind: Type.Literal('no-owner'), uid: Type.Integer({ minimum: 0 }) }),
  Type.Object({ kind: Type.Literal('hidden'), inode: Type.Integer({ minimum: 0 }), uid: Type.Integer({ minimum: 0 }) }),
  Type.Object({ kind: Type.Literal('unavailable'), code: Type.String() }),
]);

/** The `enrich` object, without an `$id`. */
export const EnrichObjectSchema = Type.Object({
  dir: oneOf('outbound', 'inbound', 'forwarded', 'local'),
  nat: oneOf('none', 'snat', 'dnat', 'both'),
  classes: Type.Object({ src: AddrClassSchema, dst: AddrClassSchema }, { description: 'classes of orig.src and orig.dst' }),
  service: Nullable(Type.Object({ side: oneOf('server', 'client'), port: Uint(16), name: Nullable(Type.String()) })),
  remote: Nullable(Type.String({ description: 'the address geo describes; null when both ends are local or none is public' })),
  geo: Nullable(Type.Object({
    country: Nullable(Type.String({ description: 'ISO 3166-1 alpha-2 code' })),
    city: Nullable(Type.String()),
    asn: Nullable(Type.Integer({ minimum: 0 })),
    org: Nullable(Type.String()),
    pending: Type.Optional(Type.Literal(true, { description: 'a database that could answer is still loading' })),
  })),
  rdns: Type.Object({ src: Nullable(Type.String()), dst: Nullable(Type.String()) }, { description: 'first PTR name; null while pending or without a name' }),
  rdnsPending: Type.Optional(oneOf('src', 'dst', 'both')),
  process: Type.Optional(Nullable(ProcessLabelSchema)),
  ownDns: Type.Optional(oneOf('yes', 'maybe')),
});
