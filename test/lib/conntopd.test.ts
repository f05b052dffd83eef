// Tests for lib/conntopd.ts (the server's composition root) and conntop --connect, as processes: conntopd
// loads no client-side module (view, GeoIP, DNS, enrichment); a remote --once --json prints what the same
// capture prints locally; bad options exit 2. Uses dist/ (build first) and a committed capture.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeLoopbackPort, until } from '../helpers/serve-harness.js';

const root = resolve(import.meta.dirname, '../..');
const conntopd = join(root, 'dist/lib/conntopd.js');
const conntop = join(root, 'dist/lib/cli.js');
const capture = join(root, 'test/fixtures/golden/once-mixed.pcap');

/** Starts conntopd on an ephemeral loopback port; resolves with the child and its port once listening. */
async function startServer(t: { teardown(fn: () => void): void }, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [...(env.NODE_ARGS ? env.NODE_ARGS.split(' ') : []), conntopd, '-p', '0', '-l', '127.0.0.1', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await until(() => /listening on 127\.0\.0\.1:\d+/.test(err) || child.exitCode !== null, 'conntopd to listen');
  const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
  if (!m) throw new Error(`conntopd did not start: ${err}`);
  return { child, port: Number(m[1]), stderr: () => err };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

t.test('conntopd loads no view, GeoIP, DNS or enrichment module', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntopd-loads-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const trace = join(dir, 'loads.txt');
  const hook = join(root, 'test/helpers/trace-loads.mjs');
  const { child } = await startServer(t, ['--replay', capture, '--speed', '100', '-d', '0.05'], { CONNTOP_TRACE_LOADS: trace, NODE_ARGS: `--import ${hook}` });
  child.kill('SIGTERM');
  t.equal(await exited(child), 0, 'clean exit on SIGTERM');
  const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  t.ok(loaded.some((u) => u.endsWith('/dist/server/server.js')), 'the trace sees the server modules');
  t.ok(loaded.some((u) => u.endsWith('/dist/lib/flow-table.js')), 'and lib modules');
  const forbidden = loaded.filter((u) => /\/dist\/(lib\/enrich|tui)\/|terminal-kit|maxmind|ip-location-db|\/dist\/server\/client\.js|^node:dns/.test(u));
  t.same(forbidden, [], 'no client-side module');
});

t.test('conntop --connect --once --json prints what the capture prints locally', async (t) => {
  const { child, port, stderr } = await startServer(t, ['--replay', capture, '--speed', '100']);
  const remote = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${port}`, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  const local = spawnSync(process.execPath, [conntop, '--replay', capture, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  t.equal(remote.status, 0, remote.stderr);
  const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
  t.ok(sorted(local.stdout).length > 5);
  t.same(sorted(remote.stdout), sorted(local.stdout));
  const ev = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${port}`, '--events', '--iterations', '1'], { encoding: 'utf8', timeout: 20000 });
  await until(() => /no client left: asleep/.test(stderr()), 'conntopd to sleep once its clients left');
  t.match(stderr(), /asleep until a client connects[^]*a client connected: awake/, 'asleep at start, awake for a client');
  t.equal(ev.status, 0, ev.stderr);
  const kinds = ev.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event: string }).event);
  t.ok(kinds.includes('new') && kinds.includes('stats'), 'events and stats lines');
  child.kill('SIGTERM');
  await exited(child);
});

t.test('several -c: one table, every line tagged with its server; a server down does not stop --once', async (t) => {
  const a = await startServer(t, ['--replay', capture, '--speed', '100', '-N', 'alpha']);
  const b = await startServer(t, ['--replay', capture, '--speed', '100', '-N', 'beta']);
  const local = spawnSync(process.execPath, [conntop, '--replay', capture, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  const both = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${a.port}`, '-c', `127.0.0.1:${b.port}`, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  t.equal(both.status, 0, both.stderr);
  const lines = both.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { host?: string });
  const localLines = local.stdout.split('\n').filter(Boolean);
  for (const host of ['alpha', 'beta']) {
    // The same capture on both: each server's lines are the local ones plus their host (the last key).
    const mine = lines.filter((l) => l.host === host).map((l) => JSON.stringify(l)).sort();
    t.same(mine, localLines.map((l) => `${l.slice(0, -1)},"host":"${host}"}`).sort(), `${host}: every flow, tagged`);
  }
  t.equal(lines.length, 2 * localLines.length, 'identical flows of two servers are two lines');
  const table = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${a.port}`, '-c', `127.0.0.1:${b.port}`, '--once', '--wide', '-n', '--no-geoip'], { encoding: 'utf8', timeout: 20000 });
  t.match(table.stdout.split('\n')[0], /^SERVER\s+PROTO/, 'the text table starts with a SERVER column');
  t.notMatch(spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${a.port}`, '--once', '--wide', '-n', '--no-geoip'], { encoding: 'utf8', timeout: 20000 }).stdout, /SERVER/, 'one server: no SERVER column');
  const down = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${a.port}`, '-c', '127.0.0.1:1', '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  t.equal(down.status, 0, 'one server down: the others are printed');
  t.equal(down.stdout.split('\n').filter(Boolean).length, localLines.length);
  t.match(down.stderr, /127\.0\.0\.1:1: .*(ECONNREFUSED|refused)/, 'with a note naming the server that is down');
  t.equal(spawnSync(process.execPath, [conntop, '-c', '127.0.0.1:1', '-c', '127.0.0.1:2', '--once', '--json'], { encoding: 'utf8', timeout: 20000 }).status, 1, 'every server down: status 1');
});

t.test('conntop --server is conntopd', async (t) => {
  const child = spawn(process.execPath, [conntop, '--server', '-p', '0', '-l', '127.0.0.1', '--replay', capture, '--speed', '100'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  await until(() => /listening on 127\.0\.0\.1:(\d+)/.test(err), 'conntop --server to listen');
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(err)![1];
  const r = spawnSync(process.execPath, [conntop, '-c', `127.0.0.1:${port}`, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  t.equal(r.status, 0, r.stderr);
  t.ok(r.stdout.split('\n').filter(Boolean).length > 5);
  child.kill('SIGTERM');
  t.equal(await exited(child), 0);
});

t.test('bad usage exits 2; an unreachable server exits 1', async (t) => {
  t.equal(spawnSync(process.execPath, [conntopd, '--tls-cert', 'x'], { encoding: 'utf8' }).status, 2);
  t.equal(spawnSync(process.execPath, [conntopd, '-l', 'example.com'], { encoding: 'utf8' }).status, 2);
  t.equal(spawnSync(process.execPath, [conntop, '-c', '[::1]:99999', '--once'], { encoding: 'utf8' }).status, 2);
  t.equal(spawnSync(process.execPath, [conntop, '--auth-file', '/x', '--once'], { encoding: 'utf8' }).status, 2);
  t.equal(spawnSync(process.execPath, [conntop, '-c', 'h', '-c', 'h:55555', '--once'], { encoding: 'utf8' }).status, 2, 'the same server twice');
  t.equal(spawnSync(process.execPath, [conntopd, '--share-processes', '--replay', capture], { encoding: 'utf8' }).status, 2, 'a capture has no processes to share');
  t.equal(spawnSync(process.execPath, [conntopd, '--user', 'nobody', '-p', '80'], { encoding: 'utf8' }).status, 2, '--user with a port only root may bind');
  t.equal(spawnSync(process.execPath, [conntopd, '--user', 'no-such-user-conntop'], { encoding: 'utf8' }).status, 2, '--user with an unknown user (or not root)');
  t.equal(spawnSync(process.execPath, [conntopd, '--user', '0'], { encoding: 'utf8' }).status, 2, '--user root drops nothing (or not root)');
  t.equal(spawnSync(process.execPath, [conntopd, '--user', 'nobody', '--replay', capture], { encoding: 'utf8' }).status, 2, 'a replay needs no root to drop');
  // a port nobody listens on: bind one and close it
  const r = spawnSync(process.execPath, [conntop, '-c', '127.0.0.1:1', '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /ECONNREFUSED|refused/);
});

t.test('--metrics: Prometheus scrapes the served table; prom-client loads only when asked', async (t) => {
  const mport = await freeLoopbackPort();
  const { child, stderr } = await startServer(t, ['--replay', capture, '--speed', '100', '--no-sleep', '--metrics', `127.0.0.1:${mport}`]);
  await until(() => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(stderr()), 'the metrics endpoint');
  const local = spawnSync(process.execPath, [conntop, '--replay', capture, '--once', '--json'], { encoding: 'utf8', timeout: 20000 });
  const flows = local.stdout.split('\n').filter(Boolean).length;
  // Poll the endpoint until the replayed dump is in the table (bounded: 100 scrapes).
  let text = '';
  for (let i = 0; i < 100 && /^conntop_flows (\d+)$/m.exec(text)?.[1] !== String(flows); i++) {
    text = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
    if (/^conntop_flows (\d+)$/m.exec(text)?.[1] !== String(flows)) await new Promise((r) => setTimeout(r, 100));
  }
  t.match(text, new RegExp(`^conntop_flows ${flows}$`, 'm'), `${flows} flows, as the capture holds`);
  t.match(text, /^conntop_clients_connected 0$/m);
  t.match(text, /^conntop_flows_by_protocol\{protocol="tcp"\} \d+$/m);
  child.kill('SIGTERM');
  t.equal(await exited(child), 0);
});
