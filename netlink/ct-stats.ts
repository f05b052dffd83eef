// netlink/ layer: decoders for the statistics replies (GET_STATS global, GET_STATS_CPU per CPU).
// Imports ./reader, ./attr, ./message, ./nfnetlink, ./ct-attrs, ./writer. Layout: ctnetlink.md §3.4.4, §4.3.
// Dispatch stats replies by the request that asked: EXP_GET_STATS_CPU replies reuse type 0x0103 (§3.1).
import { AttrIter } from './attr.js';
import { CTA_STATS, CTA_STATS_GLOBAL, CT_MSG } from './ct-attrs.js';
import { NLM_F, type NlMsg, beginMessage, endMessage } from './message.js';
import { NFGENMSG_LEN, NFNL_SUBSYS, decodeNfGenMsg, encodeNfGenMsg, nfType } from './nfnetlink.js';
import type { Reader } from './reader.js';
import { Writer } from './writer.js';

/** Global statistics: this namespace's entry count and nf_conntrack_max (about 4.18+; absent before). */
export interface CtGlobalStats {
  entries: number;
  maxEntries?: number;
}

/** Per-CPU statistics; only the counters the kernel sent are present. `cpu` comes from res_id. */
export interface CtCpuStats {
  cpu: number;
  counters: Partial<Record<Lowercase<keyof typeof CTA_STATS>, number>>;
}

export function decodeGlobalStats(r: Reader, m: NlMsg): CtGlobalStats {
  const out: CtGlobalStats = { entries: 0 };
  const it = new AttrIter(r, m.payload + NFGENMSG_LEN, m.end);
  decodeNfGenMsg(r, m.payload, m.end);
  while (it.next()) {
    if (it.type === CTA_STATS_GLOBAL.ENTRIES) { r.fixed(it.hdr, it.len, 4); out.entries = r.u32be(it.off); }
    else if (it.type === CTA_STATS_GLOBAL.MAX_ENTRIES) { r.fixed(it.hdr, it.len, 4); out.maxEntries = r.u32be(it.off); }
  }
  return out;
}

const STAT_NAMES: Record<number, Lowercase<keyof typeof CTA_STATS>> = {};
for (const [k, v] of Object.entries(CTA_STATS)) STAT_NAMES[v] = k.toLowerCase() as Lowercase<keyof typeof CTA_STATS>;

export function decodeCpuStats(r: Reader, m: NlMsg): CtCpuStats {
  const cpu = decodeNfGenMsg(r, m.payload, m.end).resId;
  const out: CtCpuStats = { cpu, counters: {} };
  const it = new AttrIter(r, m.payload + NFGENMSG_LEN, m.end);
  while (it.next()) {
    const name = STAT_NAMES[it.type];
    if (!name) continue;
    r.fixed(it.hdr, it.len, 4);
    out.counters[name] = r.u32be(it.off);
  }
  return out;
}

/** Encodes a GET_STATS reply as the kernel does (for fakes and round-trip tests). */
export function encodeGlobalStatsReply(s: CtGlobalStats, seq: number, pid: number): Uint8Array {
  const w = new Writer(48);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.GET_STATS), NLM_F.MULTI, seq, pid);
  encodeNfGenMsg(w, 0);
  w.attrU32be(CTA_STATS_GLOBAL.ENTRIES, s.entries);
  if (s.maxEntries !== undefined) w.attrU32be(CTA_STATS_GLOBAL.MAX_ENTRIES, s.maxEntries);
  endMessage(w, start);
  return w.finish();
}

/** Encodes one GET_STATS_CPU reply message (for fakes and round-trip tests). */
export function encodeCpuStatsReply(s: CtCpuStats, seq: number, pid: number): Uint8Array {
  const w = new Writer(128);
  const start = beginMessage(w, nfType(NFNL_SUBSYS.CTNETLINK, CT_MSG.GET_STATS_CPU), NLM_F.MULTI, seq, pid);
  encodeNfGenMsg(w, 0, 0, s.cpu);
  for (const [k, v] of Object.entries(CTA_STATS)) {
    const val = s.counters[k.toLowerCase() as Lowercase<keyof typeof CTA_STATS>];
    if (val !== undefined) w.attrU32be(v, val);
  }
  endMessage(w, start);
  return w.finish();
}
