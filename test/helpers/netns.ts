// Test helper (real-kernel tests only): throw-away network namespaces. Imports only node: modules.
// A namespace is named conntop-<purpose>-<pid>-<n>, gets `lo` up, runs commands through `ip netns exec`,
// and is deleted in the owning test's teardown after the children it spawned are killed by PID.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The part of a tap Test this helper needs: somewhere to register cleanup. */
export interface HasTeardown {
  teardown(fn: () => unknown): void;
}

/** Result of a command that may fail: exit status (null when killed), stdout and stderr as text. */
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** True when this process runs as uid 0 (needed for `ip netns add`). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** True when `name` is an executable file on PATH (or an absolute path to one). */
export function haveTool(name: string): boolean {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return false;
}

/**
 * A skip reason for tests that need root and the given tools, or false when all are there.
 * Usage: `t.test('...', { skip: needRootAnd('conntrack', 'nft') }, ...)`.
 */
export function needRootAnd(...tools: string[]): string | false {
  if (!isRoot()) return 'needs root (ip netns add, sysctl, conntrack)';
  const missing = ['ip', ...tools].filter((x) => !haveTool(x));
  return missing.length > 0 ? `missing tool(s): ${missing.join(', ')}` : false;
}

let counter = 0;

/** A live namespace; every method runs inside it. */
export interface Netns {
  readonly name: string;
  /** Runs a command to completion; throws (with stderr in the message) on a non-zero exit. Returns stdout. */
  exec(cmd: string, args?: readonly string[], opts?: { input?: string; timeoutMs?: number }): string;
  /** Runs a command to completion and returns status, stdout and stderr without throwing. */
  run(cmd: string, args?: readonly string[], opts?: { input?: string; timeoutMs?: number }): RunResult;
  /** Starts a long-running command; it is killed (by PID) in teardown if still running. */
  spawn(cmd: string, args?: readonly string[], opts?: SpawnOptions): ChildProcess;
  /** `sysctl -w key=value` inside the namespace (e.g. net.netfilter.nf_conntrack_acct). */
  sysctl(key: string, value: string | number): void;
}

/**
 * Creates `conntop-<purpose>-<pid>-<n>` with `lo` up. Registers a teardown on `t` that kills the children
 * spawned through it (SIGKILL by PID) and deletes the namespace.
 */
export function createNetns(t: HasTeardown, purpose: string): Netns {
  const name = `conntop-${purpose}-${process.pid}-${counter++}`;
  execFileSync('ip', ['netns', 'add', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  const children = new Set<ChildProcess>();
  t.teardown(() => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  });

  const run = (cmd: string, args: readonly string[] = [], opts: { input?: string; timeoutMs?: number } = {}): RunResult => {
    const r = spawnSync('ip', ['netns', 'exec', name, cmd, ...args], {
      encoding: 'utf8',
      input: opts.input,
      timeout: opts.timeoutMs ?? 30_000,
      maxBuffer: 64 << 20,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ns: Netns = {
    name,
    run,
    exec(cmd, args = [], opts = {}) {
      const r = run(cmd, args, opts);
      if (r.status !== 0) throw new Error(`ip netns exec ${name} ${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    spawn(cmd, args = [], opts = {}) {
      // `ip netns exec` execs the command after setns(), so the child's PID is the command's PID.
      const c = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
      children.add(c);
      c.once('exit', () => children.delete(c));
      return c;
    },
    sysctl(key, value) {
      ns.exec('sysctl', ['-q', '-w', `${key}=${value}`]);
    },
  };
  ns.exec('ip', ['link', 'set', 'lo', 'up']);
  return ns;
}
