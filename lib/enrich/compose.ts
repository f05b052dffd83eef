// lib/ layer (enrich): builds an Enricher from real I/O (fs, os, dns, /proc) for the command line.
// Imports node builtins and ./ files; the socket lookup is passed in (lib/kernel/ owns sockets).
// Every part can be switched off; a part that fails to start gives one warning and conntop goes on.
import { createReadStream } from 'node:fs';
import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import { homedir, networkInterfaces } from 'node:os';
import { LocalAddresses } from './addr-class.js';
import type { ReverseDns } from './dns.js';
import type { GeoIp } from './geoip.js';
import { geoipSearchDirs, resolveGeoDefaults } from './geoip-sources.js';
import { Enricher } from './enricher.js';
import { ProcessAttributor, type ProcessLabel, type SocketLookup } from './processes.js';
import { loadServices } from './services.js';

/** Which enrichment parts to run (the command line's --no-* switches). */
export interface EnrichConfig {
  dns: boolean;
  geoip: boolean;
  geoipDir?: string;
  services: boolean;
  /** The socket lookup for process attribution, or null when --no-processes. */
  sockets: SocketLookup | null;
  warn: (message: string) => void;
  onUpdate?: () => void;
  /** Each flow is enriched once (--once): nothing is remembered per flow (Enricher's rememberDerived false). */
  onePass?: boolean;
  /** Client mode: processes a server shared, by flowKey (see EnricherOptions.processOf). */
  processOf?: (key: string) => ProcessLabel | undefined;
}

const monotonicMs = (): number => performance.now();

/** Builds the enricher; GeoIP databases open in the background (`ready` resolves when the first ones are in). */
export async function composeEnricher(cfg: EnrichConfig): Promise<{ enricher: Enricher; geo: GeoIp | null; dns: ReverseDns | null }> {
  const services = cfg.services ? await loadServices((p) => readFile(p, 'utf8')) : null;
  let geo: GeoIp | null = null;
  if (cfg.geoip) {
    // Loaded on demand, as the resolver below: the GeoIP reader (maxmind, a dozen modules) and node:dns cost
    // start-up time that -n --no-geoip runs (the --once table) do not need.
    const { GeoIp } = await import('./geoip.js');
    geo = new GeoIp({
      dirs: geoipSearchDirs({ geoipDir: cfg.geoipDir, home: safeHome() }),
      defaults: resolveGeoDefaults((s) => import.meta.resolve(s)),
      stat: async (p) => {
        const s = await stat(p);
        return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
      },
      readFile: (p) => readFile(p),
      // 64 KiB chunks (about 1,500 rows each, parsed in one go): event-loop stalls under ~15 ms; 1 MiB chunks stalled it 40-60 ms.
      openText: (p) => createReadStream(p, { encoding: 'utf8', highWaterMark: 1 << 16 }),
      now: monotonicMs,
      warn: cfg.warn,
      onChange: cfg.onUpdate,
    });
    await geo.start().catch((e: unknown) => cfg.warn(`GeoIP off: ${e instanceof Error ? e.message : String(e)}`));
  }
  let dns: ReverseDns | null = null;
  if (cfg.dns) {
    const { ReverseDns, createResolver } = await import('./dns.js');
    dns = new ReverseDns({ resolver: createResolver({ timeoutMs: 1000, tries: 2 }), now: monotonicMs });
  }
  const processes = cfg.sockets
    ? new ProcessAttributor({ sockets: cfg.sockets, fs: { readdir, readlink, readFile: (p) => readFile(p, 'utf8') }, now: monotonicMs, readPasswd: () => readFile('/etc/passwd', 'utf8') })
    : null;
  const local = new LocalAddresses(networkInterfaces);
  local.refresh();
  const enricher = new Enricher({ now: monotonicMs, local, services, geo, dns, processes, processOf: cfg.processOf, selfPid: process.pid, onUpdate: cfg.onUpdate, rememberDerived: !cfg.onePass });
  return { enricher, geo, dns };
}

function safeHome(): string | null {
  try {
    return homedir();
  } catch {
    return null;
  }
}
