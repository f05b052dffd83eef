// Test helper (real-kernel tests only): an event storm made with conntop's own ctnetlink encoder. Run it
// inside a namespace, after `npm run build`: `node test/helpers/storm.mjs CREATE KEEP [BATCH]`.
// Creates CREATE UDP entries (10.77.x.y:1024+i -> 10.78.0.1:53, timeout 600 s) and then deletes all but
// the last KEEP, packing BATCH requests into each datagram (only the last of a batch asks for an ACK;
// errors are always answered), so the kernel emits CREATE NEW and CREATE-KEEP DESTROY events as fast as
// it can. Prints one JSON line: {created, deleted, errors, ms, keep: [orig tuples of the survivors]}.
// Paced mode, for benchmarks: `node test/helpers/storm.mjs --paced RATE SECONDS` creates and deletes UDP entries
// (10.88.x.y, each deleted one tick after its creation) so the kernel emits about RATE events per second
// (NEW plus DESTROY) for SECONDS; prints {events, errors, ms}.
// Imports only node: modules and dist/netlink (the encoder and socket under test elsewhere).
import { encodeCreateRequest, encodeDeleteRequest } from '../../dist/netlink/ct-request.js';
import { openNetlinkSocket } from '../../dist/netlink/socket.js';

const paced = process.argv[2] === '--paced';
const [create = 3000, keep = 100, batch = 200] = paced ? [] : process.argv.slice(2).map(Number);
const NLM_F_ACK = 0x4;
const AF_INET = 2;
const UDP = 17;

const tuple = (i) => ({ src: `10.77.${(i >> 8) & 255}.${i & 255}`, dst: '10.78.0.1', sport: 1024 + i, dport: 53 });
const rev = (t) => ({ src: t.dst, dst: t.src, sport: t.dport, dport: t.sport });

let seq = 1;
let errors = 0;
let firstError = null;
const waiting = new Map(); // seq -> resolve, for the one ACKed message of each batch

const sock = openNetlinkSocket(12, {
  onDatagram(d) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let off = 0; off + 16 <= d.byteLength;) {
      const len = dv.getUint32(off, true);
      const type = dv.getUint16(off + 4, true);
      const s = dv.getUint32(off + 8, true);
      if (type === 2) { // NLMSG_ERROR: error 0 is an ACK
        const err = dv.getInt32(off + 16, true);
        if (err !== 0) {
          errors++;
          firstError ??= err;
        }
        waiting.get(s)?.();
        waiting.delete(s);
      }
      if (len < 16) break;
      off += (len + 3) & ~3;
    }
  },
  onError(e) {
    errors++;
    firstError ??= e.code;
  },
});
sock.setReceiveBuffer(1 << 20);

/** Sends `msgs` as one datagram with ACK only on the last message, and waits for that ACK. */
async function sendBatch(msgs) {
  for (let k = 0; k < msgs.length - 1; k++) {
    const m = msgs[k];
    const flags = m[6] | (m[7] << 8);
    const f = flags & ~NLM_F_ACK;
    m[6] = f & 255;
    m[7] = f >> 8;
  }
  const last = msgs[msgs.length - 1];
  const lastSeq = last[8] | (last[9] << 8) | (last[10] << 16) | (last[11] << 24);
  const acked = new Promise((resolve) => waiting.set(lastSeq >>> 0, resolve));
  const buf = Buffer.concat(msgs);
  await sock.send(buf);
  await acked;
}

/** Paced mode: every 20 ms, create this tick's share of entries and delete the previous tick's. */
async function pacedStorm(rate, seconds) {
  const TICK_MS = 20;
  const perTick = Math.max(1, Math.round((rate / 2) * (TICK_MS / 1000)));
  const pTuple = (i) => ({ src: `10.88.${(i >> 8) & 255}.${i & 255}`, dst: '10.78.0.2', sport: 1024 + (i % 60000), dport: 53 });
  const t0 = performance.now();
  let events = 0;
  let prev = [];
  for (let tick = 0; performance.now() - t0 < seconds * 1000; tick++) {
    const due = t0 + tick * TICK_MS;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
    const now = [];
    for (let k = 0; k < perTick; k++) now.push(pTuple((tick * perTick + k) % 65536));
    const msgs = now.map((o) => encodeCreateRequest(seq++, { family: AF_INET, protoNum: UDP, orig: o, reply: rev(o), status: 0, timeoutSec: 600 }));
    for (const o of prev) msgs.push(encodeDeleteRequest(seq++, AF_INET, UDP, o));
    for (let i = 0; i < msgs.length; i += batch) await sendBatch(msgs.slice(i, i + batch));
    events += msgs.length;
    prev = now;
  }
  for (const o of prev) await sendBatch([encodeDeleteRequest(seq++, AF_INET, UDP, o)]);
  events += prev.length;
  sock.close();
  process.stdout.write(JSON.stringify({ events, errors, firstError, ms: performance.now() - t0 }) + '\n');
}

if (paced) {
  await pacedStorm(Number(process.argv[3]), Number(process.argv[4]));
  process.exit(0);
}

const t0 = process.hrtime.bigint();
for (let i = 0; i < create; i += batch) {
  const msgs = [];
  for (let k = i; k < Math.min(create, i + batch); k++) {
    const o = tuple(k);
    msgs.push(encodeCreateRequest(seq++, { family: AF_INET, protoNum: UDP, orig: o, reply: rev(o), status: 0, timeoutSec: 600 }));
  }
  await sendBatch(msgs);
}
for (let i = 0; i < create - keep; i += batch) {
  const msgs = [];
  for (let k = i; k < Math.min(create - keep, i + batch); k++) msgs.push(encodeDeleteRequest(seq++, AF_INET, UDP, tuple(k)));
  await sendBatch(msgs);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
sock.close();
const survivors = [];
for (let k = create - keep; k < create; k++) survivors.push(tuple(k));
process.stdout.write(JSON.stringify({ created: create, deleted: create - keep, errors, firstError, ms, keep: survivors }) + '\n');
