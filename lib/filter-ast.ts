// lib/ layer: the syntax tree of the filter language (README "Filter language") and its fixed vocabularies.
// Imports nothing. Parsed by filter-expr.ts, printed there, compiled to a row predicate by filter-compile.ts.
// Every value in a tree is already canonical (numbers, masked prefixes, known names), so equal text means equal trees.

/** Which end of a flow a term looks at: either, the original source, or the original destination. */
export type Side = 'any' | 'src' | 'dst';
/** Comparison of a metric term. */
export type CmpOp = '<' | '<=' | '=' | '>=' | '>';
/** Keys whose value is a case-insensitive glob (`*`, `?`); `org` and `text` without wildcards match substrings. */
export type PatternKey = 'host' | 'service' | 'org' | 'city' | 'process' | 'user' | 'state' | 'helper' | 'server' | 'text';
/** Keys whose value is a non-negative integer. */
export type NumberKey = 'asn' | 'pid' | 'zone' | 'label' | 'id';
/** Keys compared with a number: bytes and packets (both directions), rate (B/s both directions), age/idle/timeout (s). */
export type MetricKey = 'bytes' | 'packets' | 'rate' | 'age' | 'idle' | 'timeout';
/** Bare keywords: an end is this host, private, public; rates above 0; a closed (ghost) flow. */
export type WordKey = 'local' | 'private' | 'public' | 'active' | 'closed';
/** Direction values of `dir:`, as enrichment computes them. */
export type DirValue = 'in' | 'out' | 'fwd' | 'local';
/** NAT values of `nat:`: source NAT, destination NAT, either, neither. */
export type NatValue = 'snat' | 'dnat' | 'any' | 'none';

/** One condition on a row. */
export type FilterTerm =
  | { kind: 'proto'; protoNum: number }
  | { kind: 'family'; family: 'ipv4' | 'ipv6' }
  | { kind: 'port'; side: Side; lo: number; hi: number }
  /** An address (bits = the family's full length) or a network, as canonical PrefixText. */
  | { kind: 'net'; side: Side; addr: string; bits: number }
  | { kind: 'pattern'; key: PatternKey; pattern: string }
  /** ISO 3166-1 alpha-2, upper case. */
  | { kind: 'country'; code: string }
  | { kind: 'number'; key: NumberKey; value: number }
  | { kind: 'dir'; dir: DirValue }
  | { kind: 'nat'; nat: NatValue }
  /** Matches when (flow.mark & mask) === value; value has no bits outside mask. */
  | { kind: 'mark'; value: number; mask: number }
  /** An IPS_* flag name without the prefix, upper case (one of STATUS_FLAGS). */
  | { kind: 'status'; flag: string }
  | { kind: 'word'; word: WordKey }
  | { kind: 'metric'; key: MetricKey; op: CmpOp; value: number };

/** A filter: terms combined with and, or, not; `all` is the empty filter (matches every row). */
export type FilterExpr =
  | FilterTerm
  | { kind: 'and'; items: FilterExpr[] }
  | { kind: 'or'; items: FilterExpr[] }
  | { kind: 'not'; item: FilterExpr }
  | { kind: 'all' };

/** Protocol names the language reads and prints (Flow.proto's names, plus common others), by number. */
export const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};

/** Extra spellings of protocol names. */
export const PROTO_ALIASES: Readonly<Record<string, number>> = { icmp6: 58, 'ipv6-icmp': 58 };

/** IPS_* status flag names without the prefix, in bit order (a copy of netlink/ct-attrs.ts IPS_NAMES, 6.18). */
export const STATUS_FLAGS: readonly string[] = [
  'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'DST_NAT', 'SEQ_ADJUST', 'SRC_NAT_DONE',
  'DST_NAT_DONE', 'DYING', 'FIXED_TIMEOUT', 'TEMPLATE', 'UNTRACKED', 'HELPER', 'OFFLOAD', 'HW_OFFLOAD',
];

/** Metric keys whose values are durations in seconds (the others are counts, bytes or bytes per second). */
export const DURATION_METRICS: ReadonlySet<MetricKey> = new Set<MetricKey>(['age', 'idle', 'timeout']);

/** The bare keywords of WordKey, plus `ghost` as a spelling of `closed`. */
export const WORDS: Readonly<Record<string, WordKey>> = {
  local: 'local', private: 'private', public: 'public', active: 'active', closed: 'closed', ghost: 'closed',
};

/** Words the lexer reserves: operators and bare keywords (a text search for one of them is written quoted). */
export function isReservedWord(w: string): boolean {
  const l = w.toLowerCase();
  return l === 'or' || l === 'and' || Object.hasOwn(WORDS, l);
}
