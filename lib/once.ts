// lib/ layer: --once, one dump printed as a text table or as JSON lines, and the enrichment of a one-shot
// output. Imports lib/ only (the source comes from ./modes openSource, lib/kernel/ being the netlink
// boundary). Streams are passed in (house style §2).
import { DEFAULT_DISPLAY, compareKeys, fieldById, type Field } from './fields.js';
import { flowKey, sameFlowKey, type Flow } from './flow.js';
import { LineWriter } from './output.js';
import { openEnricher, openSource, warnHealth, type Io, type RunOptions } from './modes.js';
import type { Row } from './row.js';
import type { SourceEvent } from './source.js';
import { onceColumns, renderTable } from './text-table.js';

const DEFAULT_ORDER: readonly Field[] = ['proto', 'src', 'dst', 'sport', 'dport'].map((id) => fieldById(id)!);

/** The --once table's order: protocol, source, destination, source port, destination port (the columns' compare). */
export const byDefault = (a: Row, b: Row): number => {
  for (let i = 0; i < DEFAULT_ORDER.length; i++) {
    const d = DEFAULT_ORDER[i].compare(a, b, DEFAULT_DISPLAY);
    if (d !== 0) return d;
  }
  return 0;
};

/**
 * Sorts `flows` in place into byDefault's order, with each row's sort keys (the columns' sortKey) made once
 * instead of in every comparison; ties keep the dump's order, as a stable sort with byDefault does. A test
 * holds the result equal to sorting with byDefault.
 */
export function sortByDefault(flows: Flow[]): void {
  const n = DEFAULT_ORDER.length;
  const keyed = flows.map((flow, i) => {
    const keys: (number | string)[] = new Array(n);
    for (let k = 0; k < n; k++) keys[k] = DEFAULT_ORDER[k].sortKey({ flow }, DEFAULT_DISPLAY);
    return { flow, i, keys };
  });
  keyed.sort((a, b) => {
    for (let k = 0; k < n; k++) {
      const d = compareKeys(a.keys[k], b.keys[k]);
      if (d !== 0) return d;
    }
    return a.i - b.i;
  });
  for (let i = 0; i < keyed.length; i++) flows[i] = keyed[i].flow;
}

/** The text table's width: none with --wide, else the terminal's columns, else 80. */
function tableWidth(opts: RunOptions, io: Io): number {
  if (opts.wide) return Infinity;
  const out = io.stdout as { isTTY?: boolean; columns?: number };
  return out.isTTY && out.columns ? out.columns : 80;
}

const PROTO_WORDS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 58: 'icmpv6', 132: 'sctp', 136: 'udplite' };

/** The line an empty table prints: says where it looked and which filter applied. */
export function emptyTableText(opts: Pick<RunOptions, 'filter' | 'dumpFilter' | 'replay'>): string {
  const f: string[] = [...(opts.filter.families ?? [])];
  for (const n of opts.filter.protoNums ?? []) f.push(PROTO_WORDS[n] ?? String(n));
  const d = opts.dumpFilter;
  if (d.mark !== undefined) f.push(`mark ${d.mark}${d.markMask !== undefined ? `/${d.markMask}` : ''}`);
  if (d.zone !== undefined) f.push(`zone ${d.zone}`);
  return `no flows ${opts.replay ? 'in the capture' : 'in the conntrack table'}${f.length ? ` matching ${f.join(', ')}` : ''}`;
}

/** --once: one dump, printed as a table or as JSON lines. Duplicates within a dump (hash resizes) are dropped. */
export async function runOnce(opts: RunOptions, io: Io): Promise<number> {
  // A server's flows arrive as Flows already: the kernel's streaming shortcut does not apply to them.
  if (opts.json && !opts.enrich && !io.openRemote) return streamJson(opts, io);
  const { source, finish, record } = io.openRemote?.() ?? openSource(opts, false, io);
  const out = new LineWriter(io.stdout);
  // Dumps can repeat an entry (a hash resize mid-dump). Keyed by kernel id first; the full key (id, zone,
  // original tuple) is built only for the rare id that repeats.
  const byId = new Map<number, Flow>();
  const seenKeys = new Set<string>();
  const isRepeat = (f: Flow): boolean => {
    const prev = byId.get(f.id);
    if (prev === undefined) {
      byId.set(f.id, f);
      return false;
    }
    if (sameFlowKey(prev, f)) return true;
    if (seenKeys.size === 0) seenKeys.add(flowKey(prev));
    const key = flowKey(f);
    if (seenKeys.has(key)) return true;
    seenKeys.add(key);
    return false;
  };
  const flows: Flow[] = [];
  // The recorder stays open until enrichment is done: process lookups (sock_diag) are recorded too.
  try {
    await source.start((ev) => {
      if (ev.kind === 'notice') io.stderr.write(`conntop: note: ${ev.message}\n`); // e.g. a capture cut mid-record
      if (ev.kind !== 'dumpEntry' || isRepeat(ev.flow)) return;
      flows.push(ev.flow);
    });
    sortByDefault(flows);
    // Plain --json (a server's flows) carries the flow schema alone, as the kernel's streaming path does.
    const rows: Row[] = opts.json && !opts.enrich ? flows.map((flow) => ({ flow }) as Row) : await enrichOnce(flows, await openEnricher(opts, io, record, source));
    if (opts.json) for (const r of rows) out.line(JSON.stringify(r.enrich ? { ...r.flow, enrich: r.enrich } : r.flow));
    else {
      const columns = onceColumns({ services: opts.services, geoip: opts.geoip, dns: opts.dns, processes: opts.processes && !opts.replay });
      for (const l of renderTable(rows, { columns, maxWidth: tableWidth(opts, io), emptyText: emptyTableText(opts) })) out.line(l);
    }
  } finally {
    finish();
  }
  await out.finish(); // a write error (not EPIPE) throws: one line on stderr, status 1
  warnHealth(source, io);
  return 0;
}

/**
 * `--once --json` without enrichment: each dump copy is written as it arrives, its JSON made from the decoded
 * entry (no Flow), so nothing of a flow stays alive but its id. A repeated copy is recognised by its id and a
 * 30-bit fingerprint of its identity (id, zone, original tuple), which stands in for flowKey: the same flow
 * always matches; two distinct flows sharing an id would be taken for one with probability 2^-30.
 */
async function streamJson(opts: RunOptions, io: Io): Promise<number> {
  const { source, finish } = openSource(opts, false, io);
  const out = new LineWriter(io.stdout);
  // Keyed by the low 30 bits of the id (small-integer keys, no boxed number per entry); the fingerprint
  // covers the whole id, so two ids equal in their low bits are still told apart.
  const firstHash = new Map<number, number>();
  const moreHashes = new Set<number>();
  try {
    const notice = (ev: SourceEvent): void => {
      if (ev.kind === 'notice') io.stderr.write(`conntop: note: ${ev.message}\n`); // e.g. a capture cut mid-record
    };
    await source.start(notice, undefined, {
      entry(line, len, id, keyHash) {
        const slot = id & 0x3fffffff;
        const prev = firstHash.get(slot);
        if (prev === undefined) firstHash.set(slot, keyHash);
        else if (prev === keyHash || moreHashes.has(keyHash)) return;
        else moreHashes.add(keyHash);
        out.lineBytes(line, len);
      },
    });
  } finally {
    finish();
  }
  await out.finish(); // a write error (not EPIPE) throws: one line on stderr, status 1
  warnHealth(source, io);
  return 0;
}

/**
 * Enriches flows for a one-shot output: a first pass queues the background work (process batches, reverse
 * DNS, the ASN table) and makes the rows; the wait rechecks only flows whose GeoIP answer was still loading,
 * and the rows are made again after a wait (answers arrived). The wait has a short deadline.
 */
async function enrichOnce(flows: Flow[], en: Awaited<ReturnType<typeof openEnricher>>): Promise<Row[]> {
  if (!en) return flows.map((flow) => ({ flow }));
  try {
    let rows: Row[] = flows.map((flow) => ({ flow, enrich: en.enricher.enrich(flow) }));
    let geoPending = rows.filter((r) => r.enrich?.geo?.pending).map((r) => r.flow);
    const deadline = Date.now() + 1500;
    let waited = false;
    for (;;) {
      en.enricher.tick(); // each tick sends the next process batch
      if ((en.settled() && geoPending.length === 0) || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 25));
      waited = true;
      geoPending = geoPending.filter((f) => en.enricher.enrich(f).geo?.pending);
    }
    // Nothing was pending (services and directions only, say): the first pass is final.
    if (waited) rows = flows.map((flow) => ({ flow, enrich: en.enricher.enrich(flow) }));
    return rows;
  } finally {
    en.enricher.close();
  }
}
