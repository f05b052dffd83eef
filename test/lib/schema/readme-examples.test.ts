// The examples of README "Feeding log pipelines" run as written: each jq program is taken from the README text
// and run on the golden capture's --events output (or on stats lines derived from it); the logger pipeline runs
// against a local TCP listener, and every syslog message it delivers is the JSON line, valid against the schema.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { eventsLine } from '../../../fuzz/schema-check.js';
import { haveTool } from '../../helpers/netns.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/lib/cli.js');
const golden = join(root, 'test/fixtures/golden');
const eventsText = readFileSync(join(golden, 'events-lifecycle.jsonl'), 'utf8');
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The shell commands of the section's ```sh blocks, in order. */
function sectionCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Feeding log pipelines\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([^`]*?)\n```/g)].map((m) => m[1].trim());
}

/** The jq flags and program of a `conntop … | jq FLAGS 'PROGRAM'` command. */
function jqOf(cmd: string): { flags: string[]; program: string } {
  const m = /\| jq ((?:-[a-z-]+ )*)'([^']*)'/.exec(cmd);
  if (!m) throw new Error(`no jq program in: ${cmd}`);
  return { flags: m[1].trim().split(' ').filter(Boolean), program: m[2] };
}

function jq(cmd: string, input: string): string {
  const { flags, program } = jqOf(cmd);
  const r = spawnSync('jq', [...flags, program], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`jq failed: ${r.stderr}`);
  return r.stdout;
}

const jqCommands = () => sectionCommands().filter((c) => c.includes('| jq '));

t.test('the section has the jq examples and the logger pipeline', async (t) => {
  t.equal(jqCommands().length, 4);
  t.equal(sectionCommands().filter((c) => c.includes('| logger ')).length, 1);
});

t.test('jq examples', { skip: haveTool('jq') ? false : 'jq is not installed' }, async (t) => {
  const [perPort, bytesPerSrc, alert, closed] = jqCommands();
  t.same(JSON.parse(jq(perPort, eventsText)), { 'tcp/2': 1, 'tcp/7070': 1 }, 'new flows per protocol and destination port');
  t.same(JSON.parse(jq(bytesPerSrc, eventsText)), { '10.0.0.1': 0 }, 'bytes per source address from destroy lines');

  t.equal(jq(alert, eventsText), '', 'no alert on a run without losses');
  const stats = JSON.parse(eventsText.split('\n')[0]) as Record<string, unknown>;
  const run = [[0, false], [2, true], [2, true], [2, false], [2, false], [3, false]]
    .map(([droppedEvents, stale], i) => JSON.stringify({ ...stats, atMs: i, droppedEvents, stale })).join('\n');
  t.same(jq(alert, `${run}\n`).trim().split('\n').map((l) => JSON.parse(l)), [
    { atMs: 1, stale: true, droppedEvents: 2 }, { atMs: 2, stale: true, droppedEvents: 2 }, { atMs: 5, stale: false, droppedEvents: 3 },
  ], 'an alert on each new loss and while stale');

  const out = jq(closed, eventsText).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(out.length, eventsText.split('\n').filter((l) => l.startsWith('{"event":"destroy"')).length, 'one line per destroy');
  t.same(Object.keys(out[0]), ['atMs', 'reason', 'proto', 'src', 'dst', 'dport', 'counters', 'ageMs']);
  t.equal(typeof out[0].atMs, 'number');
});

/** Splits RFC 6587 octet-counted frames ("LEN SP MSG") and returns each message's JSON part. */
function octetFrames(data: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, sp).toString('latin1'));
    const frame = data.subarray(sp + 1, sp + 1 + len).toString('utf8');
    out.push(frame.slice(frame.indexOf('{"event"')));
    at = sp + 1 + len;
  }
  return out;
}

t.test('the logger pipeline delivers every line intact', { skip: !haveTool('logger') ? 'logger is not installed' : littleEndian ? false : 'little-endian capture' }, async (t) => {
  const cmd = sectionCommands().find((c) => c.includes('| logger '))!;
  const [conntopPart, loggerPart] = cmd.replace(/^sudo /, '').split(' | ');
  const conntopArgs = conntopPart.split(' ').slice(1);
  const loggerArgs = loggerPart.split(' ').slice(1);
  t.ok(loggerArgs.includes('--octet-count') && loggerArgs.includes('--tcp'), 'TCP with octet counting');

  const chunks: Buffer[] = [];
  let closed!: () => void;
  const allIn = new Promise<void>((r) => (closed = r));
  const server = createServer((s) => { s.on('data', (d: Buffer) => chunks.push(d)); s.on('end', () => closed()); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const args = loggerArgs.map((a, i) => (loggerArgs[i - 1] === '--server' ? '127.0.0.1' : loggerArgs[i - 1] === '--port' ? String(port) : a));

  const producer = spawn(process.execPath, [cli, '--replay', join(golden, 'events-lifecycle.pcap'), '--speed', 'max', ...conntopArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const logger = spawn('logger', args, { stdio: ['pipe', 'inherit', 'pipe'] });
  let loggerErr = '';
  logger.stderr!.on('data', (d: Buffer) => (loggerErr += d.toString()));
  producer.stdout!.pipe(logger.stdin!);
  const [pCode, lCode] = await Promise.all([new Promise((r) => producer.on('exit', r)), new Promise((r) => logger.on('exit', r))]);
  t.equal(pCode, 0, 'conntop replay exited 0');
  t.equal(lCode, 0, `logger exited 0 ${loggerErr}`);
  await allIn;

  const msgs = octetFrames(Buffer.concat(chunks));
  t.same(msgs, eventsText.trim().split('\n'), 'each message is one line, unchanged and in order');
  for (const m of msgs) t.ok(eventsLine.okClosed(JSON.parse(m)), 'validates');
});
