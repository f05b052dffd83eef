// lib/ layer (enrich): GeoIP lookups (country, city, ASN, organisation) over MaxMind DB files, with the
// embedded defaults as fallbacks, an IP-keyed bounded cache, reload on change, one warning per bad file.
// Imports `maxmind` and ./ files. File access, clock and warnings are injected; no timers: the owner calls
// poll() from its refresh tick, and the default ASN table is loaded in the background on first need.
import { Reader, type Response } from 'maxmind';
import { canonicalIp } from './addr-class.js';
import { loadAsnCsv, type AsnTable, type ChunkSource } from './asn-table.js';
import {
  DEFAULT_CREDITS, discoverGeoFiles, sameStamp, type FileStamp, type FoundFile, type GeoDefaults, type GeoKind, type StatFn,
} from './geoip-sources.js';
import { BoundedCache } from './lru.js';

/** What is known about one address; a null field is unknown. */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2 code, e.g. "DE". */
  country: string | null;
  /** English city name, only from a City database. */
  city: string | null;
  asn: number | null;
  org: string | null;
  /** True while a database that could answer is still loading (the answer is not cached then). */
  pending?: true;
}

/** Injected I/O and policy. */
export interface GeoIpOptions {
  /** Search path, from geoipSearchDirs(). */
  dirs: readonly string[];
  defaults: GeoDefaults;
  stat: StatFn;
  readFile: (path: string) => Promise<Buffer>;
  /** Text chunks of a file, for the default ASN CSV. */
  openText: ChunkSource;
  /** Monotonic clock in ms. */
  now: () => number;
  /** Receives each problem once, e.g. for the status bar. */
  warn: (message: string) => void;
  /** Called after a database was loaded or replaced, so the caller can redraw. */
  onChange?: () => void;
  cacheEntries?: number;
  cacheTtlMs?: number;
  /** Minimum ms between two file checks in poll(). */
  recheckMs?: number;
}

/** One database in use, for status and credits. */
export interface GeoSourceState {
  role: 'location' | 'asn';
  kind: GeoKind;
  path: string;
  origin: 'user' | 'default';
  state: 'loading' | 'ready';
}

type Rec = Record<string, any>;
interface Source extends Omit<GeoSourceState, 'state' | 'role'> {
  stamp: FileStamp | null;
  /** Null while loading (default ASN CSV). */
  get: ((ip: string) => Rec | null) | null;
}
type Role = 'location' | 'asn';

/** Maps a MaxMind (or ip-location-db) record to GeoInfo fields. */
export function fromRecord(rec: Rec | null): Partial<GeoInfo> {
  if (rec === null || typeof rec !== 'object') return {};
  const out: Partial<GeoInfo> = {};
  const country = rec.country?.iso_code ?? rec.registered_country?.iso_code ?? rec.country_code;
  if (typeof country === 'string') out.country = country;
  if (typeof rec.city?.names?.en === 'string') out.city = rec.city.names.en;
  if (typeof rec.autonomous_system_number === 'number') out.asn = rec.autonomous_system_number;
  const org = rec.autonomous_system_organization ?? rec.organization ?? rec.isp;
  if (typeof org === 'string') out.org = org;
  return out;
}

/** GeoIP over user databases or the embedded defaults. All lookups are synchronous and never throw. */
export class GeoIp {
  readonly #o: GeoIpOptions;
  readonly #cache: BoundedCache<string, GeoInfo>;
  readonly #src: Record<Role, Source | null> = { location: null, asn: null };
  /** path|stamp keys already warned about, so each bad file version is reported once (bounded). */
  readonly #warned: BoundedCache<string, true>;
  #syncing: Promise<void> | null = null;
  #lastCheck = -Infinity;
  #asnLoading = false;
  #closed = false;
  #synced = false;

  constructor(opts: GeoIpOptions) {
    this.#o = opts;
    this.#cache = new BoundedCache({ maxEntries: opts.cacheEntries ?? 4096, ttlMs: opts.cacheTtlMs ?? 600_000, now: opts.now });
    this.#warned = new BoundedCache({ maxEntries: 64, ttlMs: Infinity, now: opts.now });
  }

  /** Finds and opens the databases; resolves when done (never rejects). Call without awaiting at start-up. */
  start(): Promise<void> {
    return this.#sync();
  }

  /** Rechecks the files at most every `recheckMs` (geoipupdate replaces them); cheap when not due. */
  poll(): Promise<void> {
    if (this.#closed || this.#syncing) return this.#syncing ?? Promise.resolve();
    if (this.#o.now() - this.#lastCheck < (this.#o.recheckMs ?? 60_000)) return Promise.resolve();
    return this.#sync();
  }

  /** The databases in use. */
  sources(): GeoSourceState[] {
    return (['location', 'asn'] as const).flatMap((role) => {
      const s = this.#src[role];
      return s ? [{ role, kind: s.kind, path: s.path, origin: s.origin, state: s.get ? 'ready' as const : 'loading' as const }] : [];
    });
  }

  /** Attribution lines for the embedded data in use (the ASN default requires credit under CC BY 4.0). */
  credits(): string[] {
    const out: string[] = [];
    if (this.#src.location?.origin === 'default') out.push(DEFAULT_CREDITS.country);
    if (this.#src.asn?.origin === 'default') out.push(DEFAULT_CREDITS.asn);
    return out;
  }

  /** Country, city, ASN and organisation for `ip` (IPv4-mapped IPv6 is looked up as IPv4). */
  lookup(ip: string): GeoInfo {
    const key = canonicalIp(ip);
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const info: GeoInfo = { country: null, city: null, asn: null, org: null };
    let pending = !this.#synced && !this.#closed;
    for (const role of ['location', 'asn'] as const) {
      const s = this.#src[role];
      if (s === null) continue;
      if (s.get === null) {
        pending = true;
        if (role === 'asn') this.#loadAsnCsv(s);
        continue;
      }
      try {
        const part = fromRecord(s.get(key));
        if (role === 'location') { info.country = part.country ?? null; info.city = part.city ?? null; }
        else { info.asn = part.asn ?? null; info.org = part.org ?? null; }
      } catch (err) {
        this.#fail(role, s, s.stamp, err); // broken search tree or data section: drop this database
      }
    }
    if (pending) return { ...info, pending: true };
    if (!this.#closed) this.#cache.set(key, info);
    return info;
  }

  /** Stops background loading and drops databases and caches; lookups then answer nulls. */
  close(): void {
    this.#closed = true;
    this.#src.location = null;
    this.#src.asn = null;
    this.#cache.clear();
  }

  #sync(): Promise<void> {
    this.#lastCheck = this.#o.now();
    const run = async () => {
      const found = await discoverGeoFiles(this.#o.dirs, this.#o.stat);
      const missing: Role[] = [];
      const pick = async (role: Role, user: FoundFile | undefined) => {
        if (user) await this.#ensure(role, { ...user, origin: 'user' });
        // No user file, or a bad one and nothing older to keep: the embedded default stands in.
        if (user && this.#src[role] !== null) return;
        const fallback = await this.#default(role === 'asn' ? 'asn' : 'country');
        if (fallback || !user) await this.#ensure(role, fallback); // a bad user file was already reported
        if (!fallback && !user && this.#src[role] === null) missing.push(role);
      };
      await Promise.all([pick('location', found.city ?? found.country), pick('asn', found.asn)]);
      this.#warnMissing(missing);
    };
    this.#syncing = run().catch((err) => this.#o.warn(`GeoIP: ${String(err)}`)).finally(() => {
      this.#syncing = null;
      this.#synced = true;
    });
    return this.#syncing;
  }

  async #default(kind: 'country' | 'asn'): Promise<{ kind: GeoKind; path: string; stamp: FileStamp | null; origin: 'default' } | null> {
    const path = kind === 'country' ? this.#o.defaults.countryMmdb : this.#o.defaults.asnCsv?.[0];
    if (!path) return null;
    const stamp = await this.#o.stat(path).catch(() => null);
    return stamp === null ? null : { kind, path, stamp, origin: 'default' };
  }

  async #ensure(role: Role, want: { kind: GeoKind; path: string; stamp: FileStamp | null; origin: 'user' | 'default' } | null): Promise<void> {
    const cur = this.#src[role];
    if (want === null) return; // said by #warnMissing, once for every role that has nothing

    if (cur && cur.path === want.path && sameStamp(cur.stamp, want.stamp)) return;
    if (this.#warned.has(key(want.path, want.stamp))) return; // this version is known bad
    if (want.kind === 'asn' && want.origin === 'default') {
      this.#replace(role, { ...want, get: null }); // CSV loads lazily, on first lookup
      return;
    }
    try {
      const buf = await this.#o.readFile(want.path);
      const reader = new Reader<Response>(buf);
      const get = (ip: string) => reader.get(ip) as Rec | null;
      get('1.1.1.1'); // walks the tree once: a truncated or garbled file fails here rather than per flow
      if (!this.#closed) this.#replace(role, { ...want, get });
    } catch (err) {
      this.#fail(role, null, want.stamp, err, want.path); // keeps the previous version, if any
    }
  }

  #loadAsnCsv(s: Source): void {
    const paths = this.#o.defaults.asnCsv;
    if (this.#asnLoading || !paths) return;
    this.#asnLoading = true;
    loadAsnCsv(this.#o.openText, paths, () => this.#closed || this.#src.asn !== s)
      .then((table: AsnTable) => {
        if (this.#src.asn !== s) return;
        s.get = (ip) => { const r = table.lookup(ip); return r && { autonomous_system_number: r.asn, autonomous_system_organization: r.org }; };
        this.#cache.clear();
        this.#o.onChange?.();
      })
      .catch((err) => {
        if (err?.code !== 'CANCELLED' && this.#src.asn === s) this.#fail('asn', s, s.stamp, err);
      })
      .finally(() => { this.#asnLoading = false; });
  }

  #replace(role: Role, s: Source): void {
    this.#src[role] = s;
    this.#cache.clear();
    if (s.get) this.#o.onChange?.();
  }

  /** Warns once about a bad file version; drops `current` when it is the one that failed. */
  #fail(role: Role, current: Source | null, stamp: FileStamp | null, err: unknown, path = current?.path ?? '?'): void {
    if (current && this.#src[role] === current) {
      this.#src[role] = null;
      this.#cache.clear();
    }
    const msg = err instanceof Error ? err.message : String(err);
    this.#warnOnce(key(path, stamp), `GeoIP: cannot use ${path} (${msg}); going on without it. Replace or delete the file to fix this.`);
  }

  /** One warning for what has no database at all (both kinds in one line, as when the optional packages are omitted). */
  #warnMissing(missing: readonly Role[]): void {
    if (missing.length === 0) return;
    const where = `searched ${this.#o.dirs.join(', ')}`;
    if (missing.length === 2) {
      this.#warnOnce('none|both', `GeoIP: no database found (${where}); countries, ASN and organisations are not shown. Install GeoLite2-Country and GeoLite2-ASN with geoipupdate, or the optional packages @ip-location-db/geo-whois-asn-country-mmdb and @ip-location-db/asn (npm install without --omit=optional).`);
      return;
    }
    this.#warnOnce(`none|${missing[0]}`, missing[0] === 'location'
      ? `GeoIP: no country database found (${where}); countries are not shown. Install GeoLite2 files with geoipupdate, or the optional package @ip-location-db/geo-whois-asn-country-mmdb.`
      : `GeoIP: no ASN database found (${where}); ASN and organisation are not shown. Install GeoLite2-ASN with geoipupdate, or the optional package @ip-location-db/asn.`);
  }

  #warnOnce(k: string, message: string): void {
    if (this.#warned.has(k)) return;
    this.#warned.set(k, true);
    this.#o.warn(message);
  }
}

const key = (path: string, s: FileStamp | null) => `${path}|${s?.ino}|${s?.size}|${s?.mtimeMs}`;
