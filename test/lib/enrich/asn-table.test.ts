import t from 'tap';
import { AsnTable, loadAsnCsv, MAX_ASN_ROWS, parseAsnCsvLine } from '../../../lib/enrich/asn-table.js';

async function* chunks(text: string, size: number): AsyncIterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const V4 = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""',
  '8.8.8.0,8.8.8.255,15169,Google LLC',
  '8.8.4.0,8.8.4.255,15169,Google LLC', // out of order: skipped
  'garbage',
  '9.0.0.0,9.0.0.255,notanumber,X',
].join('\r\n');
const V6 = '2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC';

t.test('CSV lines', async (t) => {
  t.same(parseAsnCsvLine('1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."'), ['1.0.0.0', '1.0.0.255', 13335, 'Cloudflare, Inc.']);
  t.same(parseAsnCsvLine('a,b,1,"say ""hi"""'), ['a', 'b', 1, 'say "hi"']);
  t.equal(parseAsnCsvLine('a,b'), null);
  t.equal(parseAsnCsvLine('a,b,-1,x'), null);
});

t.test('loads in chunks of any size, then answers by binary search', async (t) => {
  for (const size of [1, 7, 64, 1 << 16]) {
    const table = await loadAsnCsv((p) => chunks(p === 'v4' ? V4 : V6, size), ['v4', 'v6']);
    t.equal(table.rows, 5, `chunk size ${size}`);
    t.equal(table.skipped, 3);
    t.same(table.lookup('1.0.0.1'), { asn: 13335, org: 'Cloudflare, Inc.' });
    t.same(table.lookup('1.0.0.255'), { asn: 13335, org: 'Cloudflare, Inc.' }, 'inclusive end');
    t.equal(table.lookup('1.0.1.0'), null, 'gap');
    t.equal(table.lookup('0.255.255.255'), null, 'before the first range');
    t.same(table.lookup('2.26.210.1'), { asn: 201907, org: 'LLC "SPUTNIK"' });
    t.same(table.lookup('8.8.8.8'), { asn: 15169, org: 'Google LLC' });
    t.same(table.lookup('2001:200:1b9::1'), { asn: 2500, org: 'WIDE Project' });
    t.same(table.lookup('2001:4860:4860::8888'), { asn: 15169, org: 'Google LLC' });
    t.equal(table.lookup('2001:4861::'), null);
    t.equal(table.lookup('not an ip'), null);
  }
});

t.test('a cancelled load rejects with CANCELLED', async (t) => {
  let calls = 0;
  await t.rejects(loadAsnCsv(() => chunks(V4, 4), ['v4'], () => ++calls > 3), { code: 'CANCELLED' });
});

t.test('row bound', async (t) => {
  t.ok(MAX_ASN_ROWS >= 1_000_000);
  const table = new AsnTable();
  t.ok(table.addLine('10.0.0.0,10.0.0.255,1,A'));
  t.notOk(table.addLine('10.0.0.0,10.0.0.255,1,A'), 'overlap rejected');
  t.notOk(table.addLine('10.0.2.0,10.0.1.0,1,A'), 'end before start rejected');
});
