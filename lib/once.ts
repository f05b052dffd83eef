// lib/ layer: --once, one dump printed as a text table or as JSON lines, and the enrichment of a one-shot
// output. Imports lib/ only (the source comes from ./modes openSource, lib/kernel/ being the netlink
// boundary). Streams are passed in (house style §2).
import { DEFAULT_DISPLAY, compareKeys, fieldById, textSortKey, type Field } from './fields.js';
import type { TextValue } from './field-values.js';
import { DumpRepeats } from './dump-repeats.js';
import { flowKey, flowKeyHash, sameFlowKey, type Flow } from './flow.js';
import { LineWriter } from './output.js';
import { openEnricher, openSource, warnHealth, type Io, type RunOptions } from './modes.js';
import type { Row } from './row.js';
import { orderByKeys } from './row-sort.js';
import type { SourceEvent } from './source.js';
import { TableBuilder, onceColumns, renderTable, type TableOptions } from './text-table.js';

const DEFAULT_ORDER: readonly Field[] = ['proto', 'src', 'dst', 'sport', 'dport'].map((id) => fieldById(id)!);

/** The --once table's order: protocol, source, destination, source port, destination port (the columns' compare). */
export const byDefault = (a: Row, b: Row): number => {
  for (let i = 0; i < DEFAULT_ORDER.length; i++) {
    const d = DEFAULT_ORDER[i].compare(a, b, DEFAULT_DISPLAY);
    if (d !== 0) return d;
  }
  return 0;
};

/** One key of DEFAULT_ORDER per row: numbers, strings where the key is one, or codes of a text column's values. */
interface KeyColumn {
  /** Per row: the numeric key, NaN where it is a string (strs), or the code of its value (text columns). */
  nums: Float64Array;
  /** The string keys and their rows, in the order added (dense: a sparse array of rows fell into dictionary mode). */
  strs: string[];
  strRows: number[];
  /** Text columns (Field.textValue): each distinct value's code, in the order first seen (codes index it). */
  codes: Map<TextValue, number> | undefined;
}

/**
 * Rows in byDefault's order, as indexes in the order they were added: each row's sort keys (the columns'
 * sortKey) are made once, when it is added, and the row itself is not kept. A text column keeps the code of
 * its value instead of a key string per row (the few distinct values get keys when sorting). Ties keep the
 * order of adding, as a stable sort with byDefault does; a test holds it equal to sorting with byDefault.
 */
export class DefaultOrder {
  private readonly cols: KeyColumn[] = DEFAULT_ORDER.map((f) => ({ nums: new Float64Array(1024), strs: [], strRows: [], codes: f.textValue ? new Map() : undefined }));
  private n = 0;

  /** Makes `row`'s keys; its index is the number of rows added before it. */
  add(row: Row): void {
    const i = this.n++;
    for (let k = 0; k < DEFAULT_ORDER.length; k++) {
      const c = this.cols[k];
      if (i === c.nums.length) {
        const bigger = new Float64Array(i * 2);
        bigger.set(c.nums);
        c.nums = bigger;
      }
      const f = DEFAULT_ORDER[k];
      if (c.codes !== undefined) {
        const v = f.textValue!(row, DEFAULT_DISPLAY);
        let code = c.codes.get(v);
        if (code === undefined) c.codes.set(v, (code = c.codes.size));
        c.nums[i] = code;
        continue;
      }
      const key = f.sortKey(row, DEFAULT_DISPLAY);
      if (typeof key === 'number') c.nums[i] = key;
      else {
        c.nums[i] = NaN;
        c.strs.push(key);
        c.strRows.push(i);
      }
    }
  }

  /** The rows' indexes in byDefault's order. */
  sorted(): Uint32Array {
    const n = this.n;
    // Each key as one number in compareKeys' order: numbers as they are, then strings by their rank among the
    // distinct strings (numbers sort before strings); orderByKeys sorts the numbers by radix passes.
    const ranks = this.cols.map(({ nums, strs, strRows, codes }) => {
      if (codes) {
        // A text column's keys are all strings (textSortKey): its values ranked by their keys.
        const values = [...codes.keys()];
        const byKey = values.map((v, code) => ({ key: textSortKey(v), code })).sort((a, b) => compareKeys(a.key, b.key));
        const rankOf = new Float64Array(values.length);
        byKey.forEach(({ code }, r) => (rankOf[code] = r));
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = rankOf[nums[i]];
        return out;
      }
      if (strs.length === 0) return nums;
      let max = -Infinity;
      for (let i = 0; i < n; i++) if (nums[i] > max) max = nums[i];
      const distinct = [...new Set(strs)].sort(compareKeys);
      const rank = new Map<string, number>();
      const base = max === -Infinity ? 0 : max + 1;
      distinct.forEach((x, r) => rank.set(x, base + r));
      const out = nums.slice(0, n);
      for (let j = 0; j < strs.length; j++) out[strRows[j]] = rank.get(strs[j])!;
      return out;
    });
    return orderByKeys(ranks, n);
  }
}

/** Sorts `flows` in place into byDefault's order (DefaultOrder), ties in their order. */
export function sortByDefault(flows: Flow[]): void {
  const order = new DefaultOrder();
  for (const flow of flows) order.add({ flow });
  const copy = flows.slice();
  const idx = order.sorted();
  for (let i = 0; i < idx.length; i++) flows[i] = copy[idx[i]];
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
  if (!opts.json && !io.openRemote && !waitsForAnswers(opts)) return streamText(opts, io);
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
    const sink = notices(io);
    await source.start((ev) => {
      if (ev.kind !== 'dumpEntry') return sink(ev);
      if (!isRepeat(ev.flow)) flows.push(ev.flow);
    });
    sortByDefault(flows);
    // Plain --json (a server's flows) carries the flow schema alone, as the kernel's streaming path does.
    const rows: Row[] = opts.json && !opts.enrich ? flows.map((flow) => ({ flow }) as Row) : await enrichOnce(flows, await openEnricher(opts, io, record, source));
    if (opts.json) for (const r of rows) out.line(JSON.stringify(r.enrich ? { ...r.flow, enrich: r.enrich } : r.flow));
    else for (const l of renderTable(rows, tableOptions(opts, io))) out.line(l);
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
  const repeats = new DumpRepeats();
  try {
    await source.start(notices(io), undefined, {
      entry(line, len, id, keyHash) {
        if (!repeats.repeated(id, keyHash)) out.lineBytes(line, len);
      },
    });
  } finally {
    finish();
  }
  await out.finish(); // a write error (not EPIPE) throws: one line on stderr, status 1
  warnHealth(source, io);
  return 0;
}

/** The source events --once prints besides flows: notices (e.g. a capture cut mid-record), on stderr. */
const notices = (io: Io) => (ev: SourceEvent): void => {
  if (ev.kind === 'notice') io.stderr.write(`conntop: note: ${ev.message}\n`);
};

/** True when enrichment answers arrive later (reverse DNS, GeoIP, process lookup): the table waits for them. */
function waitsForAnswers(opts: RunOptions): boolean {
  return opts.dns || opts.geoip || (opts.processes && !opts.replay);
}

/** The --once text table's columns, width and empty line for `opts`. */
function tableOptions(opts: RunOptions, io: Io): TableOptions {
  const all = onceColumns({ services: opts.services, geoip: opts.geoip, dns: opts.dns, processes: opts.processes && !opts.replay });
  // SERVER names the server of each flow with -c: a table from the kernel or a capture has none to show (and a
  // blank sparse first column would keep TableBuilder from leaving out the columns that do not fit early).
  const columns = io.openRemote ? all : all.filter((id) => id !== 'server');
  return { columns, maxWidth: tableWidth(opts, io), emptyText: emptyTableText(opts) };
}

/**
 * The text table when every enrichment answer is immediate (services and directions, or none): each dump copy
 * is enriched and formatted as it arrives and only its cells and sort keys stay, not its Flow. The lines are
 * what renderTable prints for the sorted, enriched rows (the same TableBuilder); a test holds them equal.
 */
async function streamText(opts: RunOptions, io: Io): Promise<number> {
  const { source, finish, record } = openSource(opts, false, io);
  const out = new LineWriter(io.stdout);
  const repeats = new DumpRepeats();
  const table = new TableBuilder(tableOptions(opts, io));
  const order = new DefaultOrder();
  try {
    // Each flow is enriched once: remembering derived fields per flow would only keep 64k of them alive.
    const en = await openEnricher(opts, io, record, source, true);
    try {
      const sink = notices(io);
      await source.start((ev) => {
        if (ev.kind !== 'dumpEntry') return sink(ev);
        const flow = ev.flow;
        if (repeats.repeated(flow.id, flowKeyHash(flow))) return;
        const row: Row = en ? { flow, enrich: en.enricher.enrich(flow) } : { flow };
        table.add(row);
        order.add(row);
      });
    } finally {
      en?.enricher.close();
    }
    table.writeTo(out, order.sorted());
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
