// lib/ layer: the sysctl values shared by every conntop in one network namespace. Imports node:fs and lib/
// helpers. A state file `<dir>/sysctl-net-<dev>-<inode>.json` (dir: /run/conntop by default) records the values
// the first instance found and the instances (PID + start time) running now; a file lock serialises joins and
// leaves, and the last instance to leave restores the values. A member that died without leaving (SIGKILL)
// stops counting at the next join or leave; when all members are dead, the recorded values are still the
// originals, since the sysctls are as that instance left them (see SysctlGuard's adoption rule).
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock, type LockWait } from './file-lock.js';
import { asProcessRef, procProcesses, type Processes, type ProcessRef } from './process-identity.js';

/** One sysctl conntop changed: its value before, and the value conntop wrote. */
export interface SysctlChange {
  name: string;
  before: string;
  after: string;
}

/** Why the state cannot be shared; the caller falls back to restoring its own changes. */
export class ShareError extends Error {
  constructor(readonly code: 'SHARE_UNTRUSTED' | 'SHARE_IO', message: string) {
    super(message);
    this.name = 'ShareError';
  }
}

/** Where and how the state is kept; everything but `dir` is injected by tests. */
export interface SysctlShareOptions {
  /** The state directory, created mode 0700 (e.g. /run/conntop). */
  dir: string;
  processes?: Processes;
  /** Names this network namespace (default: device and inode of /proc/self/ns/net). */
  nsKey?: () => string;
  /** The owner a trusted directory and state file must have (default: our effective uid). */
  uid?: number;
  lockWait?: LockWait;
}

interface State {
  version: 1;
  ns: string;
  /** The values to put back when the last member leaves, oldest first. */
  changes: SysctlChange[];
  members: ProcessRef[];
}

const VERSION = 1;

function netnsKey(): string {
  const s = statSync('/proc/self/ns/net');
  return `net-${s.dev}-${s.ino}`;
}

function asChange(v: unknown): SysctlChange | null {
  const o = v as Partial<SysctlChange> | null;
  return o && typeof o.name === 'string' && typeof o.before === 'string' && typeof o.after === 'string' ? { name: o.name, before: o.before, after: o.after } : null;
}

/** Parses a state file; null when it is not one (truncated, garbled, another version). */
export function parseState(text: string): State | null {
  let o: Partial<State>;
  try {
    o = JSON.parse(text) as Partial<State>;
  } catch {
    return null;
  }
  if (o?.version !== VERSION || typeof o.ns !== 'string' || !Array.isArray(o.changes) || !Array.isArray(o.members)) return null;
  const changes = o.changes.map(asChange);
  const members = o.members.map(asProcessRef);
  if (changes.includes(null) || members.includes(null)) return null;
  return { version: VERSION, ns: o.ns, changes: changes as SysctlChange[], members: members as ProcessRef[] };
}

/**
 * Joins and leaves the shared state of this namespace; one object per conntop process. Known limit: the kernel
 * reuses a deleted namespace's inode, so a file left by a crash in a deleted namespace can be taken for a new
 * one's; its originals then count only for values still as conntop writes them (1), see SysctlGuard.
 */
export class SysctlShare {
  private readonly processes: Processes;
  private readonly uid: number;
  private key: string | undefined;
  constructor(private readonly opts: SysctlShareOptions) {
    this.processes = opts.processes ?? procProcesses;
    this.uid = opts.uid ?? process.geteuid?.() ?? 0;
  }

  /** The state file's path. */
  get file(): string {
    this.key ??= (this.opts.nsKey ?? netnsKey)();
    return join(this.opts.dir, `sysctl-${this.key}.json`);
  }

  /**
   * Adds this process to the members. `update` gets the recorded changes (kept from a crashed last member too)
   * and edits them in place while the lock is held. Returns a warning when a garbled state file was replaced.
   * Throws ShareError when the directory or file cannot be trusted or used; LockTimeoutError from the lock.
   */
  join(update: (changes: SysctlChange[]) => void): string | undefined {
    this.ensureDir();
    return this.locked(() => {
      const { state, warning } = this.read();
      const me = this.processes.self();
      const changes = state?.changes ?? [];
      update(changes);
      this.write({ version: VERSION, ns: this.key!, changes, members: [...this.liveOthers(state), me] });
      return warning;
    });
  }

  /** Removes this process (and dead members); when none remain, calls `restore` with the changes and deletes the file. */
  leave(restore: (changes: SysctlChange[]) => void): void {
    this.locked(() => {
      const { state } = this.read();
      if (!state) return; // removed or garbled meanwhile: the originals are unknown, so nothing is put back
      const members = this.liveOthers(state);
      if (members.length > 0) return this.write({ ...state, members });
      restore(state.changes);
      unlinkSync(this.file);
    });
  }

  /** The live members recorded now, for tests and diagnostics (an absent or garbled file has none). */
  members(): ProcessRef[] {
    try {
      return this.liveOthers(this.read().state, false);
    } catch {
      return [];
    }
  }

  private locked<T>(fn: () => T): T {
    return withFileLock(`${this.file}.lock`, this.processes, fn, this.opts.lockWait);
  }

  private liveOthers(state: State | null, withoutSelf = true): ProcessRef[] {
    const me = this.processes.self();
    return (state?.members ?? []).filter((m) => (!withoutSelf || m.pid !== me.pid || m.start !== me.start) && this.processes.alive(m));
  }

  /** Creates the directory (0700) and checks that nobody else could have written into it. */
  private ensureDir(): void {
    const dir = this.opts.dir;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new ShareError('SHARE_IO', `cannot create ${dir} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    this.trust(dir, 'directory');
  }

  /** Throws SHARE_UNTRUSTED unless `path` is ours, of the expected kind, and writable by nobody else. */
  private trust(path: string, kind: 'directory' | 'file'): void {
    const s = lstatSync(path);
    const isKind = kind === 'directory' ? s.isDirectory() : s.isFile();
    if (!isKind || s.uid !== this.uid || (s.mode & 0o022) !== 0) {
      throw new ShareError('SHARE_UNTRUSTED', `${path} is not a ${kind} owned by uid ${this.uid} and writable only by it`);
    }
  }

  private read(): { state: State | null; warning?: string } {
    let text: string;
    try {
      this.trust(this.file, 'file');
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: null };
      if (e instanceof ShareError) throw e;
      throw new ShareError('SHARE_IO', `cannot read ${this.file} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    const state = parseState(text);
    if (state) return { state };
    return { state: null, warning: `${this.file} was unreadable and is replaced: the values in place now count as the originals` };
  }

  /** Writes the state atomically (a temporary file, mode 0600, renamed over the old one). */
  private write(state: State): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      try {
        unlinkSync(tmp); // left by a dead process that had our PID
      } catch {
        // usually absent
      }
      writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(tmp, this.file);
    } catch (e) {
      throw new ShareError('SHARE_IO', `cannot write ${this.file} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
}
