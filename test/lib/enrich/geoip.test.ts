import t from 'tap';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeoIp, type GeoIpOptions } from '../../../lib/enrich/geoip.js';
import { DEFAULT_CREDITS, discoverGeoFiles, geoipSearchDirs, resolveGeoDefaults, type StatFn } from '../../../lib/enrich/geoip-sources.js';
import { cityDb, FIXTURES } from '../../helpers/geoip-fixtures.js';

const FIX = fileURLToPath(new URL('../../fixtures/geoip/', import.meta.url));
const fix = (name: string) => readFileSync(join(FIX, name));
const realStat: StatFn = async (p) => { const s = await stat(p); return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }; };

function harness(t: { teardown(fn: () => void): void }, over: Partial<GeoIpOptions> & { dirs: string[] }) {
  let now = 0;
  const warnings: string[] = [];
  let changes = 0;
  const waiters: Array<() => void> = [];
  const geo = new GeoIp({
    defaults: { countryMmdb: null, asnCsv: null },
    stat: realStat,
    readFile: (p) => readFile(p),
    openText: (p) => createReadStream(p, { encoding: 'utf8' }),
    now: () => now,
    warn: (m) => warnings.push(m),
    onChange: () => { changes++; waiters.splice(0).forEach((w) => w()); },
    recheckMs: 1000,
    ...over,
  });
  t.teardown(() => geo.close());
  /** Resolves once onChange has fired `n` times in all. */
  const changed = async (n: number) => { while (changes < n) await new Promise<void>((res) => waiters.push(res)); };
  return { geo, warnings, advance: (ms: number) => { now += ms; }, changed };
}
const defaults = { countryMmdb: join(FIX, 'default-country.mmdb'), asnCsv: [join(FIX, 'asn-ipv4.csv'), join(FIX, 'asn-ipv6.csv')] };

t.test('committed fixtures match their generator', async (t) => {
  for (const [name, make] of Object.entries(FIXTURES)) t.same(fix(name), Buffer.from(make()), name);
});

t.test('search path order', async (t) => {
  t.same(geoipSearchDirs({ geoipDir: '/opt/geo', home: '/home/u' }),
    ['/opt/geo', '/home/u/.local/share/GeoIP', '/usr/local/share/GeoIP', '/var/lib/GeoIP', '/usr/share/GeoIP']);
  t.same(geoipSearchDirs({}), ['/usr/local/share/GeoIP', '/var/lib/GeoIP', '/usr/share/GeoIP']);
});

t.test('discovery: city anywhere beats country, first directory wins, commercial first', async (t) => {
  const a = t.testdir({ 'GeoLite2-Country.mmdb': fix('GeoLite2-Country.mmdb'), 'GeoLite2-ASN.mmdb': fix('GeoLite2-ASN.mmdb'), 'GeoIP2-ISP.mmdb': fix('GeoIP2-ISP.mmdb') });
  const b = join(a, 'b');
  await import('node:fs/promises').then((fs) => fs.mkdir(b)).then(() => writeFile(join(b, 'GeoLite2-City.mmdb'), fix('GeoLite2-City.mmdb')));
  await writeFile(join(b, 'GeoLite2-ASN.mmdb'), fix('GeoLite2-ASN.mmdb'));
  const found = await discoverGeoFiles([join(a, 'missing'), a, b], realStat);
  t.equal(found.city?.path, join(b, 'GeoLite2-City.mmdb'));
  t.equal(found.country, undefined, 'country is not needed when a city database exists');
  t.equal(found.asn?.path, join(a, 'GeoIP2-ISP.mmdb'));
});

t.test('user databases: city, ASN, IPv4-mapped, IPv6, unknown', async (t) => {
  const dir = t.testdir({ 'GeoLite2-City.mmdb': fix('GeoLite2-City.mmdb'), 'GeoLite2-ASN.mmdb': fix('GeoLite2-ASN.mmdb') });
  const { geo, warnings } = harness(t, { dirs: [dir], defaults });
  t.equal(geo.lookup('198.51.100.7').pending, true, 'pending before start() finished');
  await geo.start();
  const berlin = { country: 'DE', city: 'Berlin', asn: 64500, org: 'Example Transit' };
  t.same(geo.lookup('198.51.100.7'), berlin);
  t.same(geo.lookup('::ffff:198.51.100.7'), berlin, 'IPv4-mapped IPv6 is looked up as IPv4');
  t.same(geo.lookup('2001:db8:1::5'), { country: 'JP', city: 'Tokyo', asn: 64501, org: 'Example Six' });
  t.same(geo.lookup('203.0.113.5'), { country: 'FR', city: null, asn: null, org: null });
  t.same(geo.lookup('8.8.8.8'), { country: null, city: null, asn: null, org: null });
  t.same(geo.sources().map((s) => [s.role, s.kind, s.origin, s.state]), [['location', 'city', 'user', 'ready'], ['asn', 'asn', 'user', 'ready']]);
  t.same(geo.credits(), [], 'user data needs no credit line');
  t.same(warnings, []);
});

t.test('country database and GeoIP2-ISP organisation', async (t) => {
  const dir = t.testdir({ 'GeoLite2-Country.mmdb': fix('GeoLite2-Country.mmdb'), 'GeoIP2-ISP.mmdb': fix('GeoIP2-ISP.mmdb') });
  const { geo } = harness(t, { dirs: [dir] });
  await geo.start();
  t.same(geo.lookup('198.51.100.1'), { country: 'AT', city: null, asn: 64510, org: 'Example Org' });
  t.equal(geo.lookup('203.0.113.1').country, 'NL', 'registered_country when country is absent');
});

t.test('embedded defaults: country mmdb and the lazily loaded ASN CSV, with credit', async (t) => {
  const { geo, warnings, changed } = harness(t, { dirs: [t.testdir({})], defaults });
  await geo.start();
  const first = geo.lookup('198.51.100.200');
  t.equal(first.country, 'CH');
  t.equal(first.pending, true, 'ASN table still loading: answered without blocking');
  t.equal(geo.sources().find((s) => s.role === 'asn')?.state, 'loading');
  await changed(2); // country opened, then the ASN table loaded
  t.same(geo.lookup('198.51.100.200'), { country: 'CH', city: null, asn: 64498, org: 'Doc Three' });
  t.same(geo.lookup('192.0.2.1'), { country: null, city: null, asn: 64496, org: 'Doc "One", Inc.' });
  t.same(geo.lookup('2001:db8::1'), { country: 'SE', city: null, asn: 64499, org: 'Doc Six' });
  t.same(geo.credits(), [DEFAULT_CREDITS.country, DEFAULT_CREDITS.asn]);
  t.same(warnings, []);
});

t.test('nothing at all (optional packages omitted): one warning that says how to get GeoIP, lookups answer nulls', async (t) => {
  const { geo, warnings, advance } = harness(t, { dirs: [t.testdir({})] });
  await geo.start();
  advance(5000);
  await geo.poll();
  t.equal(warnings.length, 1, 'one line for both kinds');
  t.match(warnings[0], /no database found.*geoipupdate.*@ip-location-db\/geo-whois-asn-country-mmdb and @ip-location-db\/asn/);
  t.same(geo.lookup('198.51.100.1'), { country: null, city: null, asn: null, org: null });
});

t.test('only the ASN data there: one warning, for countries', async (t) => {
  const { geo, warnings } = harness(t, { dirs: [t.testdir({})], defaults: { countryMmdb: null, asnCsv: defaults.asnCsv } });
  await geo.start();
  t.equal(warnings.length, 1);
  t.match(warnings[0], /no country database found.*geo-whois-asn-country-mmdb/);
});

t.test('a corrupt user database: one clear warning, the default stands in', async (t) => {
  const dir = t.testdir({ 'GeoLite2-City.mmdb': fix('corrupt-truncated.mmdb') });
  const { geo, warnings, advance } = harness(t, { dirs: [dir], defaults: { countryMmdb: defaults.countryMmdb, asnCsv: null } });
  await geo.start();
  advance(5000);
  await geo.poll();
  t.equal(warnings.length, 2, 'one for the corrupt file, one for no ASN data; none repeated');
  t.equal(warnings.filter((w) => /cannot use .*GeoLite2-City\.mmdb.*going on without it/.test(w)).length, 1);
  t.equal(geo.lookup('198.51.100.1').country, 'CH');
});

t.test('a search tree that breaks at lookup time drops that database once', async (t) => {
  const dir = t.testdir({ 'GeoLite2-City.mmdb': fix('corrupt-tree.mmdb') });
  const { geo, warnings } = harness(t, { dirs: [dir] });
  await geo.start();
  t.same(warnings.filter((w) => /cannot use/.test(w)), [], 'opens, and the probe address is fine');
  t.equal(geo.lookup('198.51.100.1').country, null, 'a throwing lookup answers null');
  t.equal(geo.lookup('2001:db8:1::1').country, null, 'the database is dropped');
  t.equal(warnings.filter((w) => /cannot use/.test(w)).length, 1);
});

t.test('geoipupdate replacing a file is picked up on poll, without a restart', async (t) => {
  const dir = t.testdir({ 'GeoLite2-City.mmdb': cityDb('Berlin') });
  const statCalls: string[] = [];
  const { geo, warnings, advance } = harness(t, { dirs: [dir], stat: (p) => { statCalls.push(p); return realStat(p); } });
  await geo.start();
  t.equal(geo.lookup('198.51.100.1').city, 'Berlin');
  const before = statCalls.length;
  await geo.poll();
  t.equal(statCalls.length, before, 'not due yet: no file access');
  await writeFile(join(dir, 'new.tmp'), cityDb('Potsdam'));
  await rename(join(dir, 'new.tmp'), join(dir, 'GeoLite2-City.mmdb')); // what geoipupdate does
  advance(1000);
  await geo.poll();
  t.equal(geo.lookup('198.51.100.1').city, 'Potsdam', 'new version, cache flushed');
  await writeFile(join(dir, 'new.tmp'), fix('corrupt-truncated.mmdb'));
  await rename(join(dir, 'new.tmp'), join(dir, 'GeoLite2-City.mmdb'));
  advance(1000);
  await geo.poll();
  t.equal(geo.lookup('198.51.100.1').city, 'Potsdam', 'a bad update keeps the last good version');
  t.equal(warnings.filter((w) => /cannot use/.test(w)).length, 1);
});

t.test('close() cancels the ASN load and empties answers', async (t) => {
  const { geo } = harness(t, { dirs: [t.testdir({})], defaults });
  await geo.start();
  geo.lookup('198.51.100.1'); // starts the CSV load
  geo.close();
  t.same(geo.lookup('198.51.100.1'), { country: null, city: null, asn: null, org: null });
  t.same(geo.sources(), []);
});

t.test('the embedded default package, when installed', async (t) => {
  const d = resolveGeoDefaults((s) => import.meta.resolve(s));
  if (d.countryMmdb === null || !existsSync(d.countryMmdb)) return t.plan(0, '@ip-location-db/geo-whois-asn-country-mmdb not installed');
  const { geo } = harness(t, { dirs: [t.testdir({})], defaults: { countryMmdb: d.countryMmdb, asnCsv: null } });
  await geo.start();
  t.match(geo.lookup('1.1.1.1').country, /^[A-Z]{2}$/);
  t.equal(geo.lookup('10.0.0.1').country, null);
  t.same(resolveGeoDefaults(() => { throw new Error('not found'); }), { countryMmdb: null, asnCsv: null });
});

t.test('the embedded ASN package, when installed', async (t) => {
  const d = resolveGeoDefaults((s) => import.meta.resolve(s));
  if (d.asnCsv === null || !d.asnCsv.every((p) => existsSync(p))) return t.plan(0, '@ip-location-db/asn not installed');
  const { geo, changed } = harness(t, { dirs: [t.testdir({})], defaults: { countryMmdb: null, asnCsv: d.asnCsv } });
  await geo.start();
  t.equal(geo.lookup('1.1.1.1').pending, true, 'the first lookup starts the background load');
  await changed(1);
  t.match(geo.lookup('1.1.1.1'), { asn: 13335, org: /Cloudflare/ });
  t.match(geo.lookup('2001:4860:4860::8888'), { asn: 15169 });
  t.same(geo.credits(), [DEFAULT_CREDITS.asn]);
});
