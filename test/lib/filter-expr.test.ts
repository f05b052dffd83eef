// Table tests of the filter language (lib/filter-expr.ts and the files behind it): parse errors by code and
// position, canonical printing, matching against hand-made rows, pending enrichment, and what needs enrichment.
import t from 'tap';
import { globRegExp } from '../../lib/filter-compile.js';
import { FILTER_HELP, FILTER_KEYS, compileFilter, filterNeeds, filterNeedsEnrichment, parseFilter, printFilter, type FilterExpr } from '../../lib/filter-expr.js';
import { ZERO_RATES } from '../../lib/flow-stats.js';
import type { Row } from '../../lib/row.js';
import { fullEnrichment as enrich, liveFlow as live, natFlow as flow, row } from '../helpers/rows.js';

function parse(text: string): FilterExpr {
  const r = parseFilter(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.code} at ${r.error.pos}`);
  return r.expr;
}

const full = (): Row => row();

t.test('the issue\'s example parses and prints canonically', async (t) => {
  const text = 'proto:tcp port:443 country:DE process:firefox state:established !local host:*.example.com net:10.0.0.0/8';
  t.equal(printFilter(parse(text)), text);
  t.same(parse(''), { kind: 'all' });
  t.same(parse('  \t '), { kind: 'all' });
});

t.test('canonical printing', async (t) => {
  const cases: [string, string][] = [
    ['PROTO:6 Family:4', 'proto:tcp family:ipv4'],
    ['proto:icmp6 proto:250', 'proto:icmpv6 proto:250'],
    ['a | b OR c', 'a or b or c'],
    ['a and b', 'a b'],
    ['(a b) c', '(a b) c'],
    ['((a))', 'a'],
    ['! (a or b)', '!(a or b)'],
    ['a or (b or c)', 'a or (b or c)'],
    ['net:10.1.2.3/8 net:10.1.2.3 addr:::FFFF:1.2.3.4 src:2001:DB8:0:0::1/32', 'net:10.0.0.0/8 addr:10.1.2.3 addr:1.2.3.4 src:2001:db8::/32'],
    ['mark:17/0x10 mark:0xff status:IPS_Assured', 'mark:0x10/0x10 mark:0xff status:assured'],
    ['bytes:>1000000 rate:>=1.5k age:>3600 idle:<90 timeout:5ms packets:=7 bytes:2Ki', 'bytes:>1M rate:>=1500 age:>1h idle:<90s timeout:0.005s packets:7 bytes:2048'],
    ['asn:AS15169 country:de dir:outbound nat:dst', 'asn:15169 country:DE dir:out nat:dnat'],
    ['org:"Google LLC" "or" "a:b" "local" ghost \'x', 'org:"Google LLC" "or" "a:b" "local" closed \'x'],
    ['process:"(sd-pam)" host:"say \\"hi\\""', 'process:"(sd-pam)" host:"say \\"hi\\""'],
    ['sport:80 dport:1000-2000 port:0', 'sport:80 dport:1000-2000 port:0'],
  ];
  for (const [input, want] of cases) t.equal(printFilter(parse(input)), want, input);
});

t.test('parse errors carry a code and the offending token\'s position', async (t) => {
  const cases: { input: string; code: string; pos: number; len?: number }[] = [
    { input: 'prot:tcp', code: 'UNKNOWN_KEY', pos: 0, len: 4 },
    { input: 'proto:tcp  port:99999', code: 'BAD_VALUE', pos: 16, len: 5 },
    { input: 'port:20-10', code: 'BAD_VALUE', pos: 5 },
    { input: 'net:10.0.0.0/33', code: 'BAD_VALUE', pos: 4 },
    { input: 'net:1.2.3.4.5', code: 'BAD_VALUE', pos: 4 },
    { input: 'country:DEU', code: 'BAD_VALUE', pos: 8 },
    { input: 'status:bogus', code: 'BAD_VALUE', pos: 7 },
    { input: 'bytes:>1X', code: 'BAD_VALUE', pos: 6 },
    { input: 'age:>-1', code: 'BAD_VALUE', pos: 4 },
    { input: 'label:128', code: 'BAD_VALUE', pos: 6 },
    { input: 'a host:', code: 'EMPTY_VALUE', pos: 7, len: 0 },
    { input: 'a or', code: 'EXPECTED_TERM', pos: 4, len: 0 },
    { input: 'or a', code: 'EXPECTED_TERM', pos: 0 },
    { input: 'a and or b', code: 'EXPECTED_TERM', pos: 6 },
    { input: 'a !', code: 'EXPECTED_TERM', pos: 3 },
    { input: 'x (a', code: 'UNBALANCED_PAREN', pos: 2 },
    { input: 'a) b', code: 'UNBALANCED_PAREN', pos: 1 },
    { input: 'a ( ) b', code: 'EMPTY_GROUP', pos: 2, len: 3 },
    { input: 'host:"abc', code: 'UNTERMINATED_QUOTE', pos: 5, len: 4 },
    { input: '"abc\\', code: 'UNTERMINATED_QUOTE', pos: 0 },
    { input: 'ab"c"', code: 'BAD_QUOTE', pos: 2 },
    { input: '"a"b', code: 'BAD_QUOTE', pos: 3 },
    { input: '"a""b"', code: 'BAD_QUOTE', pos: 3 },
    { input: '('.repeat(70) + 'a' + ')'.repeat(70), code: 'TOO_DEEP', pos: 64 },
    { input: 'a '.repeat(3000), code: 'TOO_LONG', pos: 4096 },
  ];
  for (const c of cases) {
    const r = parseFilter(c.input);
    t.equal(r.ok, false, c.input);
    if (r.ok) continue;
    t.equal(r.error.code, c.code, `${c.input}: code`);
    t.equal(r.error.pos, c.pos, `${c.input}: pos`);
    if (c.len !== undefined) t.equal(r.error.len, c.len, `${c.input}: len`);
  }
});

t.test('matches on a full row', async (t) => {
  const r = full();
  const cases: [string, boolean][] = [
    ['proto:tcp', true], ['proto:udp', false], ['proto:6', true], ['family:ipv4', true], ['family:6', false],
    ['port:443', true], ['sport:443', false], ['dport:443', true], ['port:51000', true], ['port:1-100', false],
    ['src:10.0.0.5', true], ['dst:10.0.0.5', false], ['addr:192.0.2.1', true], ['src:10.0.0.0/8', true], ['net:93.184.0.0/16', true],
    ['net:::ffff:10.0.0.0/104', true], ['net:2001:db8::/32', false], ['net:0.0.0.0/0', true],
    ['host:*.example.com', true], ['host:example.com', false], ['host:WWW.EXAMPLE.COM', true], ['host:www.*', true],
    ['service:https', true], ['service:http', false], ['service:http*', true],
    ['state:established', true], ['state:est*', true], ['state:est', false],
    ['country:us', true], ['country:DE', false], ['asn:15133', true], ['asn:AS1', false],
    ['org:edgecast', true], ['org:*inc.', true], ['org:google', false],
    ['process:firefox', true], ['process:fire', false], ['process:fire*', true], ['pid:4242', true], ['pid:1', false],
    ['user:alice', true], ['user:1000', true], ['user:bob', false],
    ['dir:out', true], ['dir:in', false], ['nat:snat', true], ['nat:dnat', false], ['nat:any', true], ['nat:none', false],
    ['mark:0x1234', true], ['mark:0x34/0xff', true], ['mark:0', false], ['zone:0', true], ['label:3', true], ['label:4', false],
    ['status:assured', true], ['status:dying', false], ['id:1', true], ['id:2', false], ['helper:*', false], ['city:*', false],
    ['local', true], ['private', true], ['public', true], ['active', true], ['closed', false],
    ['bytes:>2M', true], ['bytes:>3M', false], ['bytes:>=2001500', true], ['packets:30', true], ['rate:>20k', true], ['rate:>21k', false],
    ['age:>=2h', true], ['age:>2h', false], ['idle:<5s', true], ['timeout:>5d', false],
    ['firefox', true], ['example', true], ['93.184', true], ['https', true], ['chrome', false], ['fire*', true],
    ['!local', false], ['!closed', true], ['proto:udp or port:443', true], ['proto:udp | !port:443', false],
    ['!(proto:udp or closed) host:*.com', true], ['(proto:udp or closed) host:*.com', false],
  ];
  for (const [text, want] of cases) t.equal(compileFilter(parse(text))(r), want, text);
});

t.test('unknown (pending) enrichment never matches, not even negated', async (t) => {
  const f = flow();
  const bare: Row = { flow: f };
  const pendingProc: Row = { flow: f, enrich: enrich({ process: null }) };
  const pendingName: Row = { flow: f, enrich: enrich({ rdns: { src: null, dst: null }, rdnsPending: 'dst' }) };
  const pendingGeo: Row = { flow: f, enrich: enrich({ geo: { country: null, city: null, asn: null, org: null, pending: true } }) };
  for (const [text, row] of [
    ['host:*.example.com', bare], ['country:DE', bare], ['local', bare], ['dir:out', bare], ['process:x', pendingProc],
    ['pid:1', pendingProc], ['user:root', pendingProc], ['country:DE', pendingGeo], ['asn:1', pendingGeo], ['org:x', pendingGeo],
    ['rate:>0', bare], ['age:<1h', bare], ['chrome', pendingProc], ['host:x', pendingName], ['chrome', pendingName],
  ] as [string, Row][]) {
    t.equal(compileFilter(parse(text))(row), false, `${text}`);
    t.equal(compileFilter(parse(`!${text}`))(row), false, `!${text}`);
    t.equal(compileFilter(parse(text), { unknownMatches: true })(row), true, `${text} with unknownMatches`);
  }
  // Known parts still decide: false and unknown is false, true or unknown is true.
  t.equal(compileFilter(parse('proto:udp !local'))(bare), false);
  t.equal(compileFilter(parse('!proto:udp or local'))(bare), true);
  // Without enrichment, NAT comes from the status bits; counters and flow fields need none.
  t.equal(compileFilter(parse('nat:snat bytes:>1k proto:tcp 10.0.0 private'))(bare), true);
  // Known absence is false (no process for a forwarded flow, no name, GeoIP off), so its negation is true.
  const known: Row = { flow: f, enrich: enrich({ process: undefined, rdns: { src: null, dst: null }, geo: null }) };
  for (const text of ['process:x', 'host:*', 'country:US', 'org:*', 'user:0']) t.equal(compileFilter(parse(`!${text}`))(known), true, `!${text}`);
});

t.test('live figures: active, closed and metrics', async (t) => {
  const f = flow({ counters: undefined, timeoutSec: null });
  const idle: Row = { flow: f, live: live(f, { rates: ZERO_RATES }) };
  const ghost: Row = { flow: f, live: live(f, { closed: { atMs: 5, reason: 'destroy' } }) };
  t.equal(compileFilter(parse('active'))(idle), false);
  t.equal(compileFilter(parse('!active'))(idle), true);
  t.equal(compileFilter(parse('closed'))(ghost), true);
  t.equal(compileFilter(parse('active'))(ghost), false, 'a ghost is not active');
  t.equal(compileFilter(parse('bytes:>0'))(idle), false, 'no counters: unknown');
  t.equal(compileFilter(parse('!bytes:>0'))(idle), false);
  t.equal(compileFilter(parse('!timeout:>0'))(idle), false);
});

t.test('IPv6 and IPv4-mapped addresses', async (t) => {
  const f = flow({
    family: 'ipv6', orig: { src: '2001:db8::5', dst: '::ffff:198.51.100.7', sport: 1, dport: 2 },
    reply: { src: '::ffff:198.51.100.7', dst: '2001:db8::5', sport: 2, dport: 1 },
  });
  const row: Row = { flow: f };
  for (const [text, want] of [
    ['src:2001:db8::/32', true], ['src:2001:db9::/32', false], ['addr:2001:db8:0:0:0:0:0:5', true], ['dst:198.51.100.0/24', true],
    ['addr:198.51.100.7', true], ['net:::/0', true], ['net:fe80::/10', false], ['2001:db8', false], ['"2001:db8"', true],
  ] as [string, boolean][]) {
    const r = parseFilter(text);
    if (!r.ok) { t.equal(want, false, `${text} does not parse (${r.error.code})`); continue; }
    t.equal(compileFilter(r.expr)(row), want, text);
  }
});

t.test('which enrichment a filter needs', async (t) => {
  t.equal(filterNeedsEnrichment(parse('proto:tcp port:443 net:10.0.0.0/8 !closed bytes:>1M nat:snat')), false);
  t.same([...filterNeeds(parse('host:x'))], ['dns']);
  t.same([...filterNeeds(parse('country:DE or org:x asn:1'))], ['geo']);
  t.same([...filterNeeds(parse('!(user:root pid:1 process:x)'))].sort(), ['process']);
  t.same([...filterNeeds(parse('firefox'))].sort(), ['derived', 'dns', 'process']);
  t.same([...filterNeeds(parse('local dir:in service:ssh'))], ['derived']);
  t.equal(filterNeedsEnrichment(parse('')), false);
});

t.test('globs: * and ? are the only wildcards, everything else is literal', async (t) => {
  const cases: [string, boolean, string, boolean][] = [
    ['a.b', false, 'a.b', true], ['a.b', false, 'axb', false], ['a+b', false, 'a+b', true], ['(x)', false, '(x)', true],
    ['[a]', false, 'a', false], ['a\\b', false, 'a\\b', true], ['^$', false, '^$', true], ['a?c', false, 'abc', true],
    ['a?c', false, 'ac', false], ['*', false, '', true], ['a*', false, 'a\nb', true], ['ABC', false, 'abc', true],
    ['b', true, 'abc', true], ['b', false, 'abc', false], ['b*', true, 'abc', false], ['{1}', true, 'x{1}', true],
  ];
  for (const [pattern, substring, text, want] of cases) t.equal(globRegExp(pattern, substring).test(text), want, `${pattern} ${substring ? '(substring)' : ''} ~ ${JSON.stringify(text)}`);
});

t.test('the help names every key and every bare keyword', async (t) => {
  const terms = FILTER_HELP.filter((p) => typeof p !== 'string').map((p) => (p as { term: string }).term).join(' ');
  for (const k of FILTER_KEYS) t.match(terms, new RegExp(`\\b${k}:`), k);
  for (const w of ['local', 'private', 'public', 'active', 'closed']) t.match(terms, new RegExp(`\\b${w}\\b`), w);
  for (const p of FILTER_HELP) {
    if (typeof p === 'string') continue;
    for (const example of p.term.split(', ').filter((x) => x.includes(':') && !/^[A-Z]+$|\|/.test(x.split(':')[1]))) {
      t.equal(parseFilter(example).ok, true, `the example ${example} parses`); // placeholders (N, CIDR) and choices (a|b) skipped
    }
  }
});
