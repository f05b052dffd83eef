// Tests of lib/group.ts: keys and labels per grouping, totals per direction, member keys, order and its
// tie-breaking, and that each group's filter selects exactly its members among the rows grouped.
import t from 'tap';
import { compileFilter } from '../../lib/filter-expr.js';
import { flowKey } from '../../lib/flow.js';
import { NONE_GROUP, UNKNOWN_GROUP, groupRows, memberKey, memberPredicate, type GroupBy } from '../../lib/group.js';
import type { Row } from '../../lib/row.js';
import { natFlow as flow, row } from '../helpers/rows.js';

const google = { country: 'US', city: null, asn: 15169, org: 'Google LLC' };
const rows: Row[] = [
  row({ id: 1 }),
  row({ id: 2, orig: { src: '10.0.0.5', dst: '93.184.216.34', sport: 51001, dport: 443 } }),
  row({ id: 3, orig: { src: '10.0.0.5', dst: '8.8.8.8', sport: 40000, dport: 53 }, proto: 'udp', protoNum: 17, state: null, counters: undefined },
    { service: { side: 'server', port: 53, name: 'domain' }, geo: google, rdns: { src: null, dst: 'dns.google' }, process: null }, { rates: { orig: { bytesPerSec: 1, packetsPerSec: 1 }, reply: { bytesPerSec: 2, packetsPerSec: 1 } } }),
  row({ id: 4, orig: { src: '203.0.113.9', dst: '10.0.0.5', sport: 50000, dport: 22 }, state: 'SYN_RECV' },
    { dir: 'inbound', service: { side: 'server', port: 22, name: 'ssh' }, geo: { country: 'DE', city: null, asn: null, org: null }, rdns: { src: null, dst: null }, process: { kind: 'process', pid: 1, name: 'sshd', uid: 0, user: 'root', cmdline: 'sshd' } }),
  { flow: flow({ id: 5, orig: { src: '10.0.0.5', dst: '1.1.1.1', type: 8, code: 0, icmpId: 7 }, proto: 'icmp', protoNum: 1, state: null }) },
];

const summary = (by: GroupBy) => groupRows(rows, by).map((g) => [g.key, g.label, g.count]);

t.test('keys, labels and counts per grouping', async (t) => {
  t.same(summary('host'), [['93.184.216.34', 'www.example.com', 2], ['1.1.1.1', '1.1.1.1', 1], ['203.0.113.9', '203.0.113.9', 1], ['8.8.8.8', 'dns.google', 1]]);
  t.same(groupRows(rows, 'host', { names: false }).map((g) => g.label), ['93.184.216.34', '1.1.1.1', '203.0.113.9', '8.8.8.8']);
  t.same(summary('service'), [['tcp/443', 'https', 2], ['icmp', 'icmp', 1], ['tcp/22', 'ssh', 1], ['udp/53', 'domain', 1]]);
  t.same(groupRows(rows, 'service', { services: false }).map((g) => g.label), ['tcp/443', 'icmp', 'tcp/22', 'udp/53']);
  t.same(summary('process'), [[UNKNOWN_GROUP, '(unknown)', 2], ['firefox', 'firefox', 2], ['sshd', 'sshd', 1]], 'ties by key');
  t.same(summary('country'), [['US', 'US', 3], [UNKNOWN_GROUP, '(unknown)', 1], ['DE', 'DE', 1]]);
  t.same(summary('asn'), [[UNKNOWN_GROUP, '(unknown)', 2], ['AS15133', 'AS15133 Edgecast Inc.', 2], ['AS15169', 'AS15169 Google LLC', 1]]);
  t.same(summary('state'), [[NONE_GROUP, '(no state)', 2], ['ESTABLISHED', 'ESTABLISHED', 2], ['SYN_RECV', 'SYN_RECV', 1]]);
});

t.test('totals per direction, rates, members', async (t) => {
  const [web, , , dns] = groupRows(rows, 'host');
  t.same(web.orig, { bytes: 3000, packets: 20, bytesPerSec: 200, packetsPerSec: 2 });
  t.same(web.reply, { bytes: 4_000_000, packets: 40, bytesPerSec: 40_000, packetsPerSec: 30 });
  t.same(web.members, ['key-1', 'key-2']);
  t.same(dns.orig, { bytes: 0, packets: 0, bytesPerSec: 1, packetsPerSec: 1 }, 'no counters add 0');
  const icmp = groupRows(rows, 'host').find((g) => g.key === '1.1.1.1')!;
  t.same(icmp.members, [flowKey(rows[4].flow)], 'a row without live figures is named by flowKey');
  t.same(icmp.reply.bytesPerSec, 0);
});

t.test('orders, inversion and tie-breaking by key', async (t) => {
  t.same(groupRows(rows, 'host', { order: 'bytes' }).map((g) => g.key), ['93.184.216.34', '1.1.1.1', '203.0.113.9', '8.8.8.8']);
  t.same(groupRows(rows, 'host', { order: 'rate' }).map((g) => g.key), ['93.184.216.34', '203.0.113.9', '8.8.8.8', '1.1.1.1']);
  t.same(groupRows(rows, 'host', { order: 'name', names: false }).map((g) => g.key), ['1.1.1.1', '203.0.113.9', '8.8.8.8', '93.184.216.34']);
  t.same(groupRows(rows, 'host', { order: 'count', invert: true }).map((g) => g.key), ['8.8.8.8', '203.0.113.9', '1.1.1.1', '93.184.216.34']);
  const shuffled = [rows[3], rows[0], rows[4], rows[2], rows[1]];
  t.same(groupRows(shuffled, 'service').map((g) => g.key), groupRows(rows, 'service').map((g) => g.key), 'order does not depend on row order');
  t.same(groupRows([], 'host'), []);
});

t.test('each group\'s filter and member predicate select exactly its members', async (t) => {
  for (const by of ['host', 'service', 'process', 'country', 'asn', 'state'] as GroupBy[]) {
    for (const g of groupRows(rows, by)) {
      t.same(rows.filter(memberPredicate(g)).map(memberKey), g.members, `${by} ${g.key} members`);
      if (g.filter === null) continue;
      const p = compileFilter(g.filter);
      t.same(rows.filter(p).map(memberKey), g.members, `${by} ${g.key}`);
    }
  }
});
