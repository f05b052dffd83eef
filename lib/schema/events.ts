// lib/ layer (schema): the versioned JSON Schemas of conntop's JSON outputs: the `--once --json` line (a flow,
// with `enrich` under --enrich) and every `--events` line kind (new, update, destroy, resync, stats), as written
// by lib/events-output.ts. Imports @sinclair/typebox and ./ files. docs/schema/*.json are generated from here.
import { Type, type Static } from '@sinclair/typebox';
import { EnrichObjectSchema } from './enrich.js';
import { Count, FlowObjectSchema, Nullable, flowProperties } from './flow.js';

/**
 * The version of the JSON output schemas. Additive changes (a new key, a new line kind, a new enum value)
 * keep it; removing or renaming a key, changing its type or its meaning bumps it.
 */
export const EVENTS_SCHEMA_VERSION = 1;

/** The URI prefix of the schemas' `$id`s; a name (urn), not a place to fetch from. */
const ID = 'urn:conntop:schema';

const Ms = (description: string) => Type.Integer({ minimum: 0, description });
const DirRateSchema = Type.Object({ bytesPerSec: Type.Number({ minimum: 0 }), packetsPerSec: Type.Number({ minimum: 0 }) });
const RatesSchema = Type.Object({ orig: DirRateSchema, reply: DirRateSchema }, { description: 'per-second rates over the last refresh interval' });

/** The fields every change line (new, update, destroy) carries. */
const changeProperties = {
  atMs: Ms('epoch ms of the change (of the close, for destroy)'),
  flow: FlowObjectSchema,
  rates: RatesSchema,
  ageMs: Ms('age in whole ms, counted from ageSource'),
  ageSource: Type.Union([Type.Literal('kernel'), Type.Literal('first-seen')]),
  idleMs: Ms('ms since the last reportable change'),
  enrich: Type.Optional(EnrichObjectSchema),
};

/** A flow appeared or changed (counters, state, status, mark, labels or helper). */
export const ChangeLineSchema = Type.Object({ event: Type.Union([Type.Literal('new'), Type.Literal('update')]), ...changeProperties });

/** A flow closed: a DESTROY event ("destroy") or absent from a complete dump ("gone"). */
export const DestroyLineSchema = Type.Object({
  event: Type.Literal('destroy'),
  reason: Type.Union([Type.Literal('destroy'), Type.Literal('gone')]),
  ...changeProperties,
});

/** Events were lost and a fresh dump has made the table exact again. */
export const ResyncLineSchema = Type.Object({ event: Type.Literal('resync'), atMs: Ms('epoch ms of the resync') });

/** Table-wide figures, once per refresh (lib/flow-stats.ts TableStats plus the source's health). */
export const StatsLineSchema = Type.Object({
  event: Type.Literal('stats'),
  atMs: Ms('epoch ms of the refresh'),
  total: Count('open flows'),
  max: Nullable(Count('nf_conntrack_max')),
  kernelCount: Nullable(Count("the kernel's own entry count")),
  byProto: Type.Record(Type.String(), Count(), { description: 'open flows per protocol name' }),
  byTcpState: Type.Record(Type.String(), Count(), { description: 'open TCP flows per state; "?" when unknown' }),
  rates: RatesSchema,
  eventsPerSec: Type.Number({ minimum: 0 }),
  droppedEvents: Count('lost-events incidents (ENOBUFS) since start'),
  unknownDestroys: Count(),
  ignoredDumpCopies: Count(),
  dumps: Count('complete dumps applied'),
  failedDumps: Count(),
  resyncs: Count('completed resyncs'),
  lastResyncMs: Nullable(Ms('epoch ms of the last resync')),
  stale: Type.Boolean({ description: 'true from lost events until the resync: the table may differ from the kernel' }),
  closedLingering: Count(),
  droppedChanges: Count(),
  health: Type.Object({ badMessages: Count(), unknownAttrs: Count(), lastProblem: Nullable(Type.String()) }),
});

/** One line of `--events`. */
export const EventsLineSchema = Type.Union([ChangeLineSchema, DestroyLineSchema, ResyncLineSchema, StatsLineSchema], {
  $id: `${ID}:events:v${EVENTS_SCHEMA_VERSION}`,
  title: `conntop --events line, schema version ${EVENTS_SCHEMA_VERSION}`,
});
export type EventsLine = Static<typeof EventsLineSchema>;

/** One line of `--once --json`: the flow object, plus `enrich` with --enrich. */
export const FlowLineSchema = Type.Object({ ...flowProperties, enrich: Type.Optional(EnrichObjectSchema) }, {
  $id: `${ID}:flow:v${EVENTS_SCHEMA_VERSION}`,
  title: `conntop flow (--once --json line), schema version ${EVENTS_SCHEMA_VERSION}`,
});
export type FlowLine = Static<typeof FlowLineSchema>;
