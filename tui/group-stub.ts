// tui/ layer: a stand-in for lib/group.ts (grouping rows with aggregates) until it lands on main.
// Imports lib/ only. One pass over the rows; groups sorted by flow count, then key.
// TODO(#8): replace with lib/group.ts once merged.
import type { Row } from '../lib/row.js';
import type { GroupBy, GroupRow } from './ports.js';

function keyOf(r: Row, by: GroupBy): [string, string] {
  const f = r.flow;
  switch (by) {
    case 'host': {
      const remote = r.enrich?.remote ?? f.orig.dst;
      return [remote, `host:${remote}`];
    }
    case 'port': {
      const p = f.orig.dport;
      const name = r.enrich?.service?.name;
      return p === undefined ? [f.proto, `proto:${f.proto}`] : [`${f.proto}/${name ?? p}`, `proto:${f.proto} dport:${p}`];
    }
    case 'process': {
      const p = r.enrich?.process;
      return p?.kind === 'process' ? [p.name, `process:${p.name}`] : ['(none)', ''];
    }
    case 'country': {
      const c = r.enrich?.geo?.country ?? '';
      return [c || '(none)', c ? `country:${c}` : ''];
    }
    case 'asn': {
      const g = r.enrich?.geo;
      return g?.asn ? [`AS${g.asn} ${g.org ?? ''}`.trim(), ''] : ['(none)', ''];
    }
    case 'state': return [f.state ?? f.proto, f.state ? `state:${f.state.toLowerCase()}` : `proto:${f.proto}`];
  }
}

/** Groups `rows` by `by` with flow counts, bytes and total rates. */
export function groupRowsStub(rows: readonly Row[], by: GroupBy): GroupRow[] {
  const m = new Map<string, GroupRow>();
  for (const r of rows) {
    const [key, filter] = keyOf(r, by);
    let g = m.get(key);
    if (!g) m.set(key, (g = { key, filter, flows: 0, bytes: 0, rateBps: 0 }));
    g.flows++;
    const c = r.flow.counters;
    if (c) g.bytes += c.orig.bytes + c.reply.bytes;
    const rt = r.live?.rates;
    if (rt) g.rateBps += rt.orig.bytesPerSec + rt.reply.bytesPerSec;
  }
  return [...m.values()].sort((a, b) => b.flows - a.flows || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
