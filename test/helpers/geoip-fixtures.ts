// test helper: the GeoIP fixtures, generated from this file with mmdb-writer.ts. Run it to rewrite
// test/fixtures/geoip/ (`node --import @tapjs/typescript/import test/helpers/geoip-fixtures.ts`);
// geoip.test.ts checks that the committed files match. All networks are documentation prefixes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeMmdb } from './mmdb-writer.js';

const city = (iso: string, en?: string) => ({ country: { iso_code: iso, names: { en: iso } }, ...(en ? { city: { names: { en } } } : {}) });

/** A City database that answers Berlin for 198.51.100.0/24, Tokyo for 2001:db8:1::/48, FR for 203.0.113.0/24. */
export const cityDb = (berlin = 'Berlin') => writeMmdb([
  { network: '198.51.100.0/24', data: city('DE', berlin) },
  { network: '203.0.113.0/24', data: city('FR') },
  { network: '2001:db8:1::/48', data: city('JP', 'Tokyo') },
], { databaseType: 'GeoLite2-City' });

/** Country answers that differ from cityDb, to tell which database answered. */
export const countryDb = () => writeMmdb([
  { network: '198.51.100.0/24', data: { country: { iso_code: 'AT' } } },
  { network: '203.0.113.0/24', data: { registered_country: { iso_code: 'NL' } } },
], { databaseType: 'GeoLite2-Country' });

export const asnDb = () => writeMmdb([
  { network: '198.51.100.0/24', data: { autonomous_system_number: 64500, autonomous_system_organization: 'Example Transit' } },
  { network: '2001:db8:1::/48', data: { autonomous_system_number: 64501, autonomous_system_organization: 'Example Six' } },
], { databaseType: 'GeoLite2-ASN' });

export const ispDb = () => writeMmdb([
  { network: '198.51.100.0/24', data: { autonomous_system_number: 64510, isp: 'Example ISP', organization: 'Example Org' } },
], { databaseType: 'GeoIP2-ISP' });

/** Shaped like @ip-location-db/geo-whois-asn-country-mmdb: `{ country_code }`. */
export const defaultCountryDb = () => writeMmdb([
  { network: '198.51.100.0/24', data: { country_code: 'CH' } },
  { network: '2001:db8::/32', data: { country_code: 'SE' } },
], { databaseType: 'country ipvAll' });

/** Shaped like @ip-location-db/asn's CSV files (inclusive ranges, quoted orgs with "" escapes). */
export const defaultAsnV4 = () => [
  '192.0.2.0,192.0.2.255,64496,"Doc ""One"", Inc."',
  '198.51.100.0,198.51.100.127,64497,Doc Two',
  '198.51.100.128,198.51.100.255,64498,Doc Three',
  'this line is not csv',
  '',
].join('\n');
export const defaultAsnV6 = () => '2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,64499,Doc Six\n';

/** A City file cut short: the metadata marker is gone. */
export const truncatedDb = () => cityDb().subarray(0, 200);

/**
 * A City file whose IPv4 tree is broken on one side only: the right record of the IPv4 start node
 * (reached by 96 left turns, 32-bit records) points far past the data. It opens, 1.1.1.1 answers (no
 * data), and 128.0.0.0/1 (198.51.100.x) throws at lookup time.
 */
export function brokenTreeDb(): Buffer {
  const b = Buffer.from(cityDb());
  let node = 0;
  for (let i = 0; i < 96; i++) node = b.readUInt32BE(node * 8);
  b.writeUInt32BE(0xfffffff0, node * 8 + 4);
  return b;
}

export const FIXTURES: Record<string, () => Buffer | string> = {
  'GeoLite2-City.mmdb': () => cityDb(),
  'GeoLite2-Country.mmdb': countryDb,
  'GeoLite2-ASN.mmdb': asnDb,
  'GeoIP2-ISP.mmdb': ispDb,
  'default-country.mmdb': defaultCountryDb,
  'asn-ipv4.csv': defaultAsnV4,
  'asn-ipv6.csv': defaultAsnV6,
  'corrupt-truncated.mmdb': truncatedDb,
  'corrupt-tree.mmdb': brokenTreeDb,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = new URL('../fixtures/geoip/', import.meta.url);
  for (const [name, make] of Object.entries(FIXTURES)) writeFileSync(new URL(name, dir), make());
}
