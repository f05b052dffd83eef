// Install step (package.json "postinstall"): makes the `netlink` package's native socket shim conntop's
// patched one (the patches and why: patch-source.mjs). Idempotent; never fails the install.
//  1. The shim's src/binding.cc is patched as text, so the source on disk says what the binary is.
//  2. A prebuilt binary of exactly that source for this platform (prebuilds/linux-ARCH, made by prebuild.mjs
//     with Debian's cross compilers, N-API, so one build serves every Node from 20 on) is used as is:
//     routers and boards have no compiler.
//  3. Else npm's own node-gyp rebuilds it. 4. Else a clear warning: the unpatched prebuilt binary stays, and
//     an event overflow may abort conntop. node-gyp-build loads build/Release before the package's prebuilds.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchBindingSource } from './patch-source.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const prebuilds = join(here, '../../prebuilds');

function warn(msg) {
  process.stderr.write(`conntop install: warning: ${msg}\n`);
}

let pkgDir;
try {
  pkgDir = dirname(require.resolve('netlink/package.json'));
} catch {
  warn('the netlink package is not installed; nothing to patch');
  process.exit(0);
}
const src = join(pkgDir, 'src/binding.cc');
const built = join(pkgDir, 'build/Release/netlink_binding.node');
const before = readFileSync(src, 'utf8');
const { text, level, problem } = patchBindingSource(before);
if (problem) warn(problem);
if (text !== before) writeFileSync(src, text);
if (level === 0) process.exit(0);

// A build newer than the patched source is already ours (repeated installs stay fast).
if (existsSync(built) && statSync(built).mtimeMs >= statSync(src).mtimeMs) process.exit(0);

/** True when the addon at `built` loads in this Node (a broken build must not win over the prebuilt one). */
function loads() {
  try {
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(pkgDir, 'dist/raw.js'))})`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// 2. Our prebuild, when it was built from exactly this patched source.
const prebuilt = join(prebuilds, `${process.platform}-${process.arch}`, 'netlink_binding.node');
try {
  const manifest = JSON.parse(readFileSync(join(prebuilds, 'manifest.json'), 'utf8'));
  const sha = createHash('sha256').update(text).digest('hex');
  if (existsSync(prebuilt) && manifest.sourceSha256 === sha) {
    mkdirSync(dirname(built), { recursive: true });
    copyFileSync(prebuilt, built);
    if (loads()) process.exit(0);
    rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
    warn(`the prebuilt patched shim for ${process.platform}-${process.arch} does not load here; trying to compile it`);
  }
} catch {
  // No manifest or prebuild for this platform: compile below.
}

// 3. Compile with npm's node-gyp.
const gyp = process.env.npm_config_node_gyp ?? join(dirname(process.env.npm_execpath ?? ''), '../node_modules/node-gyp/bin/node-gyp.js');
try {
  execFileSync(process.execPath, [gyp, 'rebuild'], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'pipe'] });
  if (!loads()) throw new Error('the rebuilt addon does not load');
} catch (e) {
  warn(`no prebuilt patched netlink shim for ${process.platform}-${process.arch}, and it could not be compiled (${e instanceof Error ? e.message.split('\n')[0] : e}); using the unpatched one. An event overflow may abort conntop; install python3, make and g++ and run npm rebuild conntop.`);
  rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
}
