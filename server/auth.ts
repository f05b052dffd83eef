// server/ layer: the shared-secret challenge-response (HMAC-SHA256, compared in constant time), the secret
// file's permission check, and the per-address failure limiter. Imports node: builtins only.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A problem with the secret file, with a code tests assert on. */
export class AuthFileError extends Error {
  override readonly name = 'AuthFileError';
  constructor(readonly code: 'AUTH_FILE_PERMISSIONS' | 'AUTH_FILE_EMPTY' | 'AUTH_FILE_TOO_BIG', message: string) {
    super(message);
  }
}

/**
 * Reads the shared secret (the file's bytes, one trailing newline dropped). Refused unless the file is a
 * regular file owned by this user and readable by nobody else (like ssh's private keys): mode & 077 == 0.
 */
export function readAuthFile(path: string, uid = process.getuid?.() ?? 0): Buffer {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (st.mode & 0o077) !== 0 || st.uid !== uid) {
      throw new AuthFileError('AUTH_FILE_PERMISSIONS', `${path} must be a file owned by uid ${uid} and readable only by its owner (chmod 600 ${path})`);
    }
    if (st.size > 4096) throw new AuthFileError('AUTH_FILE_TOO_BIG', `${path} is over 4096 bytes: a secret is a line`);
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    let secret = buf.subarray(0, n);
    if (secret.at(-1) === 10) secret = secret.subarray(0, secret.length - 1);
    if (secret.at(-1) === 13) secret = secret.subarray(0, secret.length - 1);
    if (secret.length === 0) throw new AuthFileError('AUTH_FILE_EMPTY', `${path} is empty`);
    return Buffer.from(secret);
  } finally {
    closeSync(fd);
  }
}

/** 32 random bytes as 64 hex digits (a challenge or a nonce). */
export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

/** The client's answer to a challenge. */
export function clientProof(secret: Uint8Array, challenge: string, nonce: string): string {
  return createHmac('sha256', secret).update(`conntop-auth-client\n${challenge}\n${nonce}`).digest('hex');
}

/** The server's proof that it knows the secret too (the client checks it: mutual authentication). */
export function serverProof(secret: Uint8Array, challenge: string, nonce: string): string {
  return createHmac('sha256', secret).update(`conntop-auth-server\n${nonce}\n${challenge}`).digest('hex');
}

/** Constant-time equality of two hex digests of the same length (false for any other length). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/**
 * Counts authentication failures per remote address in a sliding window and says when an address must
 * wait; also limits how often failures are logged. Bounded: at most `maxAddresses` addresses are remembered.
 */
export class FailureLimiter {
  private readonly byAddr = new Map<string, number[]>();
  private lastLogMs = -Infinity;
  private unlogged = 0;

  constructor(private readonly opts: { maxFailures: number; windowMs: number; logEveryMs: number; maxAddresses?: number; now: () => number }) {}

  /** True when `addr` failed maxFailures times within the window (refuse it without a challenge). */
  blocked(addr: string): boolean {
    return this.recent(addr).length >= this.opts.maxFailures;
  }

  /** Records a failure; returns the log line to print now, or null while logging is rate-limited. */
  fail(addr: string, what: string): string | null {
    const list = this.recent(addr);
    list.push(this.opts.now());
    this.byAddr.delete(addr);
    this.byAddr.set(addr, list);
    const max = this.opts.maxAddresses ?? 10000;
    if (this.byAddr.size > max) this.byAddr.delete(this.byAddr.keys().next().value!);
    const now = this.opts.now();
    if (now - this.lastLogMs < this.opts.logEveryMs) {
      this.unlogged++;
      return null;
    }
    const more = this.unlogged > 0 ? ` (and ${this.unlogged} more failure(s) not logged)` : '';
    this.unlogged = 0;
    this.lastLogMs = now;
    return `authentication failed from ${addr}: ${what}${more}`;
  }

  private recent(addr: string): number[] {
    const since = this.opts.now() - this.opts.windowMs;
    return (this.byAddr.get(addr) ?? []).filter((t) => t > since);
  }
}
