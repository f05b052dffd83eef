// lib/ layer: the conntrack sysctls conntop turns on while it runs, restored on every exit.
// Imports node:fs only through the injected SysctlIo. Names are /proc/sys paths, e.g. net/netfilter/nf_conntrack_acct.
// acct and timestamp only affect flows created after they are set (ctnetlink.md §4.6); events=2 ("auto",
// the default since 5.19) hides DESTROY events of flows born before a listener existed, so a monitor sets 1.
import { readFileSync, writeFileSync } from 'node:fs';

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

/** One sysctl conntop changed: its value before, and the value conntop wrote. */
export interface SysctlChange {
  name: string;
  before: string;
  after: string;
}

/** Sets sysctls and remembers how to put them back; restore() is idempotent and safe from signal handlers. */
export class SysctlGuard {
  readonly changes: SysctlChange[] = [];
  /** Sysctls that could not be set, with the reason (shown as warnings). */
  readonly failures: { name: string; reason: string }[] = [];
  constructor(private readonly io: SysctlIo = procSysctl) {}

  /** Sets `name` to `value` when it differs; returns false (and records why) when it cannot. */
  set(name: string, value: string): boolean {
    const before = this.io.read(name);
    if (before === null) {
      this.failures.push({ name, reason: 'not available on this kernel' });
      return false;
    }
    if (before === value) return true;
    try {
      this.io.write(name, value);
    } catch (e) {
      this.failures.push({ name, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
      return false;
    }
    this.changes.push({ name, before, after: value });
    return true;
  }

  /** What flowtop does, plus events=1: counters, timestamps and reliable DESTROY events for a monitor. */
  enableMonitoring(): void {
    this.set(ACCT, '1');
    this.set(TIMESTAMP, '1');
    if (this.io.read(EVENTS) === '2') this.set(EVENTS, '1');
  }

  /** Puts back every value still as conntop left it (someone else's later change is kept), newest first. */
  restore(): void {
    while (this.changes.length > 0) {
      const c = this.changes.pop()!;
      try {
        if (this.io.read(c.name) === c.after) this.io.write(c.name, c.before);
      } catch {
        // Restoring is best effort: exit must never fail or hang on it.
      }
    }
  }
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
