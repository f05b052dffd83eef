// Build and test step (not loaded by conntop): checks a socket shim build the way conntop uses it, with any
// Node from 18 on (CommonJS, no dependencies), also a foreign-architecture Node under qemu-user.
// Usage: node self-check.cjs NETLINK_PACKAGE_DIR. Prints one JSON line:
//   {"loaded":true,"napi":"9","socket":"ok","datagrams":2,"buffers":1,"batch":1,"ahead":1}  a patched (v4) build, dumping
//   {"loaded":true,...,"socket":"EPROTONOSUPPORT"}  the addon loaded, but this kernel or emulator has no
//   NETLINK_NETFILTER (qemu-user translates only some netlink families)
// "buffers":1 means both dump replies arrived in the one reused receive buffer: only conntop's patch v2 does
// that (0.3.0 allocates a buffer per datagram). "batch":1 means a socket set to batches (patch v3's setBatch)
// got its dump reply as a batch of one datagram (absent below v3); "ahead":1 the same through the read-ahead
// thread (patch v4's setReadAhead; absent below v4). Run it in a fresh network namespace (the table is empty, so
// each dump is a single DONE datagram). Exit status 0 when it could tell, 1 when the addon did not load.
'use strict';
const { join } = require('node:path');

const dir = process.argv[2];
const out = { loaded: false, napi: process.versions.napi, arch: process.arch };
let Raw;
try {
  Raw = require(join(dir, 'dist/raw.js')).RawNetlinkSocket;
  out.loaded = true;
} catch (e) {
  out.error = String(e && e.message).split('\n')[0];
  console.log(JSON.stringify(out));
  process.exit(1);
}

let sock;
try {
  sock = new Raw(12, { messagePeeking: false, msgBufferSize: 32768 });
} catch (e) {
  out.socket = e.code || String(e.message);
  console.log(JSON.stringify(out));
  process.exit(0);
}

// One nfnetlink dump request: nlmsghdr (16) + nfgenmsg (4), IPCTNL_MSG_CT_GET with NLM_F_REQUEST|NLM_F_DUMP.
function dumpRequest(seq) {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(20, 0);
  b.writeUInt16LE((1 << 8) | 1, 4); // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET
  b.writeUInt16LE(0x1 | 0x300, 6); // NLM_F_REQUEST | NLM_F_DUMP
  b.writeUInt32LE(seq, 8);
  b.writeUInt8(0, 16); // AF_UNSPEC
  b.writeUInt8(0, 17); // NFNETLINK_V0
  return b;
}

const buffers = new Set();
let datagrams = 0;
let next;
sock.on('message', (msg) => {
  buffers.add(msg.buffer);
  datagrams++;
  if (next) next();
});
sock.on('error', (e) => {
  out.socket = e.code || String(e.message);
  console.log(JSON.stringify(out));
  process.exit(0);
});
/** A dump through a socket set up by `method` (setBatch, v3; setReadAhead, v4): the batch size its meta says, -1 when the meta is off, undefined without the method. */
async function probe(method, seq) {
  const s = new Raw(12, { messagePeeking: false, msgBufferSize: 32768 });
  try {
    if (typeof s.__native[method] !== 'function') return undefined;
    const meta = new Int32Array(9);
    s.__native[method](meta, 65536);
    const got = new Promise((r) => s.on('message', (msg, m) => r(m === meta && meta[1] <= msg.byteLength ? meta[0] : -1)));
    await new Promise((resolve, reject) => s.send(dumpRequest(seq), { port: 0 }, (err) => (err ? reject(err) : resolve())));
    return await got;
  } finally {
    s.close();
  }
}

(async () => {
  for (let i = 0; i < 2; i++) {
    const got = new Promise((r) => (next = r));
    await new Promise((resolve, reject) => sock.send(dumpRequest(100 + i), { port: 0 }, (err) => (err ? reject(err) : resolve())));
    await got;
  }
  sock.close();
  Object.assign(out, { socket: 'ok', datagrams, buffers: buffers.size });
  out.batch = await probe('setBatch', 200);
  out.ahead = await probe('setReadAhead', 300);
  console.log(JSON.stringify(out));
})().catch((e) => {
  out.socket = e.code || String(e.message);
  console.log(JSON.stringify(out));
  process.exit(0);
});
