// Test helper: a deterministic live table for the view tests and the view benchmark: n flows of mixed
// protocols, states and counters, loaded by one dump and ticked twice so rates are non-zero.
import { FlowTable } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';

const STATES = ['ESTABLISHED', 'TIME_WAIT', 'SYN_SENT', 'CLOSE_WAIT', 'FIN_WAIT'];

/** The i-th synthetic flow; `gen` scales its counters (a second dump makes rates). */
export function synthFlow(i: number, gen = 1): Flow {
  const proto = i % 7 === 3 ? 'udp' : i % 11 === 5 ? 'icmp' : 'tcp';
  const v6 = i % 13 === 7;
  const protoNum = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : v6 ? 58 : 1;
  const src = v6 ? `2001:db8::${(i % 65535).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const dst = v6 ? `2001:db8:1::${((i * 7) % 65535).toString(16)}` : `192.0.2.${(i * 7) % 250 + 1}`;
  const icmp = proto === 'icmp';
  const sport = 1024 + (i % 60000);
  const dport = [443, 80, 53, 22, 8080][i % 5];
  const bytes = ((i * 7919) % 100000) * gen;
  return {
    id: i + 1, family: v6 ? 'ipv6' : 'ipv4', proto: icmp && v6 ? 'icmpv6' : proto, protoNum,
    orig: icmp ? { src, dst, type: 8, code: 0, icmpId: i % 65535 } : { src, dst, sport, dport },
    reply: icmp ? { src: dst, dst: src, type: 0, code: 0, icmpId: i % 65535 } : { src: dst, dst: src, sport: dport, dport: sport },
    state: proto === 'tcp' ? STATES[i % STATES.length] : null,
    status: i % 3 === 0 ? ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'] : ['CONFIRMED'],
    timeoutSec: 100 + (i % 300), mark: i % 17 === 0 ? 42 : 0, zone: 0, use: 1,
    counters: { orig: { packets: Math.ceil(bytes / 500), bytes }, reply: { packets: Math.ceil(bytes / 300), bytes: bytes * 2 } },
    startNs: String(BigInt(1_700_000_000_000 - i * 1000) * 1_000_000n), labels: [], helper: null,
  };
}

/** Applies one complete dump of flows 0..n-1 at `atMs` with counters scaled by `gen`. */
export function dump(table: FlowTable, n: number, atMs: number, gen: number): void {
  table.apply({ kind: 'dumpBegin', atMs });
  for (let i = 0; i < n; i++) table.apply({ kind: 'dumpEntry', flow: synthFlow(i, gen) });
  table.apply({ kind: 'dumpEnd', atMs, complete: true });
  table.apply({ kind: 'stats', count: n, max: 262144, atMs });
  table.tick(atMs);
}

/** A table of n synthetic flows at two dumps 1 s apart (clock at 1_700_000_010_000 ms). */
export function synthTable(n: number, trackChanges = false): FlowTable {
  const table = new FlowTable({ lingerMs: 5000, trackChanges });
  dump(table, n, 1_700_000_009_000, 1);
  dump(table, n, 1_700_000_010_000, 2);
  return table;
}
