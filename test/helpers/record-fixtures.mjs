#!/usr/bin/env node
// Test helper (plain JS, imports ../../dist/netlink only): records real-kernel ctnetlink replies as golden
// fixtures in test/fixtures/netlink/<scenario>.json (raw datagrams as hex + the decoded JSON).
// Usage, as root after `npm run build`: node test/helpers/record-fixtures.mjs
// It creates a throw-away netns conntop-fx-<pid>, re-runs itself inside it with --inner, and deletes it.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader, HOST_IS_LE } from '../../dist/netlink/reader.js';
import { splitMessages, decodeDone, decodeNlError, NLMSG } from '../../dist/netlink/message.js';
import { decodeCtEntry } from '../../dist/netlink/ct-decode.js';
import { decodeGlobalStats, decodeCpuStats } from '../../dist/netlink/ct-stats.js';
import {
  encodeDumpRequest, encodeCreateRequest, encodeGetRequest, encodeStatsRequest, encodeStatsCpuRequest,
} from '../../dist/netlink/ct-request.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'fixtures', 'netlink');

if (!process.argv.includes('--inner')) {
  if (process.getuid?.() !== 0) { console.error('record-fixtures: must run as root'); process.exit(1); }
  const ns = `conntop-fx-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), '--inner'], { stdio: 'inherit' });
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
  process.exit(0);
}

const { RawNetlinkSocket } = createRequire(import.meta.url)('netlink/dist/raw');
const sh = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const hex = (b) => Buffer.from(b).toString('hex');
const big = (_k, v) => (typeof v === 'bigint' ? v.toString() : v);

/** Sends `req` and collects reply datagrams until DONE / NLMSG_ERROR (or `count` non-DONE messages). */
function exchange(sock, req, seq) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => { sock.off('message', onMsg); reject(new Error(`timeout seq ${seq}`)); }, 3000);
    const onMsg = (buf) => {
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
      got.push(bytes);
      const msgs = splitMessages(new Reader(bytes));
      if (msgs.some((m) => m.seq === seq && (m.type === NLMSG.DONE || m.type === NLMSG.ERROR))) {
        clearTimeout(timer);
        sock.off('message', onMsg);
        resolve(got);
      }
    };
    sock.on('message', onMsg);
    sock.send(req, { port: 0 });
  });
}

/** The decoded JSON of every message in the datagrams, as the fixture test recomputes it. */
function describe(datagrams) {
  const out = [];
  for (const d of datagrams) {
    const r = new Reader(d);
    for (const m of splitMessages(r)) {
      const head = { type: m.type, flags: m.flags };
      if (m.type === NLMSG.DONE) out.push({ ...head, done: decodeDone(r, m) });
      else if (m.type === NLMSG.ERROR) out.push({ ...head, error: decodeNlError(r, m) });
      else if (m.type === 0x0105) out.push({ ...head, globalStats: decodeGlobalStats(r, m) });
      else if (m.type === 0x0104) out.push({ ...head, cpuStats: decodeCpuStats(r, m) });
      else out.push({ ...head, entry: decodeCtEntry(r, m) });
    }
  }
  return JSON.parse(JSON.stringify(out, big));
}

const sock = new RawNetlinkSocket(12, {});
let seq = 1000;
const scenarios = [];
function scenario(name, note, setup, requests) {
  scenarios.push({ name, note, setup, requests: requests ?? (() => [encodeDumpRequest(++seq)]) });
}
const ct = (...args) => () => sh('conntrack', args);

sh('sysctl', ['-w', 'net.netfilter.nf_conntrack_acct=1', 'net.netfilter.nf_conntrack_timestamp=1']);
// A ruleset that sets a connlabel makes the kernel allocate the labels extension (ctnetlink.md §3.6).
sh('nft', ['add table inet conntop_fx']);
sh('nft', ['add chain inet conntop_fx out { type filter hook output priority 0 ; }']);
sh('nft', ['add rule inet conntop_fx out ct label set 7']);

const v4 = (n) => `10.0.0.${n}`;
scenario('tcp-established-mark', 'conntrack -I tcp ESTABLISHED ASSURED with mark 42',
  ct('-I', '-s', v4(1), '-d', v4(2), '-p', 'tcp', '--sport', '1234', '--dport', '80', '--state', 'ESTABLISHED', '-t', '120', '-u', 'ASSURED,SEEN_REPLY', '-m', '42'));
scenario('udp-unreplied', 'conntrack -I udp without SEEN_REPLY', ct('-I', '-s', v4(1), '-d', v4(3), '-p', 'udp', '--sport', '5353', '--dport', '53', '-t', '30'));
scenario('icmp-echo', 'conntrack -I icmp echo request id 77', ct('-I', '-s', v4(1), '-d', v4(4), '-p', 'icmp', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '77', '-t', '30'));
scenario('ipv6-tcp', 'conntrack -I tcp over IPv6, SYN_SENT', ct('-I', '-s', '2001:db8::1', '-d', '2001:db8::2', '-p', 'tcp', '--sport', '40000', '--dport', '443', '--state', 'SYN_SENT', '-t', '60'));
scenario('icmpv6-echo', 'conntrack -I icmpv6 echo request', ct('-I', '-s', '2001:db8::1', '-d', '2001:db8::2', '-p', 'icmpv6', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '99', '-t', '30'));
scenario('gre-keys', 'conntrack -I gre with keys 0x10/0x20', ct('-I', '-s', v4(1), '-d', v4(9), '-p', 'gre', '--srckey', '0x10', '--dstkey', '0x20', '-t', '60'));
scenario('zone', 'conntrack -I udp in zone 7 (CTA_ZONE) and tcp with orig-zone 3 (CTA_TUPLE_ZONE)', () => {
  sh('conntrack', ['-I', '-s', v4(1), '-d', v4(6), '-p', 'udp', '--sport', '1', '--dport', '2', '-t', '50', '-w', '7']);
  sh('conntrack', ['-I', '-s', v4(1), '-d', v4(11), '-p', 'tcp', '--sport', '3333', '--dport', '443', '--state', 'SYN_RECV', '-t', '60', '--orig-zone', '3']);
});
// conntrack 1.4.7 sends SCTP vtags as 0 (ctnetlink.md §7.2), and cannot name labels without
// connlabel.conf: these two entries are created with conntop's own encoder instead.
const created = (entry) => async () => { const r = await exchange(sock, encodeCreateRequest(++seq, entry), seq); return r; };
scenario('sctp-vtags', 'created by encodeCreateRequest: sctp ESTABLISHED with vtags', created({
  family: 2, protoNum: 132, status: 0x6, timeoutSec: 100, orig: { src: v4(1), dst: v4(5), sport: 5000, dport: 6000 },
  reply: { src: v4(5), dst: v4(1), sport: 6000, dport: 5000 }, sctp: { state: 4, vtagOrig: 0x11223344, vtagReply: 0x55667788 },
}));
scenario('tcp-labels', 'created by encodeCreateRequest: tcp with labels 0 and 7, mark 0xdeadbeef', created({
  family: 2, protoNum: 6, status: 0x6, timeoutSec: 190, mark: 0xdeadbeef, labels: [0, 7],
  orig: { src: v4(1), dst: v4(3), sport: 2345, dport: 443 }, reply: { src: v4(3), dst: v4(1), sport: 443, dport: 2345 },
  tcp: { state: 3 },
}));
scenario('stats', 'GET_STATS and GET_STATS_CPU replies (plus the ACK of GET_STATS)', ct('-I', '-s', v4(1), '-d', v4(2), '-p', 'udp', '--sport', '1', '--dport', '2', '-t', '30'),
  () => [encodeStatsRequest(++seq), encodeStatsCpuRequest(++seq)]);
scenario('errors', 'NLMSG_ERROR replies: GET of a missing entry (ENOENT, request echoed, not CAPPED) and a create ACK (CAPPED)', () => {}, () => [
  encodeGetRequest(++seq, 2, 6, { src: v4(200), dst: v4(201), sport: 1, dport: 2 }),
  encodeCreateRequest(++seq, { family: 2, protoNum: 17, status: 0, timeoutSec: 30, orig: { src: v4(1), dst: v4(7), sport: 7, dport: 8 }, reply: { src: v4(7), dst: v4(1), sport: 8, dport: 7 } }),
]);

mkdirSync(outDir, { recursive: true });
for (const s of scenarios) {
  sh('conntrack', ['-F']);
  await s.setup();
  const listing = sh('conntrack', ['-L', '-o', 'extended,id']).trim().split('\n').filter(Boolean).sort();
  const requests = [];
  const datagrams = [];
  for (const req of s.requests()) {
    const s0 = new Reader(req);
    const reqSeq = splitMessages(s0)[0].seq;
    requests.push(hex(req));
    for (const d of await exchange(sock, req, reqSeq)) datagrams.push(d);
  }
  const fixture = {
    scenario: s.name,
    note: s.note,
    kernel: release(),
    endianness: HOST_IS_LE ? 'le' : 'be',
    recorded: new Date().toISOString().slice(0, 10),
    recorder: 'test/helpers/record-fixtures.mjs',
    conntrackList: listing,
    requests,
    datagrams: datagrams.map(hex),
    expected: describe(datagrams),
  };
  writeFileSync(join(outDir, `${s.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`${s.name}: ${datagrams.length} datagram(s), ${fixture.expected.length} message(s)`);
}
sock.close();
