// Tests for server/protocol-v1.ts: conntop 1.0's exchange (peers.md, "conntop protocol version 1") replayed
// against our server on the same port as version 2: banner, HELLO, REQUEST_DATA/DATA_STATUS, UPDATE_TICK and
// DATA with CREATE, UPDATE (updateFlags) and REMOVE items; a long name is refused without harm to others.
import t from 'tap';
import { Mirror, RawClient, Served, mkFlow, until } from '../helpers/serve-harness.js';

const HELLO = '{"message":"HELLO","name":"old-client","version":"1.0.0","platform":"Linux"}\n';

t.test('a conntop 1.0 client gets the table, then deltas', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  const icmp = mkFlow(99, { proto: 'icmp', protoNum: 1, orig: { src: '192.0.2.1', dst: '10.0.0.99', type: 8, code: 0, icmpId: 7 }, reply: { src: '10.0.0.99', dst: '192.0.2.1', type: 0, code: 0, icmpId: 7 }, state: null });
  const udp = mkFlow(3, { proto: 'udp', protoNum: 17, state: null });
  let flows = [mkFlow(1), mkFlow(2), udp, icmp];
  s.refresh(flows);
  const c = new RawClient(s.port);
  t.teardown(() => c.destroy());
  await until(() => c.lines.length >= 1, 'the banner');
  t.equal(c.lines[0], '{"conntop_server":1}');
  c.send(HELLO);
  const hello = await c.waitFor('HELLO');
  t.same(hello, { message: 'HELLO', name: 'test-server', version: '1.0.0', platform: 'Linux' });
  c.send('{"message":"REQUEST_DATA","dataFlags":1,"dataUpdateFlags":0}\n');
  t.same(await c.waitFor('DATA_STATUS'), { message: 'DATA_STATUS', dataFlags: 1, dataUpdateFlags: 0 });
  s.refresh(flows);
  const data = await c.waitFor('DATA');
  t.equal(data.isUpdate, false);
  t.equal(data.type, 1);
  const items = data.data as Record<string, unknown>[];
  t.equal(items.length, 3, 'ICMP is not part of version 1');
  t.same(items.find((i) => i.type === 'udp4'), {
    action: 'CREATE', type: 'udp4', srcAddress: '192.0.2.1', dstAddress: '10.0.0.3', srcPort: 1027, dstPort: 443, state: '',
    rxPackets: 5, txPackets: 10, rxBytes: 500, txBytes: 1003, rxSpeed: 0, txSpeed: 0,
  });
  t.ok(c.messages().some((m) => m.message === 'UPDATE_TICK' && typeof m.timestamp === 'number'));
  // deltas: flow 1 moves, flow 2 closes, flow 4 appears
  c.lines.length = 0;
  c.send('{"message":"REQUEST_DATA","dataFlags":1,"dataUpdateFlags":1}\n');
  await c.waitFor('DATA_STATUS');
  flows = [{ ...mkFlow(1), counters: { orig: { packets: 20, bytes: 3001 }, reply: { packets: 5, bytes: 500 } } }, udp, icmp, mkFlow(4)];
  s.refresh(flows);
  const delta = await c.waitFor('DATA');
  t.equal(delta.isUpdate, true);
  const d = delta.data as Record<string, unknown>[];
  const upd = d.find((i) => i.action === 'UPDATE')!;
  t.equal(upd.dstAddress, '10.0.0.1');
  t.equal((upd.updateFlags as number) & (128 | 512 | 2048), 128 | 512 | 2048, 'tx packets, bytes and speed changed');
  t.equal(upd.txBytes, 3001);
  t.notOk('rxBytes' in upd, 'unchanged fields are left out');
  t.same(d.filter((i) => i.action === 'REMOVE').map((i) => i.dstAddress), ['10.0.0.2']);
  t.same(d.filter((i) => i.action === 'CREATE').map((i) => i.dstAddress), ['10.0.0.4']);
  c.send('{"message":"DISCONNECT","reason":"USER_DECISION"}\n');
  await until(() => c.ended, 'closed after DISCONNECT');
});

t.test('a 2 KB or 1 MB HELLO name is refused; garbage gets PROTOCOL_ERROR; version 2 clients are unaffected', async (t) => {
  const s = new Served();
  await s.listen();
  t.teardown(() => s.close());
  s.refresh([mkFlow(1)]);
  const m = new Mirror(s.port);
  t.teardown(() => m.close());
  await m.start();
  const long = new RawClient(s.port);
  const huge = new RawClient(s.port);
  const junk = new RawClient(s.port);
  t.teardown(() => [long, huge, junk].forEach((c) => c.destroy()));
  long.send(`{"message":"HELLO","name":"${'n'.repeat(2048)}","version":"1.0.0","platform":"Linux"}\n`);
  huge.send(`{"message":"HELLO","name":"${'n'.repeat(1 << 20)}","version":"1.0.0","platform":"Linux"}\n`);
  junk.send(HELLO + '{"message":"REQUEST_DATA","dataFlags":"x"}\n');
  t.equal((await long.waitFor('DISCONNECT')).reason, 'PROTOCOL_ERROR');
  t.equal((await huge.waitFor('error')).code, 'line-too-long', 'over the line cap before any parsing');
  t.equal((await junk.waitFor('DISCONNECT')).reason, 'PROTOCOL_ERROR');
  s.refresh([mkFlow(1), mkFlow(2)]);
  await until(() => m.table.snapshot().length === 2, 'the version 2 client follows');
});
