// lib/ layer: a short exclusive lock between processes, as a file that exists while it is held. Imports node:fs
// and ./process-identity.ts. Node has no flock(2); link(2) onto an existing name fails atomically, so the lock is
// a complete file naming its holder (PID and start time), linked into place: a holder killed while holding it
// does not block the rest, and nobody ever sees a half-written lock.
// Everything is synchronous: a lock is taken from signal handlers and uncaughtException, where nothing awaits.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { asProcessRef, type Processes } from './process-identity.js';

/** Thrown when the lock stays held by a live process for the whole wait; `code` is 'LOCK_TIMEOUT'. */
export class LockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
  constructor(readonly path: string, readonly holder: string) {
    super(`${path} stays locked by ${holder || 'an unknown process'}`);
    this.name = 'LockTimeoutError';
  }
}

/** How long to wait for a lock: `attempts` tries `pauseMs` apart (2 s in all by default). */
export interface LockWait {
  attempts: number;
  pauseMs: number;
  /** Blocks the thread for `ms` milliseconds (default: Atomics.wait, which Node allows on the main thread). */
  pause?: (ms: number) => void;
}

const DEFAULT_WAIT: LockWait = { attempts: 400, pauseMs: 5 };
// Our locks are never garbled (see above); an empty or garbled file seen this many times in a row was put there by
// something else, and is broken rather than waited for.
const GARBLED_LIMIT = 20;

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function holderOf(text: string): ReturnType<typeof asProcessRef> {
  try {
    return asProcessRef(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Removes the lock file at `path` if it still holds `seen`. The file is first renamed aside, so that of two
 * processes breaking the same stale lock only one removes it; a fresh lock moved aside by mistake is put back.
 */
function breakStale(path: string, seen: string, pid: number): void {
  const aside = `${path}.stale-${pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  if (readOrNull(aside) !== seen) {
    try {
      linkSync(aside, path); // EEXIST: a newer lock exists already, and it is the one that counts
    } catch {
      // see above
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone already
  }
}

/**
 * Runs `fn` while holding the lock file `path` (created mode 0600) and returns its result; the lock is released
 * even when `fn` throws. A lock whose holder is dead, or that stays garbled, is broken. Throws LockTimeoutError
 * when a live holder keeps it for the whole wait.
 */
export function withFileLock<T>(path: string, processes: Processes, fn: () => T, wait: LockWait = DEFAULT_WAIT): T {
  const self = processes.self();
  const me = JSON.stringify(self);
  const pause = wait.pause ?? blockFor;
  const mine = `${path}.new-${self.pid}`;
  writeFileSync(mine, me, { mode: 0o600 });
  let garbled = 0;
  let last = '';
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const text = readOrNull(path);
      if (text === null) continue; // released between our link and our read: try again at once
      last = text;
      const holder = holderOf(text);
      garbled = holder === null ? garbled + 1 : 0;
      if ((holder !== null && !processes.alive(holder)) || garbled >= GARBLED_LIMIT) {
        breakStale(path, text, self.pid);
        garbled = 0;
        continue;
      }
      if (attempt >= wait.attempts) throw new LockTimeoutError(path, last);
      pause(wait.pauseMs);
    }
  } finally {
    try {
      unlinkSync(mine);
    } catch {
      // gone already
    }
  }
  try {
    return fn();
  } finally {
    // Unlink only our own lock: if ours was broken as stale by mistake, the file now belongs to someone else.
    if (readOrNull(path) === me) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  }
}
