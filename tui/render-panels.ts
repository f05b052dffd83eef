// tui/ layer: the full-area panels (help, flow details, setup) and the bottom line (function-key bar or a
// prompt with its parse error). Pure: reads the view state, writes cells. Imports lib/ and tui/ only.
import { FILTER_HELP } from '../lib/filter-expr.js';
import type { FlowTuple } from '../lib/flow.js';
import { formatBytes, formatCount, formatDuration } from '../lib/format.js';
import type { Row } from '../lib/row.js';
import { columnById, rateText } from './columns.js';
import { fitText, type Grid } from './grid.js';
import { barItems, helpLines, type Mode } from './keymap.js';
import { intervalText, meterById } from './meters.js';
import type { Theme } from './theme.js';
import { METER_ITEM, setupItems } from './view-keys.js';
import type { ViewState } from './view-state.js';

const HELP_MODES: Array<[Mode, string]> = [
  ['list', 'The flow list'], ['proto', 'Protocol menu (p)'], ['sort', 'Sort menu (F6)'], ['search', 'Search prompt (F3, /)'],
  ['filter', 'Filter prompt (F4, \\)'], ['group', 'Group mode (F5, g)'], ['detail', 'Flow details (Enter)'], ['setup', 'Setup (F2)'], ['help', 'This help'],
];

/** The help screen's lines, generated from the keymap (the same table that handles the keys). */
export function helpText(): string[] {
  const out: string[] = ['conntop: a live view of the Linux conntrack table', ''];
  for (const [mode, title] of HELP_MODES) out.push(title, ...helpLines(mode).map((l) => `  ${l}`), '');
  out.push('Filter language (F4, \\)');
  for (const p of FILTER_HELP) out.push(typeof p === 'string' ? `  ${p}` : `  ${p.term.padEnd(30)} ${p.text}`);
  out.push('');
  out.push('Colours: new flows highlighted, closed flows (ghosts) dimmed; local, private and special addresses by class.');
  return out;
}

/** Draws a list of text lines from line y0 for `h` lines, starting at line `top` of the text. */
function textPanel(g: Grid, t: Theme, y0: number, h: number, lines: string[], top: number, title?: string): void {
  let y = y0;
  if (title) {
    g.fill(0, y, g.width, t.colHeader);
    g.put(0, y++, fitText(title, g.width), t.colHeaderSort);
  }
  const start = Math.max(0, Math.min(top, lines.length - (h - (y - y0))));
  for (let i = start; i < lines.length && y < y0 + h; i++) {
    const l = lines[i];
    const heading = !l.startsWith(' ') && l.length > 0 && i > 1 && !l.includes(':');
    g.put(0, y++, fitText(l, g.width), heading ? t.title : t.text);
  }
}

/** Draws the help screen over the list area. */
export function renderHelp(g: Grid, v: ViewState, t: Theme, y0: number, h: number): void {
  const lines = helpText();
  v.helpTop = Math.max(0, Math.min(v.helpTop, Math.max(0, lines.length - h + 1)));
  textPanel(g, t, y0, h, lines, v.helpTop, 'Help (Esc: back)');
}

function tupleText(tp: FlowTuple): string {
  const port = (p?: number) => (p === undefined ? '' : `:${p}`);
  let s = `${tp.src}${port(tp.sport)} -> ${tp.dst}${port(tp.dport)}`;
  if (tp.type !== undefined) s += `  type ${tp.type} code ${tp.code ?? 0} id ${tp.icmpId ?? 0}`;
  if (tp.srcKey !== undefined) s += `  keys 0x${tp.srcKey.toString(16)}/0x${(tp.dstKey ?? 0).toString(16)}`;
  if (tp.zone !== undefined) s += `  zone ${tp.zone}`;
  return s;
}

const FLAG_WORDS: Record<string, string> = {
  EXPECTED: 'expected', SEEN_REPLY: 'seen reply', ASSURED: 'assured', CONFIRMED: 'confirmed', SRC_NAT: 'source NAT',
  DST_NAT: 'destination NAT', SEQ_ADJUST: 'sequence adjusted', SRC_NAT_DONE: 'source NAT done', DST_NAT_DONE: 'destination NAT done',
  DYING: 'dying', FIXED_TIMEOUT: 'fixed timeout', TEMPLATE: 'template', UNTRACKED: 'untracked', HELPER: 'helper',
  OFFLOAD: 'offloaded', HW_OFFLOAD: 'hardware offloaded',
};

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString());

/** Every field of one flow as "Label  value" lines. */
export function detailLines(r: Row, bits: boolean): string[] {
  const f = r.flow;
  const l = r.live;
  const e = r.enrich;
  const out: Array<[string, string]> = [
    ['Protocol', `${f.proto} (${f.protoNum}), ${f.family}`],
    ['Original', tupleText(f.orig)],
    ['Reply', tupleText(f.reply)],
  ];
  const snat = f.reply.dst !== f.orig.src || f.reply.dport !== f.orig.sport;
  const dnat = f.reply.src !== f.orig.dst || f.reply.sport !== f.orig.dport;
  out.push(['NAT', snat && dnat ? `source and destination: seen as ${f.reply.dst} from ${f.reply.src}` : snat ? `source: seen as ${f.reply.dst}${f.reply.dport === undefined ? '' : `:${f.reply.dport}`}` : dnat ? `destination: really ${f.reply.src}${f.reply.sport === undefined ? '' : `:${f.reply.sport}`}` : 'none']);
  out.push(['State', f.state ?? '-'], ['Flags', f.status.map((s) => FLAG_WORDS[s] ?? s.toLowerCase()).join(', ') || '-']);
  out.push(['Timeout', f.timeoutSec === null ? '-' : `${f.timeoutSec}s`]);
  const c = f.counters;
  out.push(['Counters', c ? `orig ${formatCount(c.orig.packets)} pkts ${formatBytes(c.orig.bytes)}, reply ${formatCount(c.reply.packets)} pkts ${formatBytes(c.reply.bytes)}${c.saturated ? ' (saturated)' : ''}` : 'none (nf_conntrack_acct was off)']);
  if (l) {
    out.push(['Rates', `orig ${rateText(l.rates.orig.bytesPerSec, bits)} ${formatCount(l.rates.orig.packetsPerSec)} pkt/s, reply ${rateText(l.rates.reply.bytesPerSec, bits)} ${formatCount(l.rates.reply.packetsPerSec)} pkt/s`]);
    out.push(['Age', `${formatDuration(l.ageMs / 1000)} (from ${l.ageSource === 'kernel' ? 'the kernel timestamp' : 'first seen'}), idle ${formatDuration(l.idleMs / 1000)}`]);
    out.push(['First seen', iso(l.firstSeenMs)], ['Last change', iso(l.lastChangeMs)], ['Started', iso(l.startMs)]);
    if (l.closed) out.push(['Closed', `${iso(l.closed.atMs)} (${l.closed.reason === 'destroy' ? 'destroy event' : 'gone from a dump'})`]);
  }
  if (f.stopNs) out.push(['Stopped', iso(Number(f.stopNs) / 1e6)]);
  out.push(['Mark', `${f.mark} (0x${f.mark.toString(16)})`], ['Zone', String(f.zone)], ['Labels', f.labels.length ? f.labels.join(' ') : '-']);
  out.push(['Helper', f.helper ?? '-'], ['Id', String(f.id)], ['Use', f.use === null ? '-' : String(f.use)]);
  if (f.master) out.push(['Master', tupleText(f.master)]);
  if (f.secctx) out.push(['Security', f.secctx]);
  if (e) {
    out.push(['Direction', `${e.dir}${e.nat === 'none' ? '' : `, ${e.nat}`}`], ['Classes', `source ${e.classes.src}, destination ${e.classes.dst}`]);
    out.push(['Service', e.service ? `${e.service.name ?? '?'} (port ${e.service.port}, ${e.service.side})` : '-']);
    out.push(['Host names', `${e.rdns.src ?? '-'} -> ${e.rdns.dst ?? '-'}`]);
    const g = e.geo;
    out.push(['Remote', e.remote ? `${e.remote}${g ? `  ${[g.country, g.city, g.asn ? `AS${g.asn}` : null, g.org].filter(Boolean).join(' ')}` : ''}` : '-']);
    const p = e.process;
    out.push(['Process', p === undefined ? '-' : p === null ? 'looking up…' : p.kind === 'process' ? `${p.name} pid ${p.pid} user ${p.user ?? p.uid}` : p.kind]);
    if (p && p.kind === 'process') out.push(['Command', p.cmdline]);
  }
  return out.map(([k, val]) => `${k.padEnd(12)} ${val}`);
}

/** Draws the detail view of the selected flow over the list area. */
export function renderDetail(g: Grid, v: ViewState, t: Theme, y0: number, h: number): void {
  const l = v.shownRows()[v.sel];
  if (!l) {
    textPanel(g, t, y0, h, ['no flow selected'], 0, 'Flow details (Esc: back)');
    return;
  }
  const title = `Flow details${l.closed ? ' (closed)' : ''}${v.paused ? ' (paused)' : ''}  Esc: back, Up/Down: other flows`;
  textPanel(g, t, y0, h, detailLines(v.rowOf(l, true), v.settings.bits), 0, title);
}

/** Draws the setup screen over the list area. */
export function renderSetup(g: Grid, v: ViewState, t: Theme, y0: number, h: number): void {
  const items = setupItems(v);
  const s = v.settings;
  const lines = items.map((id) => {
    if (id === ':theme') return `Theme      < ${s.theme} >`;
    if (id === ':interval') return `Interval   < ${intervalText(s.intervalMs)} >`;
    const m = id.startsWith(METER_ITEM) ? meterById(id.slice(METER_ITEM.length)) : undefined;
    if (m) return `[${s.meters.includes(m.id) ? 'x' : ' '}] ${m.title.padEnd(13)} ${'meter'.padEnd(9)} ${m.description}`;
    const c = columnById(id)!;
    const on = s.columns.includes(id);
    return `[${on ? 'x' : ' '}] ${c.title.padEnd(13)} ${`width ${s.widths[id] ?? c.width}`.padEnd(9)} ${c.description}`;
  });
  g.fill(0, y0, g.width, t.colHeader);
  g.put(0, y0, fitText('Setup  Space: show/hide  [ ]: move  + -: width  Left/Right: value  Esc: save and leave', g.width), t.colHeaderSort);
  const rows = h - 1;
  const top = Math.max(0, v.menuSel - rows + 1);
  for (let i = 0; i < rows && top + i < lines.length; i++) {
    const a = top + i === v.menuSel ? t.selection : t.text;
    g.fill(0, y0 + 1 + i, g.width, a);
    g.put(1, y0 + 1 + i, fitText(lines[top + i], g.width - 1), a);
  }
}

/** Draws the bottom line: a prompt (search, filter, protocol menu) or the function-key bar, plus the status. */
export function renderBottom(g: Grid, v: ViewState, t: Theme): void {
  const y = g.height - 1;
  g.fill(0, y, g.width, t.text);
  if (v.mode === 'search' || v.mode === 'filter') {
    const label = v.mode === 'search' ? 'Search: ' : 'Filter: ';
    const x = g.put(0, y, label, t.prompt);
    g.put(x, y, v.draft, t.text);
    const hint = v.mode === 'search' ? (v.searchMiss ? '  not found' : '  F3: next  Esc: cancel') : '  Enter: apply  Esc: cancel';
    g.put(x + v.draft.length, y, hint, v.searchMiss ? t.error : t.mag0);
    const err = v.filterError;
    if (v.mode === 'filter' && err && y > 0) {
      g.fill(0, y - 1, g.width, t.text);
      const cx = Math.min(g.width - 1, x + err.pos);
      g.put(cx, y - 1, '^', t.error);
      const msg = `${err.message} (${err.code}, at ${err.pos + 1})`;
      // Right of the caret when it fits, else left of it (cut to the room there); the caret stays visible.
      if (cx + 2 + msg.length <= g.width) g.put(cx + 2, y - 1, msg, t.error);
      else g.put(0, y - 1, fitText(msg, Math.max(0, cx - 1)), t.error);
    }
    return;
  }
  if (v.mode === 'proto') {
    const x = g.put(0, y, 'Protocols:', t.prompt);
    const items = [['T', 'tcp'], ['U', 'udp'], ['D', 'dccp'], ['I', 'icmp'], ['S', 'sctp'], ['G', 'gre']];
    let cx = x + 1;
    for (const [k, p] of items) {
      const on = !v.protoOff.has(p);
      cx = g.put(cx, y, k, t.fkey);
      cx = g.put(cx, y, `${p}${on ? '+' : '-'}`, on ? t.fkeyLabel : t.ghost) + 1;
    }
    g.put(cx + 1, y, 'Esc: done', t.mag0);
    return;
  }
  let x = 0;
  for (const it of barItems(v.mode)) {
    if (x + it.key.length + 6 > g.width) break;
    x = g.put(x, y, it.key, t.fkey);
    x = g.put(x, y, it.label.padEnd(6), t.fkeyLabel) + 1;
  }
  const status = v.searchText ? `search: ${v.searchText}${v.searchMiss ? ' (not found)' : ''}` : v.filterText ? `filter: ${v.filterText}` : v.status;
  if (status && x + 2 < g.width) g.put(x + 1, y, fitText(status, g.width - x - 1), v.searchMiss ? t.error : t.mag0);
}
