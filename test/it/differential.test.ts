// Real-kernel differential test (house style §6.6): in a throw-away netns, ≥300 injected flows of every
// tracked protocol plus live loopback traffic are dumped by conntrack-tools (`-L -o extended,id,labels`) and by
// `conntop --once --json` (dist/), and every field both show must agree. Oracle bugs are allowed per
// ctnetlink.md §7.2. Uses test/helpers/{netns,ctfill,conntrack-parse}.ts and lib/flow.ts types only.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Flow, FlowTuple } from '../../lib/flow.js';
import { parseConntrackList, type ToolRecord, type ToolTuple } from '../helpers/conntrack-parse.js';
import { buildScenario, ensureConnlabels, kernelVersion, loadScenario, pingLoopback, prepareNamespace, startTraffic } from '../helpers/ctfill.js';
import { createNetns, needRootAnd } from '../helpers/netns.js';

const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));
const LABELS: readonly (readonly [number, string])[] = [[0, 'conntop-web'], [7, 'conntop-seven'], [70, 'conntop-b70'], [127, 'conntop-b127']];
/** conntrack -L timeouts and ours are read a moment apart (§7.2: ±1–2 s). */
/**
 * Timeouts tick down between the two dumps: allowed is 2 s plus the whole seconds the two runs took (on a
 * loaded machine node's start alone can take seconds, and every flow then differs by that much).
 */
const TIMEOUT_SLACK = 2;

// Local copies of the kernel's state tables, so the oracle check does not reuse the decoder's tables.
const SCTP_NAMES = ['NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED'];
const DCCP_NAMES = ['NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID'];

/** One field on which the two dumps disagree. */
interface Disagreement {
  id: number | string;
  what: string;
  field: string;
  ours: unknown;
  theirs: unknown;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

function describe(f: Flow): string {
  const o = f.orig;
  const a = o.sport !== undefined ? `:${o.sport}` : '';
  const b = o.dport !== undefined ? `:${o.dport}` : '';
  return `${f.family}/${f.proto} ${o.src}${a} > ${o.dst}${b}`;
}

/**
 * Compares one flow with the tool's line for the same id; pushes every disagreement. `live` flows (real
 * loopback traffic) may have counters that grew between the tool's dump (first) and ours (second).
 */
function compareFlow(ours: Flow, th: ToolRecord, labelBits: Map<string, number>, out: Disagreement[], slackSec = TIMEOUT_SLACK): void {
  const what = describe(ours);
  const diff = (field: string, o: unknown, x: unknown): void => void out.push({ id: ours.id, what, field, ours: o, theirs: x });
  const eq = (field: string, o: unknown, x: unknown): void => { if (o !== x) diff(field, o, x); };
  const live = LOOPBACK.has(ours.orig.src);

  eq('family', ours.family, th.l3);
  eq('protoNum', ours.protoNum, th.l4num);
  eq('proto', ours.proto, th.l4 === 'unknown' ? String(th.l4num) : th.l4);
  if (ours.timeoutSec === null || th.timeout === null) eq('timeoutSec', ours.timeoutSec, th.timeout);
  else if (Math.abs(ours.timeoutSec - th.timeout) > slackSec) diff(`timeoutSec (±${slackSec})`, ours.timeoutSec, th.timeout);

  // State. Oracle quirk (§7.2): before 6.17 the default format printed DCCP states via the SCTP name table.
  const dccpViaSctp = ours.proto === 'dccp' && ours.state !== null && th.state === SCTP_NAMES[DCCP_NAMES.indexOf(ours.state)];
  if (!dccpViaSctp) eq('state', ours.state, th.state);

  compareTuple('orig', ours, ours.orig, th.orig, diff);
  compareTuple('reply', ours, ours.reply, th.reply, diff);

  // Counters: both present or both absent; live flows may only have grown.
  const tc = th.orig.packets !== undefined || th.reply.packets !== undefined;
  if (!!ours.counters !== tc) diff('counters (presence)', !!ours.counters, tc);
  else if (ours.counters) {
    const pairs: [string, number, number | undefined][] = [
      ['counters.orig.packets', ours.counters.orig.packets, th.orig.packets],
      ['counters.orig.bytes', ours.counters.orig.bytes, th.orig.bytes],
      ['counters.reply.packets', ours.counters.reply.packets, th.reply.packets],
      ['counters.reply.bytes', ours.counters.reply.bytes, th.reply.bytes],
    ];
    for (const [field, o, x] of pairs) {
      if (x === undefined) diff(field, o, x);
      else if (live ? o < x : o !== x) diff(live ? `${field} (live: may only grow)` : field, o, x);
    }
  }

  const has = (s: string): boolean => ours.status.includes(s);
  eq('[UNREPLIED] ⇔ !SEEN_REPLY', !has('SEEN_REPLY'), th.unreplied);
  // The tool prints the first of HW_OFFLOAD, OFFLOAD, ASSURED that is set (§7.1).
  const flag = has('HW_OFFLOAD') ? 'HW_OFFLOAD' : has('OFFLOAD') ? 'OFFLOAD' : has('ASSURED') ? 'ASSURED' : null;
  eq('status flag ([HW_OFFLOAD]|[OFFLOAD]|[ASSURED])', flag, th.flag);

  eq('mark', ours.mark, th.mark);
  eq('zone', ours.zone, th.zone ?? 0);
  eq('helper', ours.helper, th.helper ?? null);
  eq('secctx', ours.secctx, th.secctx);
  if (th.secmark !== undefined) diff('secmark (not in the Flow schema)', undefined, th.secmark);
  // use: the tool's dump and ours each see 1 for an idle entry; a reference held meanwhile may add one (§7.2).
  if (ours.use === null || th.use === undefined || Math.abs(ours.use - th.use) > 1) diff('use (±1)', ours.use, th.use);
  eq('id', ours.id, th.id);
  // Timestamps: the tool prints delta-time from its own clock, so only presence is compared (§7.2).
  eq('startNs present ⇔ delta-time present', ours.startNs !== undefined, th.deltaTime !== undefined);
  eq('stopNs present ⇔ [stop=] present', ours.stopNs !== undefined, th.stop !== undefined);

  const theirLabels = th.labels.map((n) => labelBits.get(n) ?? `unknown name ${n}`);
  const sortedTheirs = [...theirLabels].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  eq('labels', ours.labels.join(','), sortedTheirs.join(','));
  if (th.extra.length > 0) diff('tokens the oracle grammar does not know', undefined, th.extra.join(' '));
}

function compareTuple(dir: 'orig' | 'reply', f: Flow, o: FlowTuple, x: ToolTuple, diff: (field: string, o: unknown, x: unknown) => void): void {
  const eq = (field: string, a: unknown, b: unknown): void => { if (a !== b) diff(`${dir}.${field}`, a, b); };
  eq('src', o.src, x.src);
  eq('dst', o.dst, x.dst);
  // Oracle quirk (§7.2): DCCP is tracked generically on 6.17+ (no ports), but the tool prints sport=0 dport=0.
  const dccpZeroPorts = f.proto === 'dccp' && o.sport === undefined && o.dport === undefined && x.sport === 0 && x.dport === 0;
  if (!dccpZeroPorts) {
    eq('sport', o.sport, x.sport);
    eq('dport', o.dport, x.dport);
  }
  eq('type', o.type, x.type);
  eq('code', o.code, x.code);
  eq('icmpId', o.icmpId, x.icmpId);
  eq('srcKey', o.srcKey, x.srcKey);
  eq('dstKey', o.dstKey, x.dstKey);
  eq(`zone (zone-${dir})`, o.zone, x.zone);
}

/** One line per disagreement: flow id, what the flow is, field, ours, theirs. */
function formatDisagreement(d: Disagreement): string {
  return `id ${d.id} [${d.what}] ${d.field}: ours=${JSON.stringify(d.ours)} theirs=${JSON.stringify(d.theirs)}`;
}

const skip = needRootAnd('conntrack', 'nft') || (!existsSync(CLI) && `${CLI} missing: run \`npm run build\` first`);

t.test('conntop --once --json agrees with conntrack -L -o extended,id,labels on every field, for every flow', { skip, timeout: 90_000 }, async (t) => {
  const ns = createNetns(t, 'diff');
  const labelBits = ensureConnlabels(t, LABELS);
  const labelsOn = prepareNamespace(ns, LABELS[0][1]);
  if (!labelsOn) t.comment('iptables/connlabel unavailable: flows are created without labels');

  const sc = buildScenario(labelsOn ? LABELS.map(([, n]) => n) : []);
  loadScenario(ns, sc);
  const { report } = await startTraffic(ns);
  const pingSkipped = pingLoopback(ns);
  if (pingSkipped) t.comment(pingSkipped);

  // Back to back: the oracle first, then conntop (so live counters can only have grown on our side).
  const t0 = Date.now();
  const theirsText = ns.exec('conntrack', ['-L', '-o', 'extended,id,labels'], { timeoutMs: 30_000 });
  const oursText = ns.exec(process.execPath, [CLI, '--once', '--json'], { timeoutMs: 30_000 });
  const slackSec = TIMEOUT_SLACK + Math.ceil((Date.now() - t0) / 1000);

  const theirs = parseConntrackList(theirsText);
  const ours = oursText.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Flow);
  const problems: Disagreement[] = [];

  const byId = <T>(list: T[], id: (x: T) => number | undefined, side: string): Map<number, T> => {
    const m = new Map<number, T>();
    for (const x of list) {
      const k = id(x);
      if (k === undefined) problems.push({ id: '?', what: side, field: 'id missing', ours: side === 'ours' ? x : undefined, theirs: side === 'theirs' ? x : undefined });
      else if (m.has(k)) problems.push({ id: k, what: side, field: 'duplicate id', ours: undefined, theirs: undefined });
      else m.set(k, x);
    }
    return m;
  };
  const oursById = byId(ours, (f) => f.id, 'ours');
  const theirsById = byId(theirs, (r) => r.id, 'theirs');
  if (ours.length !== theirs.length) problems.push({ id: '-', what: 'table', field: 'flow count', ours: ours.length, theirs: theirs.length });
  for (const [id, f] of oursById) {
    const r = theirsById.get(id);
    if (r) compareFlow(f, r, labelBits, problems, slackSec);
    else problems.push({ id, what: describe(f), field: 'flow present', ours: true, theirs: false });
  }
  for (const [id, r] of theirsById) {
    if (!oursById.has(id)) problems.push({ id, what: r.raw, field: 'flow present', ours: false, theirs: true });
  }

  // Coverage of the scenario itself, so a silently thinner table cannot pass.
  const perProto = new Map<string, number>();
  for (const f of ours) perProto.set(`${f.proto}/${f.family}`, (perProto.get(`${f.proto}/${f.family}`) ?? 0) + 1);
  t.comment(`kernel ${kernelVersion().join('.')}; flows: ${ours.length} ours, ${theirs.length} conntrack; ` +
    [...perProto].sort().map(([k, n]) => `${k} ${n}`).join(', '));
  t.comment(`injected: ${sc.lines.length}; modifiers: ` + ['mark', 'zone', 'zone-orig', 'zone-reply', 'nat', 'labels', 'odd-ipv6-text'].map((k) => `${k} ${sc.counts.get(k) ?? 0}`).join(', '));
  t.ok(ours.length >= 300, `at least 300 flows in the table (${ours.length})`);
  for (const p of ['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'gre']) {
    t.ok(ours.some((f) => f.proto === p), `the table holds ${p} flows`);
  }
  for (const fam of ['ipv4', 'ipv6'] as const) t.ok(ours.some((f) => f.family === fam), `the table holds ${fam} flows`);
  const live = ours.filter((f) => LOOPBACK.has(f.orig.src));
  const wantLive = report.tcp.length + report.udp.length + (pingSkipped ? 0 : 2);
  t.ok(live.length >= wantLive, `live loopback flows: ${live.length} (expected at least ${wantLive})`);
  t.ok(live.length > 0 && live.every((f) => f.counters !== undefined && f.counters.orig.packets > 0 && f.startNs !== undefined),
    'every live flow has non-zero counters and a start timestamp');
  for (const c of report.tcp) {
    const f = live.find((x) => x.proto === 'tcp' && x.orig.sport === c.client && x.orig.dport === c.server);
    t.ok(f && f.counters && f.counters.orig.bytes > c.sent && f.counters.reply.bytes > c.received,
      `TCP ${c.family === 4 ? '127.0.0.1' : '::1'}:${c.client} counted its ${c.sent}/${c.received} payload bytes (plus headers)`);
  }
  t.ok(ours.some((f) => f.reply.dst !== f.orig.src || f.reply.src !== f.orig.dst), 'NAT: some reply tuple is not the inverse');
  t.ok(ours.some((f) => f.orig.zone !== undefined) && ours.some((f) => f.reply.zone !== undefined) && ours.some((f) => f.zone !== 0), 'zones: CTA_ZONE and both directional zones');
  if (labelsOn) t.ok(ours.some((f) => f.labels.includes(labelBits.get('conntop-b127') ?? -1)), 'labels: bit 127 is present somewhere');

  // All disagreements, field by field, in the assertion message and (one per line) in the diff.
  const lines = problems.map(formatDisagreement);
  t.same(lines, [], lines.length === 0 ? 'no disagreements' : `${lines.length} disagreement(s) between conntop --once --json and conntrack -L: ${lines.join(' ;; ')}`);
});
