// The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a clean prefix
// (optional data packages omitted, as on a small board), then the installed commands. Needs the npm registry
// for the dependencies; skipped with a reason when it cannot be reached.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createNetns, haveTool, isRoot, needRootAnd } from './helpers/netns.js';
import { startConntopd } from './helpers/serve-harness.js';

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
  // Every chunk of the bundle is one the program imports: a build left the chunks of earlier builds in dist/, and
  // `npm pack` from a working tree shipped them all (nine copies of the view's chunk in one tarball).
  const chunks = files.filter((f) => f.startsWith('dist/lib/chunks/'));
  const bundle = ['dist/lib/cli.js', ...chunks].map((f) => readFileSync(join(pkg, f), 'utf8')).join('\n');
  t.same(chunks.filter((f) => !bundle.includes(`/${f.split('/').pop()}"`)), [], 'no chunk that nothing imports');
  // And every other program file is made from a source of this checkout (tsc leaves the output of deleted sources).
  t.same(files.filter((f) => /^dist\/.*\.js$/.test(f) && !f.startsWith('dist/lib/chunks/') && !existsSync(join(root, f.slice(5).replace(/\.js$/, '.ts')))), [], 'no file of a source gone');
  const own = files.reduce((n, f) => n + statSync(join(pkg, f)).size, 0);
  // 2.5 MB: the bundled program (dist/lib/cli.js and its chunks, 0.39 MB) repeats the code of the modules
  // tsc writes, which conntopd still loads one by one (test/startup.test.ts says why the CLI is bundled).
  t.ok(own < 2_500_000, `conntop's own files: ${(own / 1e6).toFixed(2)} MB`);
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

  // conntopd, installed beside it, serves a client (the installed conntop): the same table as a local replay.
  const { child: daemon, port } = await startConntopd(t, [...env, join(prefix, 'bin/conntopd')], ['--replay', capture, '--speed', '100']);
  const remote = run(bin, ['-c', `127.0.0.1:${port}`, '--once', '--json']);
  t.equal(remote.status, 0, remote.stderr);
  const lines = (s: string) => s.split('\n').filter(Boolean).sort();
  t.same(lines(remote.stdout).length, lines(here.stdout).length, 'the installed conntopd serves every flow to the installed conntop');
  daemon.kill('SIGTERM');

  // The manual pages, where man(1) finds them after npm install -g.
  if (haveTool('man')) {
    for (const page of ['conntop', 'conntopd']) {
      const w = spawnSync('man', ['-w', page], { encoding: 'utf8', env: { ...process.env, MANPATH: join(prefix, 'share/man') } });
      t.match(w.stdout.trim(), new RegExp(`/${page}\\.[18]$`), `man -w ${page} (linked from share/man)`);
    }
  }

  const why = needRootAnd('conntrack');
  if (why || !isRoot()) return;
  const ns = createNetns(t, 'pkg');
  ns.exec('conntrack', ['-I', '-p', 'udp', '-s', '10.9.8.7', '-d', '10.9.8.6', '--sport', '5353', '--dport', '53', '-t', '60']);
  const once = ns.run(bin, ['--once', '--json']);
  t.equal(once.status, 0, once.stderr);
  t.match(once.stdout, /"src":"10\.9\.8\.7"/, 'the installed conntop reads the kernel');
});
