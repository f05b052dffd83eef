// fuzz/ property: conntop 1.0's DATA items as our client reads them (server/v1-items.ts): the decoder is total
// on any JSON, what it accepts maps onto a flow that validates against the published flow schema (closed: no
// key it does not name), and CREATE then any UPDATEs equals a model that takes each flagged field as sent.
// Imports fast-check, server/ and fuzz/.
import { deepStrictEqual, ok } from 'node:assert';
import fc from 'fast-check';
import { V1_FLAGS, decodeV1Item, v1Changes, v1Flow, v1Id, v1Key } from '../server/v1-items.js';
import type { PropOptions } from './harness.js';
import { flowLine } from './schema-check.js';

const v4 = fc.ipV4();
const v6 = fc.ipV6();
const port = fc.integer({ min: 0, max: 65535 });
const count = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(2 ** 60));
const state = fc.constantFrom('ESTABLISHED', 'SYN_SENT', 'TIME_WAIT', '', '?');

/** A valid CREATE item of any of 1.0's four types. */
const createArb = fc.constantFrom('tcp4', 'tcp6', 'udp4', 'udp6').chain((type) => {
  const addr = type.endsWith('4') ? v4 : v6;
  return fc.record({
    action: fc.constant('CREATE'), type: fc.constant(type), srcAddress: addr, dstAddress: addr, srcPort: port, dstPort: port, state,
    rxPackets: count, txPackets: count, rxBytes: count, txBytes: count, rxSpeed: count, txSpeed: count,
  });
});

/** An UPDATE of `item`'s key: random flags, each flagged field with a fresh value. */
function updateArb(item: Record<string, unknown>) {
  return fc.record({ flags: fc.integer({ min: 0, max: 0xfff }), state, rxPackets: count, txPackets: count, rxBytes: count, txBytes: count, rxSpeed: count, txSpeed: count })
    .map(({ flags, ...fields }) => {
      const u: Record<string, unknown> = { action: 'UPDATE', type: item.type, srcAddress: item.srcAddress, dstAddress: item.dstAddress, srcPort: item.srcPort, dstPort: item.dstPort, updateFlags: flags };
      for (const [k, bit] of Object.entries(V1_FLAGS)) if (flags & bit) u[k] = fields[k as keyof typeof fields];
      return u;
    });
}

/** Any JSON, and near misses of valid items (one field replaced by any JSON): never throws; accepted items map to schema-valid flows. */
export function propV1ItemAnyJson({ numRuns, seed }: PropOptions): void {
  const nearMiss = fc.tuple(createArb, fc.constantFrom('action', 'type', 'srcAddress', 'dstAddress', 'srcPort', 'dstPort', 'state', 'rxBytes', 'updateFlags'), fc.jsonValue())
    .map(([item, k, v]) => ({ ...item, [k]: v }));
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), nearMiss), (v) => {
      const d = decodeV1Item(v);
      if (!d.ok) return ok(typeof d.detail === 'string' && d.detail.length > 0);
      if (d.item.action !== 'CREATE') return;
      const f = JSON.parse(JSON.stringify(v1Flow(d.item))) as unknown;
      ok(flowLine.okClosed(f), flowLine.why(f));
    }),
    { numRuns, seed },
  );
}

/** CREATE then UPDATEs: the flow equals the model (tx = original, rx = reply, flagged fields as sent, capped at 2^53 - 1). */
export function propV1UpdatesMatchModel({ numRuns, seed }: PropOptions): void {
  const arb = createArb.chain((c) => fc.tuple(fc.constant(c), fc.array(updateArb(c), { maxLength: 8 })));
  fc.assert(
    fc.property(arb, ([c, updates]) => {
      const d = decodeV1Item(c);
      ok(d.ok);
      let flow = v1Flow(d.item);
      const model: Record<string, unknown> = { ...c };
      // A counter past 2^53 - 1 marks the flow saturated for good (counters only grow in the kernel).
      const over = () => [model.txPackets, model.txBytes, model.rxPackets, model.rxBytes].some((n) => (n as number) > Number.MAX_SAFE_INTEGER);
      let sat = over();
      for (const u of updates) {
        const du = decodeV1Item(u);
        ok(du.ok);
        deepStrictEqual(v1Key(du.item), v1Key(d.item));
        const set = v1Changes(flow, du.item);
        if (set) flow = { ...flow, ...set };
        for (const k of Object.keys(V1_FLAGS)) if (k in u) model[k] = u[k];
        sat ||= over();
      }
      const cap = (n: unknown) => Math.min(n as number, Number.MAX_SAFE_INTEGER);
      const udp = String(c.type).startsWith('udp');
      deepStrictEqual(flow.id, v1Id(v1Key(d.item)));
      deepStrictEqual(flow.state, udp || model.state === '' || model.state === '?' ? null : model.state);
      deepStrictEqual(flow.orig.sport, c.srcPort);
      deepStrictEqual(flow.reply.sport, c.dstPort);
      deepStrictEqual(flow.counters, {
        orig: { packets: cap(model.txPackets), bytes: cap(model.txBytes) },
        reply: { packets: cap(model.rxPackets), bytes: cap(model.rxBytes) },
        ...(sat ? { saturated: true } : {}),
      });
    }),
    { numRuns, seed },
  );
}
