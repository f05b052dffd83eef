// lib/ layer: compiles a FilterExpr into a predicate on Row, and says which enrichment a filter reads.
// Imports ./filter-ast.ts, ./ip-prefix.ts, ./flow-stats.ts and lib types. Values are prepared once (prefixes as
// groups, globs as RegExps); a call allocates nothing. Logic is three-valued (Kleene): a term whose data is not
// known yet (no enrichment, a pending process or GeoIP answer, no counters) is unknown, `!unknown` stays unknown,
// and an unknown result does not match (unless CompileOptions.unknownMatches).
import type { FilterExpr, FilterTerm, MetricKey, PatternKey, WordKey } from './filter-ast.js';
import { allZero } from './flow-stats.js';
import type { Flow } from './flow.js';
import { addrInto, inPrefix, prefixGroups } from './ip-prefix.js';
import type { AddrClass } from './enrich/addr-class.js';
import type { Row } from './row.js';

/** A compiled filter: true when the row matches. */
export type RowPredicate = (row: Row) => boolean;
/** Options of compileFilter. */
export interface CompileOptions {
  /** Let rows whose match depends on data not known yet through (default false: they do not match). */
  unknownMatches?: boolean;
}
/** Enrichment a filter reads: derived fields (direction, classes, service), reverse DNS, GeoIP, process. */
export type EnrichmentNeed = 'derived' | 'dns' | 'geo' | 'process';

const F = 0, T = 1, U = 2;
type Truth = typeof F | typeof T | typeof U;
type Pred = (row: Row) => Truth;

const truth = (b: boolean): Truth => (b ? T : F);

/** A case-insensitive RegExp: `*` any run, `?` one character; without either, a substring when `substring`. */
export function globRegExp(pattern: string, substring: boolean): RegExp {
  const wild = /[*?]/.test(pattern);
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(wild || !substring ? `^${body}$` : body, 'is');
}

/** Private ranges: RFC 1918, shared address space (RFC 6598), unique local (RFC 4193). */
const PRIVATE_NETS: readonly [string, number][] = [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['fc00::', 7]];
const LOCAL: ReadonlySet<AddrClass> = new Set<AddrClass>(['loopback', 'this-host']);

function hasFlag(f: Flow, flag: string): boolean {
  for (let i = 0; i < f.status.length; i++) if (f.status[i] === flag) return true;
  return false;
}

function compilePattern(key: PatternKey, pattern: string): Pred {
  const re = globRegExp(pattern, key === 'org' || key === 'text');
  const m = (s: string | null | undefined) => s !== null && s !== undefined && re.test(s);
  switch (key) {
    case 'state': return (r) => truth(m(r.flow.state));
    case 'helper': return (r) => truth(m(r.flow.helper));
    // Flows of one server (several -c) carry no host: a local or single-server table matches no server: term.
    case 'server': return (r) => truth(m(r.flow.host));
    case 'city': return (r) => (!r.enrich || r.enrich.geo?.pending ? U : truth(m(r.enrich.geo?.city)));
    // A name still being looked up (rdnsPending) is unknown; a name known to be absent is no match.
    case 'host': return (r) => (!r.enrich ? U : m(r.enrich.rdns.src) || m(r.enrich.rdns.dst) ? T : r.enrich.rdnsPending ? U : F);
    case 'service': return (r) => (r.enrich ? truth(m(r.enrich.service?.name)) : U);
    case 'org': return (r) => (!r.enrich ? U : r.enrich.geo?.pending ? U : truth(m(r.enrich.geo?.org)));
    case 'process': return (r) => {
      const p = r.enrich ? r.enrich.process : null;
      return p === null ? U : truth(p?.kind === 'process' && m(p.name));
    };
    case 'user': {
      const uid = /^[0-9]+$/.test(pattern) ? Number(pattern) : -1;
      return (r) => {
        const p = r.enrich ? r.enrich.process : null;
        if (p === null) return U;
        if (p === undefined || (p.kind !== 'process' && p.kind !== 'no-owner' && p.kind !== 'hidden')) return F;
        return truth(p.uid === uid || (p.kind === 'process' && m(p.user)));
      };
    }
    case 'text': return (r) => {
      const o = r.flow.orig, y = r.flow.reply;
      if (m(o.src) || m(o.dst) || m(y.src) || m(y.dst)) return T;
      const e = r.enrich;
      if (!e) return U;
      if (m(e.rdns.src) || m(e.rdns.dst) || m(e.service?.name)) return T;
      const p = e.process;
      if (p?.kind === 'process' && m(p.name)) return T;
      return p === null || e.rdnsPending ? U : F;
    };
  }
}

function compileTerm(t: FilterTerm): Pred {
  switch (t.kind) {
    case 'proto': return (r) => truth(r.flow.protoNum === t.protoNum);
    case 'family': return (r) => truth(r.flow.family === t.family);
    case 'port': {
      const { lo, hi } = t;
      const m = (p: number | undefined) => p !== undefined && p >= lo && p <= hi;
      if (t.side === 'src') return (r) => truth(m(r.flow.orig.sport));
      if (t.side === 'dst') return (r) => truth(m(r.flow.orig.dport));
      return (r) => truth(m(r.flow.orig.sport) || m(r.flow.orig.dport) || m(r.flow.reply.sport) || m(r.flow.reply.dport));
    }
    case 'net': {
      const { groups, bits128 } = prefixGroups(t);
      const scratch = new Uint16Array(8); // this predicate's own buffer: calls never interleave
      const m = (a: string) => addrInto(a, scratch) && inPrefix(scratch, groups, bits128);
      if (t.side === 'src') return (r) => truth(m(r.flow.orig.src));
      if (t.side === 'dst') return (r) => truth(m(r.flow.orig.dst));
      return (r) => truth(m(r.flow.orig.src) || m(r.flow.orig.dst) || m(r.flow.reply.src) || m(r.flow.reply.dst));
    }
    case 'pattern': return compilePattern(t.key, t.pattern);
    case 'country': return (r) => (!r.enrich || r.enrich.geo?.pending ? U : truth(r.enrich.geo?.country === t.code));
    case 'number': return compileNumber(t);
    case 'dir': {
      const want = { in: 'inbound', out: 'outbound', fwd: 'forwarded', local: 'local' }[t.dir];
      return (r) => (r.enrich ? truth(r.enrich.dir === want) : U);
    }
    case 'nat': {
      const nat = t.nat;
      return (r) => {
        const e = r.enrich;
        // Without enrichment the status bits say it (events may lack them; enrichment also compares the tuples).
        const snat = e ? e.nat === 'snat' || e.nat === 'both' : hasFlag(r.flow, 'SRC_NAT');
        const dnat = e ? e.nat === 'dnat' || e.nat === 'both' : hasFlag(r.flow, 'DST_NAT');
        return truth(nat === 'snat' ? snat : nat === 'dnat' ? dnat : nat === 'any' ? snat || dnat : !snat && !dnat);
      };
    }
    case 'mark': return (r) => truth(((r.flow.mark & t.mask) >>> 0) === t.value);
    case 'status': return (r) => truth(hasFlag(r.flow, t.flag));
    case 'word': return compileWord(t.word);
    case 'metric': {
      const get = metricGetter(t.key);
      const { op, value: v } = t;
      return (r) => {
        const x = get(r);
        if (x !== x) return U; // NaN: not known
        return truth(op === '>' ? x > v : op === '>=' ? x >= v : op === '<' ? x < v : op === '<=' ? x <= v : x === v);
      };
    }
  }
}

function compileNumber(t: Extract<FilterTerm, { kind: 'number' }>): Pred {
  const v = t.value;
  switch (t.key) {
    case 'asn': return (r) => (!r.enrich || r.enrich.geo?.pending ? U : truth(r.enrich.geo?.asn === v));
    case 'pid': return (r) => {
      const p = r.enrich ? r.enrich.process : null;
      return p === null ? U : truth(p?.kind === 'process' && p.pid === v);
    };
    case 'zone': return (r) => truth(r.flow.zone === v || r.flow.orig.zone === v || r.flow.reply.zone === v);
    case 'id': return (r) => truth(r.flow.id === v);
    case 'label': return (r) => {
      const l = r.flow.labels;
      for (let i = 0; i < l.length; i++) if (l[i] === v) return T;
      return F;
    };
  }
}

function compileWord(w: WordKey): Pred {
  switch (w) {
    case 'local': return (r) => (r.enrich ? truth(LOCAL.has(r.enrich.classes.src) || LOCAL.has(r.enrich.classes.dst)) : U);
    // By address, not by class: this host's own 10.x address is classed this-host, yet it is private.
    case 'private': return compileExpr({ kind: 'or', items: PRIVATE_NETS.map(([addr, bits]): FilterTerm => ({ kind: 'net', side: 'any', addr, bits })) });
    case 'public': return (r) => (r.enrich ? truth(r.enrich.classes.src === 'public' || r.enrich.classes.dst === 'public') : U);
    case 'active': return (r) => truth(r.live !== undefined && r.live.closed === null && !allZero(r.live.rates));
    case 'closed': return (r) => truth(r.live !== undefined && r.live.closed !== null);
  }
}

/** A metric's value in its unit (bytes, packets, bytes/s, seconds), NaN when the row does not know it. */
function metricGetter(key: MetricKey): (r: Row) => number {
  switch (key) {
    case 'bytes': return (r) => (r.flow.counters ? r.flow.counters.orig.bytes + r.flow.counters.reply.bytes : NaN);
    case 'packets': return (r) => (r.flow.counters ? r.flow.counters.orig.packets + r.flow.counters.reply.packets : NaN);
    case 'rate': return (r) => (r.live ? r.live.rates.orig.bytesPerSec + r.live.rates.reply.bytesPerSec : NaN);
    case 'age': return (r) => (r.live ? r.live.ageMs / 1000 : NaN);
    case 'idle': return (r) => (r.live ? r.live.idleMs / 1000 : NaN);
    case 'timeout': return (r) => r.flow.timeoutSec ?? NaN;
  }
}

/** Kleene and/or: `decides` ends the loop; with no unknown the result is `otherwise`. */
function combine(ps: Pred[], decides: Truth, otherwise: Truth): Pred {
  return (r) => {
    let out = otherwise;
    for (let i = 0; i < ps.length; i++) {
      const v = ps[i](r);
      if (v === decides) return decides;
      if (v === U) out = U;
    }
    return out;
  };
}

function compileExpr(e: FilterExpr): Pred {
  switch (e.kind) {
    case 'all': return () => T;
    case 'not': {
      const p = compileExpr(e.item);
      return (r) => { const v = p(r); return v === U ? U : v === T ? F : T; };
    }
    // and: false decides, else unknown wins over true; or: true decides, else unknown wins over false.
    case 'and': return combine(e.items.map(compileExpr), F, T);
    case 'or': return combine(e.items.map(compileExpr), T, F);
    default: return compileTerm(e);
  }
}

/** The predicate of `expr`, prepared once; each call is allocation-free. */
export function compileFilter(expr: FilterExpr, opts: CompileOptions = {}): RowPredicate {
  const p = compileExpr(expr);
  if (opts.unknownMatches) return (row) => p(row) !== F;
  return (row) => p(row) === T;
}

const TERM_NEEDS: Partial<Record<string, readonly EnrichmentNeed[]>> = {
  host: ['dns'], service: ['derived'], org: ['geo'], city: ['geo'], process: ['process'], user: ['process'], text: ['derived', 'dns', 'process'],
  country: ['geo'], asn: ['geo'], pid: ['process'], dir: ['derived'], local: ['derived'], public: ['derived'],
};

/** The enrichment `expr` reads (empty when it reads only the flow and its live figures). */
export function filterNeeds(expr: FilterExpr): ReadonlySet<EnrichmentNeed> {
  const out = new Set<EnrichmentNeed>();
  const walk = (e: FilterExpr): void => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    else if (e.kind === 'not') walk(e.item);
    else {
      const name = e.kind === 'pattern' || e.kind === 'number' ? e.key : e.kind === 'word' ? e.word : e.kind;
      for (const n of TERM_NEEDS[name] ?? []) out.add(n);
    }
  };
  walk(expr);
  return out;
}

/** True when `expr` reads DNS, GeoIP, process or derived enrichment, so the view must enrich every row to filter. */
export function filterNeedsEnrichment(expr: FilterExpr): boolean {
  return filterNeeds(expr).size > 0;
}
