// lib/ layer (enrich): where GeoIP data comes from: the search path, the MaxMind file names,
// discovery through an injected stat, and the embedded defaults shipped as optional npm packages.
// Imports `node:path` and `node:url` only. Module resolution is injected (the CLI passes import.meta.resolve).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a database answers: city (includes country), country, or ASN/organisation. */
export type GeoKind = 'city' | 'country' | 'asn';

/** File names per kind, commercial first; the first one found in the first directory wins. */
export const GEOIP_FILES: Readonly<Record<GeoKind, readonly string[]>> = {
  city: ['GeoIP2-City.mmdb', 'GeoLite2-City.mmdb'],
  country: ['GeoIP2-Country.mmdb', 'GeoLite2-Country.mmdb'],
  asn: ['GeoIP2-ISP.mmdb', 'GeoLite2-ASN.mmdb'],
};

/** Directories searched in order: `--geoip-dir`, then the per-user and system locations geoipupdate uses. */
export function geoipSearchDirs(opts: { geoipDir?: string | null; home?: string | null }): string[] {
  const dirs: string[] = [];
  if (opts.geoipDir) dirs.push(opts.geoipDir);
  if (opts.home) dirs.push(join(opts.home, '.local/share/GeoIP'));
  dirs.push('/usr/local/share/GeoIP', '/var/lib/GeoIP', '/usr/share/GeoIP');
  return dirs;
}

/** The identity of a file version: a change in any field means geoipupdate replaced it. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Injected stat: resolves with the stamp, or rejects (ENOENT, EACCES, ...). */
export type StatFn = (path: string) => Promise<FileStamp>;

export const sameStamp = (a: FileStamp | null, b: FileStamp | null): boolean =>
  a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** A user database found on disk. */
export interface FoundFile {
  kind: GeoKind;
  path: string;
  stamp: FileStamp;
}

/** The first existing file per kind over `dirs`; country is skipped when a city database is found. */
export async function discoverGeoFiles(dirs: readonly string[], stat: StatFn): Promise<Partial<Record<GeoKind, FoundFile>>> {
  const out: Partial<Record<GeoKind, FoundFile>> = {};
  for (const kind of ['city', 'country', 'asn'] as const) {
    if (kind === 'country' && out.city) continue;
    search: for (const dir of dirs) {
      for (const name of GEOIP_FILES[kind]) {
        const path = join(dir, name);
        try {
          out[kind] = { kind, path, stamp: await stat(path) };
          break search;
        } catch {
          // not here: keep looking
        }
      }
    }
  }
  return out;
}

/** Embedded defaults: absolute paths inside optional npm packages, null when the package is not installed. */
export interface GeoDefaults {
  /** A country mmdb (CC0), used only when no user city or country database is found. */
  countryMmdb: string | null;
  /** ASN CSV files, IPv4 then IPv6 (CC BY 4.0), used only when no user ASN database is found. */
  asnCsv: string[] | null;
}

/** npm package holding the default country database (CC0-1.0). */
export const DEFAULT_COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
/** npm package holding the default ASN CSV (CC BY 4.0: RouteViews, DB-IP, NRO). */
export const DEFAULT_ASN_PACKAGE = '@ip-location-db/asn';

/** Attribution for each embedded default, to be shown wherever its data is used. */
export const DEFAULT_CREDITS = {
  country: 'Country data: ip-location-db geo-whois-asn-country (CC0 1.0)',
  asn: 'ASN data: RouteViews, DB-IP (db-ip.com) and NRO, via ip-location-db, licensed CC BY 4.0',
} as const;

/**
 * Finds the embedded default files with `resolve` (a module specifier to a file: URL, e.g.
 * `import.meta.resolve`); a package that is not installed yields null, never an error.
 */
export function resolveGeoDefaults(resolve: (specifier: string) => string): GeoDefaults {
  const pkgDir = (name: string): string | null => {
    try {
      return dirname(fileURLToPath(resolve(`${name}/package.json`)));
    } catch {
      return null;
    }
  };
  const c = pkgDir(DEFAULT_COUNTRY_PACKAGE);
  const a = pkgDir(DEFAULT_ASN_PACKAGE);
  return {
    countryMmdb: c === null ? null : join(c, 'geo-whois-asn-country.mmdb'),
    asnCsv: a === null ? null : [join(a, 'asn-ipv4.csv'), join(a, 'asn-ipv6.csv')],
  };
}
