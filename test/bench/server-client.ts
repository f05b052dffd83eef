// Benchmark child (test/bench only): one client of conntopd, run inside the benchmark namespace.
//   raw PORT     a bare protocol client: prints {snapshotMs, snapshotBytes, flows} at snapshot-end, then counts
//                `update` lines and their bytes until stdin says "report" (prints {updates, updateBytes}).
//   mirror PORT  a RemoteSource feeding a FlowTable (what conntop --connect does): prints {syncMs, flows} once
//                the table holds the snapshot, then follows the server until killed.
// Imports lib/ and server/.
import { connect } from 'node:net';
import { FlowTable } from '../../lib/flow-table.js';
import { RemoteSource } from '../../server/client.js';

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);
const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'raw') {
  const t0 = performance.now();
  const s = connect({ host: '127.0.0.1', port });
  s.write(`${JSON.stringify({ type: 'hello', protocol: 'conntop', versions: [2], name: 'bench', capabilities: [], nonce: 'ab'.repeat(32) })}\n`);
  let bytes = 0;
  let inSnapshot = true;
  let flows = 0;
  let updates = 0;
  let updateBytes = 0;
  let rest = '';
  s.on('data', (d: Buffer) => {
    if (inSnapshot) bytes += d.length;
    const text = rest + d.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (inSnapshot) {
        if (l.startsWith('{"type":"flows"')) flows += (JSON.parse(l) as { flows: unknown[] }).flows.length;
        else if (l.startsWith('{"type":"snapshot-end"')) {
          inSnapshot = false;
          out({ snapshotMs: performance.now() - t0, snapshotBytes: bytes, flows });
        }
      } else if (l.startsWith('{"type":"update"')) {
        updates++;
        updateBytes += Buffer.byteLength(l) + 1;
      }
    }
  });
  process.stdin.on('data', (d) => {
    if (!String(d).includes('report')) return;
    out({ updates, updateBytes });
    process.exit(0);
  });
} else {
  const t0 = performance.now();
  const table = new FlowTable({ lingerMs: 5000, trackChanges: true });
  const src = new RemoteSource({ host: '127.0.0.1', port, name: 'bench', software: 'bench' });
  await src.start((ev) => table.apply(ev), table);
  out({ syncMs: performance.now() - t0, flows: table.stats().total });
  // Follow, draining changes as --events would, until killed.
  setInterval(() => table.drainChanges(), 1000);
}
