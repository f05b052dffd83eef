// The column registry: unique ids, complete fields, the column list, numeric address and port
// order, the display toggles (bits, totals, names, services, source side), the "…" / blank / "-" cells.
// The comparators' order laws and sort keys over arbitrary rows: fuzz/fields.prop.ts (run by test/fuzz.test.ts).
import t from 'tap';
import { DEFAULT_DISPLAY, FIELDS, PENDING_MARK, compareKeys, fieldById, titleOf, type DisplayOptions } from '../../lib/fields.js';
import { ZERO_RATES } from '../../lib/flow-stats.js';
import type { Row } from '../../lib/row.js';
import { ENRICHED_ROWS, PLAIN_ROWS, enrichment, flow, live } from '../helpers/rows.js';

const show = (id: string, r: Row, o: Partial<DisplayOptions> = {}) => fieldById(id)!.format(r, { ...DEFAULT_DISPLAY, ...o });

t.test('every field is complete and every id unique', async (t) => {
  t.equal(new Set(FIELDS.map((f) => f.id)).size, FIELDS.length, 'unique ids');
  for (const f of FIELDS) {
    t.ok(f.title.length > 0 && f.description.length > 0, `${f.id}: title and description`);
    t.ok(f.width >= f.title.length && f.minWidth >= 1 && f.minWidth <= f.width, `${f.id}: widths hold the title`);
    t.ok(f.minWidth >= Math.min(f.width, f.title.length), `${f.id}: headers are never cut`);
    t.ok(f.priority >= 0 && f.priority <= 100, `${f.id}: priority`);
    for (const fn of [f.format, f.compare, f.sortKey]) t.type(fn, 'function');
  }
  t.equal(fieldById('nope'), undefined);
});

t.test('the columns issue 8 asks for are all there', async (t) => {
  const want = ['proto', 'family', 'state', 'src', 'dst', 'sport', 'dport', 'nat', 'dir', 'country', 'city', 'asn', 'org', 'process', 'pid', 'user',
    'packets', 'pktsTx', 'pktsRx', 'bytes', 'bytesTx', 'bytesRx', 'rate', 'rateTx', 'rateRx', 'age', 'idle', 'timeout', 'mark', 'zone', 'flags', 'id', 'helper', 'labels'];
  for (const id of want) t.ok(fieldById(id), id);
});

const at = (src: string, sport: number): Row => ({ flow: flow({ orig: { src, dst: '10.9.9.9', sport, dport: 80 } }) });

t.test('addresses sort numerically, IPv4 before IPv6; ports numerically', async (t) => {
  const src = fieldById('src')!;
  const rows = ['2001:db8::10', '10.0.0.10', '2001:db8::2', '10.0.0.2', '9.0.0.1'].map((a) => at(a, 1));
  const sorted = [...rows].sort((a, b) => src.compare(a, b, DEFAULT_DISPLAY)).map((r) => r.flow.orig.src);
  t.same(sorted, ['9.0.0.1', '10.0.0.2', '10.0.0.10', '2001:db8::2', '2001:db8::10']);
  const byKey = [...rows].sort((a, b) => compareKeys(src.sortKey(a, DEFAULT_DISPLAY), src.sortKey(b, DEFAULT_DISPLAY))).map((r) => r.flow.orig.src);
  t.same(byKey, sorted, 'the sort key gives the same order');
  const sport = fieldById('sport')!;
  t.ok(sport.compare(at('1.1.1.1', 9), at('1.1.1.1', 10), DEFAULT_DISPLAY) < 0, '9 before 10');
});

t.test('counters and rates: units, bits, totals, and "-" when not measured', async (t) => {
  const [web, dns] = ENRICHED_ROWS;
  t.equal(show('bytes', web), '5.5 MB');
  t.equal(show('bytes', web, { bits: true }), '44 Mb');
  t.equal(show('packets', web), '4.6k');
  t.equal(show('rate', web), '1.3 MB/s');
  t.equal(show('rateTx', web, { bits: true }), '12 kb/s');
  t.equal(show('rate', web, { totals: true }), '5.5 MB', 'totals instead of rates');
  t.equal(titleOf(fieldById('rate')!, { ...DEFAULT_DISPLAY, totals: true }), 'TOTAL');
  t.equal(show('rate', dns), '-', 'no live figures (--once)');
  t.equal(show('age', web), '1m35s');
  t.equal(show('bytes', PLAIN_ROWS[3]), '-', 'no counters (accounting off)');
  t.equal(fieldById('rate')!.magnitude!(web, DEFAULT_DISPLAY), 2, 'MB/s is magnitude 2');
  t.ok(fieldById('bytes')!.descending && fieldById('rate')!.descending, 'counters sort descending by default');
});

t.test('names, services and the source side', async (t) => {
  const [web] = ENRICHED_ROWS;
  t.equal(show('dst', web, { names: true }), 'example.org');
  t.equal(show('src', web, { names: true }), '10.0.0.2', 'the address while no name is known');
  t.equal(show('dport', web, { services: true }), 'https');
  t.equal(show('sport', web, { services: true }), '40001');
  const f = flow({ orig: { src: '198.51.100.7', dst: '10.0.0.2', sport: 50000, dport: 22 }, counters: { orig: { packets: 1, bytes: 100 }, reply: { packets: 1, bytes: 900 } } });
  const inbound: Row = { flow: f, live: live(f, [10, 2000], 0, 0), enrich: enrichment({ dir: 'inbound' }) };
  t.same(['src', 'sport', 'dst', 'dport', 'bytesTx', 'rateTx'].map((id) => show(id, inbound)), ['198.51.100.7', '50000', '10.0.0.2', '22', '100 B', '10 B/s']);
  t.same(['src', 'sport', 'dst', 'dport', 'bytesTx', 'rateTx'].map((id) => show(id, inbound, { source: 'local' })), ['10.0.0.2', '22', '198.51.100.7', '50000', '900 B', '2.0 kB/s'],
    'this host as the source: tuple and TX/RX swapped');
});

t.test('enrichment cells: "…" while pending, blank when known to be none', async (t) => {
  const [web, dns, v6, ping] = ENRICHED_ROWS;
  const ids = ['dir', 'service', 'country', 'city', 'asn', 'org', 'host', 'process', 'pid', 'user'];
  t.same(ids.map((id) => show(id, web)), ['out', 'https', 'US', 'Norwell', 'AS15133', 'Edgecast Inc.', 'example.org', 'firefox', '4242', 'alice']);
  t.same(ids.map((id) => show(id, dns)), ['fwdS', 'domain', '…', '…', '…', '…', '…', '', '', ''], 'GeoIP loading, name pending, forwarded: no process');
  t.same(ids.map((id) => show(id, v6)), ['out', 'https', '', '', '', '', '', '…', '…', '…'], 'nothing found, process pending');
  t.same(ids.map((id) => show(id, ping)), ['loc', '', '', '', '', '', '', '', '', ''], 'known to be none');
  t.same(ids.map((id) => show(id, PLAIN_ROWS[0])), ids.map(() => PENDING_MARK), 'not enriched yet');
  t.equal(PENDING_MARK, '…');
});

t.test('flow columns: NAT, flags, labels, ICMP and GRE keys', async (t) => {
  const [web, dns, v6, ping] = PLAIN_ROWS;
  t.equal(show('nat', dns), 'S 203.0.113.9:61000');
  t.equal(show('nat', web), '');
  t.equal(show('flags', web), 'A');
  t.equal(show('flags', dns), 'S');
  t.equal(show('flags', ping), 'U', 'never replied');
  t.equal(show('labels', v6), '1,5');
  t.equal(show('mark', v6), '16');
  t.equal(show('zone', ping), '3');
  t.equal(show('sport', ping), '8/0');
  t.equal(show('dport', ping), '#77');
  const gre: Row = { flow: flow({ proto: 'gre', protoNum: 47, orig: { src: '10.0.0.1', dst: '10.0.0.2', srcKey: 16, dstKey: 32 } }) };
  t.same([show('sport', gre), show('dport', gre)], ['0x10', '0x20']);
  t.equal(show('timeout', web), '4d23h');
  t.ok(fieldById('nat')!.compare(dns, web, DEFAULT_DISPLAY) < 0, 'NATed flows first');
});

t.test('view code cannot sort or write the shared, frozen parts of a row (checked by tsc)', async (t) => {
  // Never called: each line must fail to compile (`npx tsc -p tsconfig.test.json` reports an unused expectation).
  const mutations = (r: Row): void => {
    // @ts-expect-error status lists are shared between flows and frozen
    r.flow.status.sort();
    // @ts-expect-error the empty label list is shared and frozen
    r.flow.labels.push(1);
    // @ts-expect-error idle flows share the frozen ZERO_RATES
    r.live!.rates.orig.bytesPerSec = 1;
    // @ts-expect-error frozen
    ZERO_RATES.reply.packetsPerSec = 1;
  };
  t.type(mutations, 'function');
  t.ok(Object.isFrozen(ZERO_RATES) && Object.isFrozen(ZERO_RATES.orig), 'ZERO_RATES is frozen at run time too');
});
