// tui/ layer: group mode's rows from lib's groupRows (grouping with aggregates): label, flow count, bytes and
// rates of both directions, and the filter text that opens a group. Imports lib/ and tui/ only.
import { printFilter } from '../lib/filter-expr.js';
import { groupRows } from '../lib/group.js';
import type { Row } from '../lib/row.js';
import type { GroupBy, GroupRow } from './ports.js';

/** Groups rows for the view (most flows first), labelled with names and services as the view shows them. */
export function groupForView(rows: readonly Row[], by: GroupBy, opts: { names: boolean; services: boolean } = { names: true, services: true }): GroupRow[] {
  return groupRows(rows, by, { order: 'count', names: opts.names, services: opts.services }).map((g) => ({
    key: g.label || '(unknown)',
    filter: g.filter ? printFilter(g.filter) : '',
    flows: g.count,
    bytes: g.orig.bytes + g.reply.bytes,
    rateBps: g.orig.bytesPerSec + g.reply.bytesPerSec,
  }));
}
