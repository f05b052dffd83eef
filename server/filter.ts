// server/ layer: the client-requested server-side filter (protocol.ts FilterSchema) as a predicate on flows.
// Imports lib/ and server/ types only. Every list present must match; an absent or empty filter keeps everything.
import type { Flow } from '../lib/flow.js';
import type { Filter } from './protocol.js';

/** A predicate for `filter`, or null when it keeps every flow (the fast path: no per-flow test). */
export function flowPredicate(filter: Filter | undefined): ((f: Flow) => boolean) | null {
  if (!filter) return null;
  const fam = filter.families?.length ? new Set(filter.families) : null;
  const protos = filter.protocols?.length ? new Set(filter.protocols) : null;
  const ports = filter.ports?.length ? new Set(filter.ports) : null;
  const zones = filter.zones?.length ? new Set(filter.zones) : null;
  const marks = filter.marks?.length ? filter.marks.map((m) => ({ mark: m.mark >>> 0, mask: (m.mask ?? 0xffffffff) >>> 0 })) : null;
  if (!fam && !protos && !ports && !zones && !marks) return null;
  return (f) => {
    if (fam && !fam.has(f.family)) return false;
    if (protos && !protos.has(f.protoNum)) return false;
    if (zones && !zones.has(f.zone)) return false;
    if (ports && !((f.orig.sport !== undefined && ports.has(f.orig.sport)) || (f.orig.dport !== undefined && ports.has(f.orig.dport)))) return false;
    if (marks && !marks.some((m) => ((f.mark & m.mask) >>> 0) === (m.mark & m.mask) >>> 0)) return false;
    return true;
  };
}
