// Tests for server/filter.ts: each filter list alone, lists combined, and the no-filter fast path.
import t from 'tap';
import { flowPredicate } from '../../server/filter.js';
import { mkFlow } from '../helpers/serve-harness.js';

const v6 = mkFlow(2, { family: 'ipv6', proto: 'udp', protoNum: 17, orig: { src: '2001:db8::1', dst: '2001:db8::2', sport: 5353, dport: 53 }, mark: 0x1f, zone: 3 });
const v4 = mkFlow(1, { mark: 0x10 }); // tcp, sport 1025, dport 443, zone 0

t.equal(flowPredicate(undefined), null);
t.equal(flowPredicate({}), null);
t.equal(flowPredicate({ families: [], ports: [] }), null, 'empty lists keep everything');
const cases: { name: string; filter: Parameters<typeof flowPredicate>[0]; want: [boolean, boolean] }[] = [
  { name: 'family', filter: { families: ['ipv6'] }, want: [false, true] },
  { name: 'protocol', filter: { protocols: [6] }, want: [true, false] },
  { name: 'source port', filter: { ports: [1025] }, want: [true, false] },
  { name: 'destination port', filter: { ports: [53] }, want: [false, true] },
  { name: 'mark exact', filter: { marks: [{ mark: 0x10 }] }, want: [true, false] },
  { name: 'mark with mask', filter: { marks: [{ mark: 0x10, mask: 0xf0 }] }, want: [true, true] },
  { name: 'zone', filter: { zones: [3] }, want: [false, true] },
  { name: 'all lists must match', filter: { families: ['ipv6'], ports: [1025] }, want: [false, false] },
];
for (const c of cases) t.same([flowPredicate(c.filter)!(v4), flowPredicate(c.filter)!(v6)], c.want, c.name);
