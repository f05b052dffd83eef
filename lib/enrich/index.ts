// lib/ layer (enrich): the enrichment package's entry point: the Enricher (./enricher.ts) and every part's
// exports. Imports ./ files only. Loading it loads the GeoIP reader and the resolver: code on a start-up path
// that may not need them imports ./enricher.ts and loads the parts on demand (./compose.ts).
export * from './enricher.js';
export { BoundedCache } from './lru.js';
export * from './addr-class.js';
export * from './direction.js';
export * from './services.js';
export * from './geoip-sources.js';
export { GeoIp, type GeoInfo, type GeoIpOptions, type GeoSourceState } from './geoip.js';
export { ReverseDns, createResolver, parseServer, type RdnsEntry, type ReverseResolver, type ReverseDnsOptions } from './dns.js';
export { InodeIndex, ProcessAttributor, type ProcFs, type ProcessLabel, type SocketInfo, type SocketLookup, type SocketQuery } from './processes.js';
