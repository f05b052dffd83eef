// How the built `conntop` starts: from one bundled file and a few shared chunks (npm run bundle), not from the
// 66 modules tsc writes. Why: node 20 resolves, reads and compiles each ES module on its own, with no compile
// cache; the 66 took 30-40 ms of every start (`--version` 0.14 s, bundled 0.11 s), which counts in every
// whole-process figure (`--once --json` against `conntrack -L`, README "Benchmarks"). Loses nothing: the
// bundle is the same code, and every CLI test runs it.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/lib/cli.js');

/** The file: URLs of the ES modules node loads for `conntop ARGS`, through a module-loading hook. */
function modulesLoaded(t: Test, args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The hook runs on node's loader thread: process._rawDebug writes to stderr from there.
  writeFileSync(join(dir, 'hooks.mjs'), 'export async function load(url, ctx, next) { if (url.startsWith("file:")) process._rawDebug(`LOADED ${url}`); return next(url, ctx); }\n');
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  const r = spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', pathToFileURL(join(dir, 'register.mjs')).href, cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.status === 0 ? 'exits 0' : r.stderr);
  return r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
}

// commander is in the bundle: loaded from node_modules it took 11 ms of every start (node resolves its package
// exports, reads esm.mjs and index.js, and parses the CommonJS file's exports for the ES module facade),
// bundled 6 ms (`--version` 55 against 60 ms, medians of 25 alternated runs). Its `require` calls of node's
// builtins go through the `require` the bundle's banner makes (an ES module has none).
t.test('conntop starts from its bundle: a handful of its own modules, not one per source file, and no package', { skip: existsSync(cli) ? false : 'build first: npm run build' }, async (t) => {
  const loaded = modulesLoaded(t, ['--version']);
  const own = loaded.filter((u) => u.startsWith(pathToFileURL(join(root, 'dist')).href));
  t.ok(own.length > 0, 'the hook saw the program');
  t.ok(own.length <= 16, `${own.length} modules of conntop's own at start (tsc's output alone loads 66): ${own.map((u) => u.slice(u.indexOf('/dist/') + 1)).join(' ')}`);
  t.ok(own.every((u) => /\/dist\/lib\/(cli\.js|chunks\/[^/]+\.js)$/.test(u)), 'only the bundle and its chunks');
  t.same(loaded.filter((u) => u.includes('/node_modules/')), [], 'nothing from node_modules: commander is bundled, the other packages load when used');
  t.match(readFileSync(cli, 'utf8').slice(0, 200), /^#!\/usr\/bin\/env node\n/, 'the bundle keeps the shebang');
});

t.test('the bundle script keeps every dependency but commander external', async (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { bundle: string }; dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  // Bundled, a package's own files (the netlink shim's native addon, terminal-kit's terminfo, the GeoIP
  // databases) would be looked for beside the bundle.
  const externals = [...pkg.scripts.bundle.matchAll(/--external:(\S+)/g)].map((m) => m[1]);
  const external = (name: string): boolean => externals.some((e) => e === name || (e.endsWith('/*') && name.startsWith(e.slice(0, -1))));
  const deps = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => d !== 'commander');
  t.same(deps.filter((d) => !external(d)), [], 'every dependency but commander is external to the bundle');
  t.notOk(external('commander'), 'commander is bundled');
});
