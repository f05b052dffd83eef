// Tests for lib/process-share.ts: which new flows are looked up (a local end on a socket protocol), one batch
// in flight at a time, closed flows dropped, settle() looking up everything waiting.
import t from 'tap';
import { FlowTable, type LiveFlow } from '../../lib/flow-table.js';
import type { ProcessLabel, SocketQuery } from '../../lib/enrich/processes.js';
import { ProcessShare } from '../../lib/process-share.js';
import { mkFlow } from '../helpers/serve-harness.js';

function setup(localAddrs: string[]) {
  const asked: SocketQuery[][] = [];
  const found: (readonly [LiveFlow, ProcessLabel])[] = [];
  let release: (() => void) | null = null;
  const share = new ProcessShare({
    attributor: {
      attribute: (b) => {
        asked.push(b);
        return new Promise((r) => (release = () => r(b.map((q) => ({ kind: 'process', pid: q.sport, name: 'x', uid: 0, user: null, cmdline: 'x' })))));
      },
      close: () => undefined,
    },
    local: { has: (a) => localAddrs.includes(a), isBroadcast: () => false, refresh: () => false },
    found: (l) => found.push(...l), now: () => 0,
  });
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  return { share, table, asked, found, release: () => release?.() };
}

t.test('new flows with a local end are looked up once per batch; forwarded and port-less flows are not', async (t) => {
  const s = setup(['192.0.2.1']);
  const out = mkFlow(1); // 192.0.2.1 -> 10.0.0.1: outbound
  const fwd = mkFlow(2, { orig: { src: '198.51.100.7', dst: '10.0.0.2', sport: 5000, dport: 443 }, reply: { src: '10.0.0.2', dst: '198.51.100.7', sport: 443, dport: 5000 } });
  const icmp = mkFlow(3, { proto: 'icmp', protoNum: 1, orig: { src: '192.0.2.1', dst: '10.0.0.3', type: 8, code: 0, icmpId: 1 }, reply: { src: '10.0.0.3', dst: '192.0.2.1', type: 0, code: 0, icmpId: 1 } });
  for (const f of [out, fwd, icmp]) s.table.apply({ kind: 'new', flow: f, atMs: 1 });
  s.share.changes(s.table.drainChanges());
  t.equal(s.share.waitingCount, 1, 'only the outbound TCP flow waits');
  const p = s.share.tick();
  t.equal(s.share.tick(), p, 'one batch in flight at a time');
  t.same(s.asked[0], [{ family: 'ipv4', protoNum: 6, src: '192.0.2.1', sport: out.orig.sport, dst: out.orig.dst, dport: 443 }]);
  s.release();
  await p;
  t.equal(s.found.length, 1);
  t.equal(s.found[0][0].flow.id, out.id);
});

t.test('a flow closed before its answer is not reported; settle() looks up every waiting flow', async (t) => {
  const s = setup(['192.0.2.1']);
  for (let i = 0; i < 600; i++) s.table.apply({ kind: 'new', flow: mkFlow(i), atMs: 1 });
  s.share.changes(s.table.drainChanges());
  t.equal(s.share.waitingCount, 600);
  const settled = s.share.settle(60_000);
  await new Promise((r) => setImmediate(r));
  t.equal(s.asked[0].length, 512, 'batches are bounded');
  s.table.apply({ kind: 'destroy', flow: mkFlow(0), atMs: 2 });
  s.share.changes(s.table.drainChanges());
  s.release();
  await new Promise((r) => setImmediate(r));
  s.release();
  await settled;
  t.equal(s.asked.length, 2);
  t.equal(s.found.length, 599, 'the destroyed flow is left out');
  t.equal(s.share.waitingCount, 0);
});
