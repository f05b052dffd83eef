// fuzz/ layer: compiled validators (TypeCompiler) for conntop's JSON output schemas (lib/schema/), open as published
// and "closed" (every object without extra keys), so checks also see that the schema names every key. Used by
// fuzz/schema.prop.ts and the tests. Imports @sinclair/typebox and lib/schema/.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { EventsLineSchema, FlowLineSchema } from '../lib/schema/events.js';

/** A deep copy of `s` whose objects with listed properties allow no others (symbol keys kept by the spread). */
function closed<T>(s: T): T {
  if (Array.isArray(s)) return s.map(closed) as T;
  if (s === null || typeof s !== 'object') return s;
  const out: Record<string | symbol, unknown> = { ...(s as Record<string | symbol, unknown>) };
  for (const k of Object.keys(out)) out[k] = closed(out[k]);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out as T;
}

function checker(schema: TSchema) {
  const open = TypeCompiler.Compile(schema);
  const strict = TypeCompiler.Compile(closed(schema));
  return {
    /** True when `v` validates against the published schema. */
    ok: (v: unknown) => open.Check(v),
    /** True when `v` validates and carries no key the schema does not name. */
    okClosed: (v: unknown) => strict.Check(v),
    /** The first few errors, for a failing assertion's message. */
    why: (v: unknown) => [...strict.Errors(v)].slice(0, 3).map((e) => `${e.path}: ${e.message}`).join('; '),
  };
}

/** Validators of one `--events` line. */
export const eventsLine = checker(EventsLineSchema);
/** Validators of one `--once --json` line. */
export const flowLine = checker(FlowLineSchema);
