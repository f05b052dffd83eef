// Tests for netlink/ct-stats.ts: GET_STATS (global) and GET_STATS_CPU (per CPU, res_id = CPU) replies,
// against annotated literals shaped like the real 6.18 replies in test/fixtures/netlink/stats.json, and
// encoder/decoder round trips. Literals are little-endian: skipped on big-endian hosts.
import t from 'tap';
import { decodeCpuStats, decodeGlobalStats, encodeCpuStatsReply, encodeGlobalStatsReply } from '../../netlink/ct-stats.js';
import { splitMessages } from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { hx, toHex } from '../helpers/hex.js';

const skip = !HOST_IS_LE && 'little-endian literals';
const first = (b: Uint8Array) => { const r = new Reader(b); return { r, m: splitMessages(r)[0] }; };

const GLOBAL = hx`
  24000000 0501 0200 f4030000 f41a0008   # len 36, CT_GET_STATS reply, MULTI, seq 1012
  00 00 0000                             # nfgenmsg: AF_UNSPEC
  08000100 00000001                      # CTA_STATS_GLOBAL_ENTRIES 1
  08000200 00040000                      # CTA_STATS_GLOBAL_MAX_ENTRIES 262144
`;
const CPU1 = hx`
  64000000 0401 0200 f5030000 f41a0008   # len 100, CT_GET_STATS_CPU reply, MULTI, seq 1013
  00 00 0001                             # nfgenmsg: AF_UNSPEC, res_id = CPU 1 (BE)
  08000200 00000000 | 08000400 00000000  # FOUND 0 | INVALID 0
  08000800 00000006 | 08000900 00000000  # INSERT 6 | INSERT_FAILED 0
  08000a00 00000000 | 08000b00 00000000  # DROP | EARLY_DROP
  08000c00 00000000 | 08000d00 00000000  # ERROR | SEARCH_RESTART
  08000e00 00000000 | 08000f00 00000000  # CLASH_RESOLVE | CHAIN_TOOLONG
`;

t.test('GET_STATS reply', { skip }, async (t) => {
  const { r, m } = first(GLOBAL);
  t.same(decodeGlobalStats(r, m), { entries: 1, maxEntries: 262144 });
  t.equal(toHex(encodeGlobalStatsReply({ entries: 1, maxEntries: 262144 }, 1012, 0x08001af4)), toHex(GLOBAL));
});

t.test('GET_STATS_CPU reply: cpu from res_id, the counters 6.18 sends', { skip }, async (t) => {
  const { r, m } = first(CPU1);
  const want = { cpu: 1, counters: { found: 0, invalid: 0, insert: 6, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chain_toolong: 0 } };
  t.same(decodeCpuStats(r, m), want);
  t.equal(toHex(encodeCpuStatsReply(want, 1013, 0x08001af4)), toHex(CPU1));
});

const cases: { name: string; input: Uint8Array; global?: object; cpu?: object; wantCode?: string }[] = [
  { name: 'pre-4.18: no MAX_ENTRIES', input: hx`1c000000 0501 0200 01000000 00000000 | 00000000 | 08000100 00000007`, global: { entries: 7 } },
  { name: 'unknown stats attributes are ignored', input: hx`24000000 0401 0200 01000000 00000000 | 00000003 | 08001e00 00000001 | 08000800 00000002`, cpu: { cpu: 3, counters: { insert: 2 } } },
  { name: 'global entries of 2 bytes', input: hx`1c000000 0501 0200 01000000 00000000 | 00000000 | 06000100 0007 0000`, wantCode: 'BAD_ATTR_SIZE' },
  { name: 'cpu counter of 8 bytes', input: hx`20000000 0401 0200 01000000 00000000 | 00000000 | 0c000200 00000000 00000001`, wantCode: 'BAD_ATTR_SIZE' },
  { name: 'no nfgenmsg', input: hx`12000000 0501 0200 01000000 00000000 | 0000`, wantCode: 'SHORT_HEADER' },
  { name: 'attribute past the message', input: hx`1c000000 0401 0200 01000000 00000000 | 00000000 | 0c000200 00000001`, wantCode: 'ATTR_PAST_END' },
];
for (const c of cases) {
  t.test(c.name, { skip }, async (t) => {
    const { r, m } = first(c.input);
    const fn = c.cpu ? () => decodeCpuStats(r, m) : c.global ? () => decodeGlobalStats(r, m) : null;
    if (c.wantCode) {
      t.throws(() => decodeGlobalStats(r, m), { name: 'DecodeError', code: c.wantCode });
      t.throws(() => decodeCpuStats(r, m), { name: 'DecodeError', code: c.wantCode });
    } else t.same(fn!(), c.cpu ?? c.global);
  });
}

t.test('round trip: every per-CPU counter, in kernel order', async (t) => {
  const s = { cpu: 65535, counters: { searched: 1, found: 2, new: 3, invalid: 4, ignore: 5, delete: 6, delete_list: 7, insert: 8, insert_failed: 9, drop: 10, early_drop: 11, error: 12, search_restart: 13, clash_resolve: 14, chain_toolong: 0xffffffff } };
  const { r, m } = first(encodeCpuStatsReply(s, 1, 2));
  t.match(m, { type: 0x0104, flags: 0x2, seq: 1, pid: 2 });
  t.same(decodeCpuStats(r, m), s);
  const g = first(encodeGlobalStatsReply({ entries: 0 }, 1, 2));
  t.same(decodeGlobalStats(g.r, g.m), { entries: 0 });
});
