// Test helper: runs the built CLI as an unprivileged user from a copy that user can read, so the tests pass
// from any checkout, including one in a folder only root may enter (mode 0700, like /root or a mktemp -d
// folder). Imports node: modules only.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isRoot, type HasTeardown } from './netns.js';

/** The user and group the tests switch to: nobody/nogroup on Debian. */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

/** A copy of the CLI that NOBODY can run, and a place to put files it must read. */
export interface UnprivilegedCli {
  /** dist/lib/cli.js in the copy. */
  readonly cli: string;
  /** Copies `file` into the world-readable folder (mode 0644) and returns the copy's path. */
  readable(file: string): string;
}

/**
 * Copies what `node dist/lib/cli.js` loads (dist/, package.json, and the runtime `dependencies` with their
 * own dependencies, symlinks resolved) into a world-readable mkdtemp folder under the system temp dir, removed
 * in `t`'s teardown, and checks that NOBODY can start it. Returns a skip reason instead when the tests do not
 * run as root or NOBODY still cannot run it (node itself unreadable, a temp dir only root may enter).
 */
export function unprivilegedCli(t: HasTeardown, root: string): UnprivilegedCli | string {
  if (!isRoot()) return 'needs root to switch to an unprivileged user';
  if (!existsSync(join(root, 'dist/lib/cli.js'))) return 'build first: npm run build';
  const dir = mkdtempSync(join(tmpdir(), 'conntop-nobody-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, dereference: true });
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  for (const pkg of runtimePackages(root)) {
    cpSync(realpathSync(join(root, 'node_modules', pkg)), join(dir, 'node_modules', pkg), { recursive: true, dereference: true });
  }
  makeReadable(dir);
  const cli = join(dir, 'dist/lib/cli.js');
  // `env -i`: tap instruments node children through NODE_OPTIONS, loading its hooks from the checkout.
  const probe = spawnSync('env', ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, process.execPath, cli, '--version'], { ...NOBODY, encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) {
    return `user ${NOBODY.uid} cannot run a copy of the CLI in ${dir} (${(probe.error?.message ?? probe.stderr).split('\n')[0]})`;
  }
  let n = 0;
  return {
    cli,
    readable(file) {
      const copy = join(dir, `${n++}-${basename(file)}`);
      cpSync(file, copy);
      chmodSync(copy, 0o644);
      return copy;
    },
  };
}

/** Names of the installed packages the CLI may load: package.json `dependencies` and theirs, transitively. */
function runtimePackages(root: string): string[] {
  const seen = new Set<string>();
  const visit = (pkgJson: string): void => {
    const deps = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      // A dependency nested in its parent's own node_modules is copied with the parent.
      const at = join(root, 'node_modules', name, 'package.json');
      if (seen.has(name) || !existsSync(at)) continue;
      seen.add(name);
      visit(at);
    }
  };
  visit(join(root, 'package.json'));
  return [...seen];
}

/** chmod a+rX, recursively: the checkout's own modes may be 0600/0700 (a umask 077 clone). */
function makeReadable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() || st.mode & 0o111 ? (st.mode & 0o7777) | 0o555 : (st.mode & 0o7777) | 0o444);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeReadable(join(path, e));
}
