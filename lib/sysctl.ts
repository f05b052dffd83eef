// lib/ layer: the conntrack sysctls conntop turns on while it runs, restored on every exit. Imports node:fs (only
// in procSysctl; everything else goes through the injected SysctlIo) and ./sysctl-share.ts. Names are /proc/sys
// paths, e.g. net/netfilter/nf_conntrack_acct. acct and timestamp only affect flows created after they are set
// (ctnetlink.md §4.6); events=2 ("auto", the default since 5.19) hides DESTROY events of flows born before a
// listener existed and events=0 sends none at all, so a monitor sets 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { SysctlShare, type SysctlChange } from './sysctl-share.js';

export type { SysctlChange } from './sysctl-share.js';

/** Reads and writes sysctls; `read` returns null when the sysctl does not exist or cannot be read. */
export interface SysctlIo {
  read(name: string): string | null;
  write(name: string, value: string): void;
}

/** The real /proc/sys. */
export const procSysctl: SysctlIo = {
  read(name) {
    try {
      return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
    } catch {
      return null;
    }
  },
  write(name, value) {
    writeFileSync(`/proc/sys/${name}`, value);
  },
};

export const ACCT = 'net/netfilter/nf_conntrack_acct';
export const TIMESTAMP = 'net/netfilter/nf_conntrack_timestamp';
export const EVENTS = 'net/netfilter/nf_conntrack_events';
export const RMEM_MAX = 'net/core/rmem_max';

/** The state directory conntop shares sysctls through when $CONNTOP_RUN_DIR does not name another. */
export const DEFAULT_RUN_DIR = '/run/conntop';

/**
 * Sets `name` to `value` and records it in `changes`, or returns why it could not. The recorded original is the
 * value found now, unless `changes` already holds one whose written value is still in place: that original is
 * older and kept (another conntop, perhaps one that crashed, set the value we find).
 */
function change(io: SysctlIo, changes: SysctlChange[], name: string, value: string): string | undefined {
  const cur = io.read(name);
  if (cur === null) return 'not available on this kernel';
  if (cur === value) return undefined;
  try {
    io.write(name, value);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
  const i = changes.findIndex((c) => c.name === name);
  const before = i >= 0 && changes[i].after === cur ? changes[i].before : cur;
  if (i >= 0) changes.splice(i, 1);
  changes.push({ name, before, after: value });
  return undefined;
}

/** Puts back, newest first, every value still as conntop wrote it (someone else's later change is kept). */
function putBack(io: SysctlIo, changes: readonly SysctlChange[]): void {
  for (const c of [...changes].reverse()) {
    try {
      if (io.read(c.name) === c.after) io.write(c.name, c.before);
    } catch {
      // Restoring is best effort: exit must never fail or hang on it.
    }
  }
}

/**
 * Sets sysctls and remembers how to put them back; restore() is idempotent and safe from signal handlers.
 * With a SysctlShare, enableMonitoring() joins the other conntops of this namespace and restore() leaves them:
 * only the last one to leave puts the values back.
 */
export class SysctlGuard {
  /** The changes this process restores itself (set(), or enableMonitoring() when the state cannot be shared). */
  readonly changes: SysctlChange[] = [];
  /** Sysctls that could not be set, with the reason (shown as warnings). */
  readonly failures: { name: string; reason: string }[] = [];
  /** Other things the user should know, one line each (shown as warnings). */
  readonly warnings: string[] = [];
  private joined = false;
  constructor(private readonly io: SysctlIo = procSysctl, private readonly share?: SysctlShare) {}

  /** Sets `name` to `value` when it differs; returns false (and records why) when it cannot. */
  set(name: string, value: string): boolean {
    const failed = this.failures.length;
    this.setAll(this.changes, [[name, value]]);
    return this.failures.length === failed;
  }

  /** Sets each [name, value], recording what it changed in `changes` and what it could not in failures. */
  private setAll(changes: SysctlChange[], wanted: readonly (readonly [string, string])[]): void {
    for (const [name, value] of wanted) {
      const reason = change(this.io, changes, name, value);
      if (reason !== undefined) this.failures.push({ name, reason });
    }
  }

  /** What flowtop does, plus events=1: counters, timestamps and every event (0 sends none, 2 drops DESTROYs). */
  enableMonitoring(): void {
    const wanted: [string, string][] = [[ACCT, '1'], [TIMESTAMP, '1']];
    if (this.io.read(EVENTS) !== null) wanted.push([EVENTS, '1']);
    if (this.share && !this.joined) {
      const failuresBefore = this.failures.length;
      let shared: SysctlChange[] | undefined;
      try {
        const warning = this.share.join((changes) => {
          shared = changes;
          this.setAll(changes, wanted);
        });
        if (warning) this.warnings.push(warning);
        this.joined = true;
        return;
      } catch (e) {
        // Not shared after all (untrusted or unusable state, a lock held too long): this process restores on its
        // own what a join that failed late had recorded, and what the sets below (which report failures anew) add.
        this.changes.push(...(shared ?? []));
        this.failures.length = failuresBefore;
        this.setAll(this.changes, wanted);
        if (this.changes.length > 0) {
          this.warnings.push(`sysctls not shared with other conntop instances (${(e as Error).message}): the first to stop turns them back for all`);
        }
        return;
      }
    }
    this.setAll(this.changes, wanted);
  }

  /** Puts back what this process changed; when shared, only the last conntop of the namespace does. */
  restore(): void {
    if (this.joined) {
      this.joined = false;
      try {
        this.share!.leave((shared) => putBack(this.io, shared));
      } catch {
        // Best effort: the next conntop to join or leave counts this process as gone.
      }
    }
    putBack(this.io, this.changes.splice(0));
  }
}

/** The guard conntop runs with: the real /proc/sys, shared through $CONNTOP_RUN_DIR or /run/conntop. */
export function sharedSysctlGuard(env: NodeJS.ProcessEnv): SysctlGuard {
  return new SysctlGuard(procSysctl, new SysctlShare({ dir: env.CONNTOP_RUN_DIR || DEFAULT_RUN_DIR }));
}

/**
 * Runs `fn` with net.core.rmem_max raised to at least `bytes`, then restores it at once: SO_RCVBUF is capped
 * at 2 × rmem_max when set, and the socket keeps its size afterwards. rmem_max belongs to the initial network
 * namespace; elsewhere it is read-only and `fn` runs under the existing cap. Returns fn's result.
 */
export function withRmemMax<T>(io: SysctlIo, bytes: number, fn: () => T): T {
  const cur = Number(io.read(RMEM_MAX));
  if (!(cur < bytes)) return fn();
  const guard = new SysctlGuard(io);
  guard.set(RMEM_MAX, String(bytes));
  try {
    return fn();
  } finally {
    guard.restore();
  }
}
