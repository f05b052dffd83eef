// Build step for maintainers (`npm run prebuild`), never run at install: compiles conntop's patched socket
// shim (patch-source.mjs applied to the pristine netlink 0.3.0 source) for linux-x64, linux-arm64 and
// linux-arm (armv7, armhf) with Debian's compilers (apt-get install g++ crossbuild-essential-arm64
// crossbuild-essential-armhf), against this Node's headers with NAPI_VERSION 8 pinned, so one build loads in
// every Node from 18 on. Writes prebuilds/linux-ARCH/netlink_binding.node and prebuilds/manifest.json (the
// patched source's sha256, which the install step checks before using a prebuild).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATCH_LEVEL, patchBindingSource } from './patch-source.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'prebuilds');
const TARGETS = [
  { arch: 'x64', prefix: '' },
  { arch: 'arm64', prefix: 'aarch64-linux-gnu-' },
  { arch: 'arm', prefix: 'arm-linux-gnueabihf-' },
];
const only = process.argv.slice(2);

const pkgDir = dirname(require.resolve('netlink/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
// The installed source may be patched already (patching is idempotent), so either form gives the same text.
const { text, level, problem } = patchBindingSource(readFileSync(join(pkgDir, 'src/binding.cc'), 'utf8'));
if (level !== PATCH_LEVEL) throw new Error(`cannot patch netlink ${pkg.version}: ${problem}`);
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
// This Node's own headers (npm's nodedir setting, else the install prefix): nothing is downloaded.
const nodedir = process.env.npm_config_nodedir ?? dirname(dirname(process.execPath));
// binding.gyp asks node-addon-api for its include directory; pin the N-API version the addon may use.
const gypText = readFileSync(join(pkgDir, 'binding.gyp'), 'utf8').replace('"sources":', '"defines": [ "NAPI_VERSION=8" ],\n            "sources":');

const manifest = {
  netlink: pkg.version,
  patchLevel: PATCH_LEVEL,
  sourceSha256: createHash('sha256').update(text).digest('hex'),
  napiVersion: 8,
  nodeHeaders: process.version,
  targets: {},
};
try {
  Object.assign(manifest.targets, JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).targets);
} catch {
  // first build
}

for (const t of TARGETS) {
  if (only.length > 0 && !only.includes(t.arch)) continue;
  const dir = mkdtempSync(join(tmpdir(), `conntop-prebuild-${t.arch}-`));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/binding.cc'), text);
    writeFileSync(join(dir, 'binding.gyp'), gypText);
    writeFileSync(join(dir, 'package.json'), '{"name":"netlink-prebuild","version":"0.0.0"}');
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const env = { ...process.env, CC: `${t.prefix}gcc`, CXX: `${t.prefix}g++`, AR: `${t.prefix}ar` };
    execFileSync(process.execPath, [gyp, 'rebuild', `--arch=${t.arch}`, `--nodedir=${nodedir}`], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const dest = join(out, `linux-${t.arch}`);
    mkdirSync(dest, { recursive: true });
    const file = join(dest, 'netlink_binding.node');
    copyFileSync(join(dir, 'build/Release/netlink_binding.node'), file);
    // Debug sections only: the symbols stay, so a crash report still names functions.
    execFileSync(`${t.prefix}strip`, ['--strip-debug', file]);
    manifest.targets[t.arch] = { sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
    process.stdout.write(`prebuilds/linux-${t.arch}/netlink_binding.node\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
