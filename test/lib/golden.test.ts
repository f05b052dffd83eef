// Golden fixtures: real kernel traffic that conntop itself recorded with --record in scripted namespace
// scenarios (test/helpers/record-golden.sh re-records them), replayed through the same pipeline with no kernel
// and no privileges. The replay must print exactly the stored output; tshark must dissect the captures.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { haveTool } from '../helpers/netns.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/lib/cli.js');
const dir = join(root, 'test/fixtures/golden');
const quiet = ['-n', '--no-geoip', '--no-services', '--no-processes'];
// The captures were recorded on a little-endian host: netlink headers are in host order (house style §6.2).
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const replayArgs: Record<string, string[]> = {
  'once-mixed': ['--once', '--json'],
  'events-lifecycle': ['--events', '--speed', 'max', ...quiet],
};

for (const name of readdirSync(dir).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -5))) {
  t.test(`golden ${name}`, { skip: littleEndian ? false : 'little-endian capture on a big-endian host' }, async (t) => {
    const pcap = join(dir, `${name}.pcap`);
    const want = readFileSync(join(dir, `${name}.jsonl`), 'utf8');
    const r = spawnSync(process.execPath, [cli, '--replay', pcap, ...(replayArgs[name] ?? ['--once', '--json'])], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, want, 'the replay prints exactly the recorded output');
    t.ok(want.trim().split('\n').length > 5, 'the fixture holds a real scenario');
  });
}

// The text table of the same capture, enrichment off: at 80 columns (stdout is a pipe here, not a terminal) and --wide.
for (const [file, extra] of [['once-mixed.table.txt', []], ['once-mixed.wide.txt', ['--wide']]] as const) {
  t.test(`golden ${file}`, { skip: littleEndian ? false : 'little-endian capture on a big-endian host' }, async (t) => {
    const r = spawnSync(process.execPath, [cli, '--replay', join(dir, 'once-mixed.pcap'), '--once', ...quiet, ...extra], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stdout, readFileSync(join(dir, file), 'utf8'), 'the replay prints exactly the stored table');
    t.ok(r.stdout.split('\n').every((l) => extra.length > 0 || l.length <= 80), 'no line wider than 80 columns');
  });
}

t.test('an empty text table says so, and which filter applied', { skip: littleEndian ? false : 'little-endian capture' }, async (t) => {
  const r = spawnSync(process.execPath, [cli, '--replay', join(dir, 'once-mixed.pcap'), '--once', '-6', '--gre', ...quiet], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, 'no flows in the capture matching ipv6, gre\n');
});

t.test('once-mixed covers every protocol conntop names', async (t) => {
  const flows = readFileSync(join(dir, 'once-mixed.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { proto: string; family: string; zone: number; mark: number; reply: { dst: string } });
  const protos = new Set(flows.map((f) => f.proto));
  for (const p of ['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'gre', '99']) t.ok(protos.has(p), p);
  t.ok(flows.some((f) => f.family === 'ipv6'), 'IPv6');
  t.ok(flows.some((f) => f.zone === 7), 'a zone');
  t.ok(flows.some((f) => f.mark === 42), 'a mark');
  t.ok(flows.some((f) => f.reply.dst === '203.0.113.9'), 'source NAT: the reply tuple is not the inverse');
});

t.test('tshark dissects the captures as netlink-netfilter', { skip: haveTool('tshark') ? false : 'tshark not installed' }, async (t) => {
  for (const name of Object.keys(replayArgs)) {
    const out = execFileSync('tshark', ['-r', join(dir, `${name}.pcap`), '-T', 'fields', '-e', 'netlink.family', '-e', 'netlink-netfilter.nfct_tuple.ip.ip_addr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trim().split('\n');
    t.ok(rows.length > 3, `${name}: ${rows.length} records`);
    t.ok(rows.every((r) => r.startsWith('0x000c')), `${name}: every record is NETLINK_NETFILTER`);
    t.ok(rows.some((r) => /10\.0\.0\.1/.test(r)), `${name}: tuples dissected`);
  }
});
