// Tests for server/wire-encode.ts: handles per incarnation, updates with only the changed fields (none when
// only the timeout moved), full updates and destroys, and lines that the protocol's own checker accepts.
import t from 'tap';
import { FlowTable } from '../../lib/flow-table.js';
import { checkServerMessage } from '../../server/protocol-check.js';
import { WireEncoder } from '../../server/wire-encode.js';
import { mkFlow } from '../helpers/serve-harness.js';

t.test('refs, diffs and destroys', async (t) => {
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  const enc = new WireEncoder();
  table.apply({ kind: 'dumpBegin', atMs: 1000 });
  table.apply({ kind: 'dumpEntry', flow: mkFlow(1) });
  table.apply({ kind: 'dumpEnd', atMs: 1000, complete: true });
  const live = table.snapshot()[0];
  const line = enc.newLine(live);
  const msg = JSON.parse(line) as { ref: number };
  t.ok(checkServerMessage(msg).ok, 'a valid new');
  t.equal(enc.refOf(live), msg.ref, 'the same flow keeps its ref');
  live.flow.timeoutSec = 12;
  t.equal(enc.updateLine(live), null, 'a timeout change alone is not sent');
  live.flow.counters = { orig: { packets: 11, bytes: 2000 }, reply: { packets: 5, bytes: 500 } };
  live.flow.state = 'FIN_WAIT';
  const upd = JSON.parse(enc.updateLine(live)!) as { set: Record<string, unknown> };
  t.ok(checkServerMessage(upd).ok);
  t.same(Object.keys(upd.set).sort(), ['counters', 'state'], 'only what changed since the last line (the timeout went out with the previous one)');
  t.equal(enc.updateLine(live), null, 'nothing changed since');
  const full = JSON.parse(enc.fullUpdateLine(live)) as { set: Record<string, unknown> };
  t.ok(['state', 'status', 'mark', 'labels', 'helper', 'counters', 'startNs'].every((k) => k in full.set), 'a full update carries every field');
  table.apply({ kind: 'destroy', flow: { ...mkFlow(1), use: null, counters: { orig: { packets: 12, bytes: 2100 }, reply: { packets: 5, bytes: 500 } } }, atMs: 1500 });
  const d = JSON.parse(enc.destroyLine(live)) as { reason: string; ref: number; set: Record<string, unknown> };
  t.ok(checkServerMessage(d).ok);
  t.equal(d.reason, 'destroy');
  t.equal(d.ref, msg.ref);
  t.ok('counters' in d.set, 'the final counters');
  table.apply({ kind: 'new', flow: { ...mkFlow(1), use: null }, atMs: 1600 });
  const reborn = table.snapshot()[0];
  t.not(enc.refOf(reborn), msg.ref, 'a new incarnation of the same key gets a new ref');
});

t.test('snapshot chunks: valid flows lines of about the asked size, every open flow once, closed ones skipped', async (t) => {
  const table = new FlowTable({ lingerMs: 0, trackChanges: true });
  const enc = new WireEncoder();
  table.apply({ kind: 'dumpBegin', atMs: 1000 });
  for (let i = 0; i < 300; i++) table.apply({ kind: 'dumpEntry', flow: mkFlow(i) });
  table.apply({ kind: 'dumpEnd', atMs: 1000, complete: true });
  const snap = table.snapshot();
  table.apply({ kind: 'destroy', flow: { ...snap[5].flow }, atMs: 1100 });
  const seen: number[] = [];
  let lines = 0;
  for (let at = 0; at < snap.length;) {
    const { bytes, next } = enc.snapshotChunk(snap, at, 8192);
    t.ok(next > at, 'progress');
    at = next;
    if (!bytes) continue;
    lines++;
    const text = bytes.toString('utf8');
    t.equal(text.indexOf('\n'), text.length - 1, 'one line, newline-terminated');
    t.ok(bytes.length < 8192 + 1024, 'about the asked size');
    const m = JSON.parse(text) as { flows: { ref: number; flow: { id: number } }[] };
    t.ok(checkServerMessage(m).ok, 'a valid flows message');
    for (const e of m.flows) {
      t.equal(e.ref, enc.refOf(snap.find((l) => l.flow.id === e.flow.id)!), 'the flow\'s ref');
      seen.push(e.flow.id);
    }
  }
  t.ok(lines > 3, `several chunks (${lines})`);
  t.same(seen, snap.filter((l) => !l.closed).map((l) => l.flow.id), 'every open flow once, in order');
  t.equal(enc.snapshotChunk([snap[5]], 0, 8192).bytes, null, 'only closed flows: no line');
});
