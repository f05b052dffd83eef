// The patched socket shim as the package ships it (netlink/shim/): prebuilt binaries for linux-x64, -arm64
// and -arm built from exactly the source the install step patches, the install step's three ways (prebuild,
// compiler, warning), and each prebuild loaded by Debian's nodejs for its architecture under qemu-user, where
// `conntop --replay` must print what it prints natively.
import t from 'tap';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { haveTool, isRoot } from '../helpers/netns.js';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { PATCH_LEVEL, patchBindingSource } from '../../netlink/shim/patch-source.mjs';

// Node under qemu-user starts in seconds, and the foreign Node is fetched with apt-get.
t.setTimeout(600_000);
const root = resolve(import.meta.dirname, '../..');
const shimDir = dirname(createRequire(import.meta.url).resolve('netlink/package.json'));
const gypBuildDir = dirname(createRequire(import.meta.url).resolve('node-gyp-build/package.json'));
const manifest = JSON.parse(readFileSync(join(root, 'prebuilds/manifest.json'), 'utf8')) as {
  netlink: string; patchLevel: number; sourceSha256: string; targets: Record<string, { sha256: string }>;
};
/**
 * Foreign Nodes start through `env -i`: tap adds its loader to every child's NODE_OPTIONS, and that loader
 * needs a newer Node than Debian's.
 */
const plain = ['env', '-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`];
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
/** ELF e_ident class (1: 32-bit, 2: 64-bit) and e_machine per Node arch. */
const ELF: Record<string, { cls: number; machine: number; qemu: string; debian: string }> = {
  x64: { cls: 2, machine: 62, qemu: '', debian: 'amd64' },
  arm64: { cls: 2, machine: 183, qemu: 'qemu-aarch64-static', debian: 'arm64' },
  arm: { cls: 1, machine: 40, qemu: 'qemu-arm-static', debian: 'armhf' },
};

t.test('the prebuilds were built from the source the install step patches', async (t) => {
  const src = readFileSync(join(shimDir, 'src/binding.cc'), 'utf8');
  const { text, level } = patchBindingSource(src) as { text: string; level: number };
  t.equal(level, PATCH_LEVEL);
  t.equal(manifest.patchLevel, PATCH_LEVEL);
  t.equal(manifest.sourceSha256, sha256(text), 'patched netlink source = the prebuilds\' source');
  t.equal(manifest.netlink, JSON.parse(readFileSync(join(shimDir, 'package.json'), 'utf8')).version);
  t.same(patchBindingSource(text).text, text, 'patching is idempotent');
  for (const [arch, want] of Object.entries(ELF)) {
    const bin = readFileSync(join(root, `prebuilds/linux-${arch}/netlink_binding.node`));
    t.equal(sha256(bin), manifest.targets[arch]?.sha256, `${arch}: the binary the manifest names`);
    t.equal(bin.readUInt32BE(0), 0x7f454c46, `${arch}: ELF`);
    t.equal(bin[4], want.cls, `${arch}: ELF class`);
    t.equal(bin.readUInt16LE(18), want.machine, `${arch}: machine`);
  }
});

/** A throw-away install: node_modules/netlink (no build) and node-gyp-build, plus conntop's shim scripts and prebuilds. */
function fakeInstall(t: { teardown(fn: () => void): void }, withPrebuilds: boolean): { dir: string; pkg: string; nl: string } {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-shim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const nl = join(dir, 'node_modules/netlink');
  for (const f of ['package.json', 'dist', 'src', 'binding.gyp', 'prebuilds']) cpSync(join(shimDir, f), join(nl, f), { recursive: true });
  cpSync(gypBuildDir, join(dir, 'node_modules/node-gyp-build'), { recursive: true });
  symlinkSync(join(dirname(shimDir), 'node-addon-api'), join(dir, 'node_modules/node-addon-api'));
  const pkg = join(dir, 'conntop');
  cpSync(join(root, 'netlink/shim'), join(pkg, 'netlink/shim'), { recursive: true });
  if (withPrebuilds) cpSync(join(root, 'prebuilds'), join(pkg, 'prebuilds'), { recursive: true });
  else mkdirSync(join(pkg, 'prebuilds'));
  return { dir, pkg, nl };
}

/** Runs the shim self-check against a netlink package dir, in a fresh network namespace when root. */
function selfCheck(nl: string, node: string[] = [process.execPath]): { loaded: boolean; socket?: string; buffers?: number; batch?: number; ahead?: number } {
  const cmd = [...plain, ...(isRoot() ? ['unshare', '-n'] : []), ...node];
  const r = spawnSync(cmd[0], [...cmd.slice(1), join(root, 'netlink/shim/self-check.cjs'), nl], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as { loaded: boolean; socket?: string; buffers?: number; batch?: number; ahead?: number };
}

t.test('install: a matching prebuild is used as is, and it is the patched shim', { skip: process.platform !== 'linux' || !ELF[process.arch] ? 'no prebuild for this platform' : false }, async (t) => {
  const { pkg, nl } = fakeInstall(t, true);
  // No compiler on the PATH: a router has none, and the prebuild must not need one.
  const r = spawnSync(process.execPath, [join(pkg, 'netlink/shim/patch-binding.mjs')], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, '', 'no warning');
  t.equal(sha256(readFileSync(join(nl, 'build/Release/netlink_binding.node'))), manifest.targets[process.arch].sha256, 'the prebuild is in place');
  t.match(readFileSync(join(nl, 'src/binding.cc'), 'utf8'), /conntop-patch v4/, 'the source on disk says what the binary is');
  const c = selfCheck(nl);
  t.ok(c.loaded);
  if (isRoot()) t.same([c.socket, c.buffers, c.batch, c.ahead], ['ok', 1, 1, 1], 'dumps land in one reused buffer (patch v2), in batches when asked (v3), and through the read-ahead thread (v4)');
});

t.test('install: no prebuild and no compiler leaves the unpatched shim with one clear warning', { skip: process.platform !== 'linux' ? 'linux only' : false }, async (t) => {
  const { pkg, nl } = fakeInstall(t, false);
  const r = spawnSync(process.execPath, [join(pkg, 'netlink/shim/patch-binding.mjs')], {
    encoding: 'utf8', env: { PATH: '/nonexistent', npm_config_node_gyp: '/nonexistent/node-gyp.js' },
  });
  t.equal(r.status, 0, 'the install never fails on it');
  t.match(r.stderr, /warning: no prebuilt patched netlink shim .* install python3, make and g\+\+/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.notOk(existsSync(join(nl, 'build')), 'no half-built addon left behind');
  t.ok(selfCheck(nl).loaded, 'the package\'s own prebuilt shim still loads');
});

for (const arch of ['arm64', 'arm']) {
  const e = ELF[arch];
  const why = !isRoot() ? 'needs root (apt-get download)' : !haveTool(e.qemu) ? `needs ${e.qemu} (apt-get install qemu-user-static)` : !haveTool('apt-get') ? 'needs apt-get' : false;
  t.test(`linux-${arch}: the prebuild loads in Debian's nodejs under qemu-user, and --replay prints what it prints here`, { skip: why }, async (t) => {
    const tree = join(tmpdir(), `conntop-foreign-node-${e.debian}`);
    const got = spawnSync('bash', [join(root, 'test/helpers/foreign-node.sh'), e.debian, tree], { encoding: 'utf8', timeout: 300_000 });
    if (got.status === 2) return void t.pass(`skipped: apt knows no nodejs:${e.debian} (dpkg --add-architecture ${e.debian} && apt-get update)`);
    t.equal(got.status, 0, got.stderr);
    const node = [e.qemu, '-L', tree, join(tree, 'usr/bin/node')];
    const { nl } = fakeInstall(t, true);
    mkdirSync(join(nl, 'build/Release'), { recursive: true });
    cpSync(join(root, `prebuilds/linux-${arch}/netlink_binding.node`), join(nl, 'build/Release/netlink_binding.node'));
    const c = selfCheck(nl, node);
    t.ok(c.loaded, `the ${arch} addon loads (socket: ${c.socket}; qemu-user has no NETLINK_NETFILTER)`);
    const capture = join(root, 'test/fixtures/golden/once-mixed.pcap');
    const args = [join(root, 'dist/lib/cli.js'), '--replay', capture, '--once', '--json'];
    const here = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const there = spawnSync(plain[0], [...plain.slice(1), ...node, ...args], { encoding: 'utf8', timeout: 120_000 });
    t.equal(there.status, 0, there.stderr);
    t.ok(here.stdout.length > 0);
    t.equal(there.stdout, here.stdout, `--replay under ${arch} = native`);
  });
}
