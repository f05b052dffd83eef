// The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a clean prefix
// (optional data packages omitted, as on a small board), then the installed commands. Needs the npm registry
// for the dependencies; skipped with a reason when it cannot be reached.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createNetns, isRoot, needRootAnd } from './helpers/netns.js';

// An npm install of the tarball takes minutes on a busy machine.
t.setTimeout(900_000);
const root = resolve(import.meta.dirname, '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
/**
 * Children start through `env -u NODE_OPTIONS`: tap adds its loader to every child's NODE_OPTIONS. The rest of
 * the environment stays: npm needs its cache and the machine's CA and proxy settings.
 */
const env = ['env', '-u', 'NODE_OPTIONS'];
const run = (cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}) =>
  spawnSync(env[0], [...env.slice(1), cmd, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 60_000, cwd: opts.cwd });

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

const registry = run('npm', ['view', 'commander', 'version'], { timeout: 30_000 });
const skip = registry.status !== 0 ? `the npm registry cannot be reached (${registry.stderr.trim().split('\n')[0]})` : false;

t.test('npm pack, npm install -g --omit=optional, and the installed conntop works', { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-pkg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // --ignore-scripts: dist/ is already built by `npm test`; rebuilding it here would race the other tests.
  const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  t.equal(pack.status, 0, pack.stderr);
  const tgz = join(dir, `conntop-${version}.tgz`);
  const prefix = join(dir, 'prefix');
  const inst = run('npm', ['install', '-g', '--prefix', prefix, '--omit=optional', '--no-audit', '--no-fund', tgz], { timeout: 480_000 });
  t.equal(inst.status, 0, inst.stderr);
  t.notMatch(inst.stderr, /conntop install: warning/, 'the prebuilt shim was used: no compiler needed, no warning');

  const pkg = join(prefix, 'lib/node_modules/conntop');
  const files = walk(pkg).map((f) => relative(pkg, f)).filter((f) => !f.startsWith('node_modules/'));
  t.ok(files.includes('dist/lib/cli.js') && files.includes('prebuilds/manifest.json'), 'the program and the prebuilt shims are there');
  t.same(files.filter((f) => /\.map$|^test\/|^dist\/test\/|^fuzz\/|\.ts$|^dist\/fuzz\//.test(f)), [], 'no tests, sources or source maps installed');
  const own = files.reduce((n, f) => n + statSync(join(pkg, f)).size, 0);
  t.ok(own < 2_000_000, `conntop's own files: ${(own / 1e6).toFixed(2)} MB`);
  t.comment(`installed: ${files.length} files of conntop's own, ${(own / 1e6).toFixed(2)} MB`);

  const bin = join(prefix, 'bin/conntop');
  const v = run(bin, ['--version']);
  t.equal(v.stdout.trim(), version);
  const capture = join(root, 'test/fixtures/golden/once-mixed.pcap');
  const installed = run(bin, ['--replay', capture, '--once', '--json']);
  const here = run(process.execPath, [join(root, 'dist/lib/cli.js'), '--replay', capture, '--once', '--json']);
  t.equal(installed.status, 0, installed.stderr);
  t.equal(installed.stdout, here.stdout, 'the installed conntop replays as the checkout does');
  t.ok(installed.stdout.length > 0);

  const why = needRootAnd('conntrack');
  if (why || !isRoot()) return;
  const ns = createNetns(t, 'pkg');
  ns.exec('conntrack', ['-I', '-p', 'udp', '-s', '10.9.8.7', '-d', '10.9.8.6', '--sport', '5353', '--dport', '53', '-t', '60']);
  const once = ns.run(bin, ['--once', '--json']);
  t.equal(once.status, 0, once.stderr);
  t.match(once.stdout, /"src":"10\.9\.8\.7"/, 'the installed conntop reads the kernel');
});
