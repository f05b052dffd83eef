// lib/kernel/ (the kernel boundary, the only lib code that imports netlink/): maps a decoded conntrack entry
// (netlink's CtEntry) to conntop's Flow model.
import { DCCP_STATES, IPS_NAMES, PROTO_NAMES, SCTP_STATES, TCP_STATES, stateName } from '../../netlink/ct-attrs.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import type { Flow } from '../flow.js';

const EMPTY: readonly number[] = Object.freeze([]) as readonly number[];

/** Status flag names per status word, memoised per owner (a pipeline): at most 2^16 distinct words. */
export class StatusNames {
  private readonly cache = new Map<number, readonly string[]>();

  /** The frozen, shared name list of `status` (IPS_* bits in bit order, without the prefix). */
  of(status: number): readonly string[] {
    let names = this.cache.get(status);
    if (!names) {
      const list: string[] = [];
      for (let b = 0; b < 32; b++) if (status & (1 << b)) list.push(IPS_NAMES[b] ?? `BIT${b}`);
      names = Object.freeze(list);
      if (this.cache.size < 65536) this.cache.set(status, names);
    }
    return names;
  }
}

/** Maps a decoded entry to the Flow model; tuples are reused, not copied. Status arrays are shared and frozen. */
export function toFlow(e: CtEntry, names: StatusNames = new StatusNames()): Flow {
  const f: Flow = {
    id: e.id ?? 0,
    family: e.family === 10 ? 'ipv6' : 'ipv4',
    proto: PROTO_NAMES[e.protoNum] ?? String(e.protoNum),
    protoNum: e.protoNum,
    orig: e.orig,
    reply: e.reply,
    state: e.tcp ? stateName(TCP_STATES, e.tcp.state) : e.sctp ? stateName(SCTP_STATES, e.sctp.state) : e.dccp ? stateName(DCCP_STATES, e.dccp.state) : null,
    status: names.of(e.status),
    timeoutSec: e.timeoutSec ?? null,
    mark: e.mark ?? 0,
    zone: e.zone ?? 0,
    use: e.use ?? null,
    labels: e.labels ?? EMPTY,
    helper: e.helper ?? null,
    // The optional fields too, undefined when absent (JSON.stringify skips them; the order is the schema's):
    // one object shape for every flow, with every field in the object (adding them afterwards cost each
    // flow a separate 40-byte property array).
    counters: e.countersOrig || e.countersReply
      ? { orig: e.countersOrig ?? { packets: 0, bytes: 0 }, reply: e.countersReply ?? { packets: 0, bytes: 0 } }
      : undefined,
    startNs: e.startNs === undefined ? undefined : e.startNs.toString(),
    stopNs: e.stopNs === undefined ? undefined : e.stopNs.toString(),
    master: e.master,
    secctx: e.secctx,
  };
  if (e.countersSaturated && f.counters) f.counters.saturated = true;
  return f;
}
