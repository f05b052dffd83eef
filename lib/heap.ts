// lib/ layer: V8 heap settings of the conntop process. Imports node:v8 only; called once by cli.ts.

/**
 * Keeps V8's young generation at its initial size (semispaces of 1 MiB) instead of letting it double up to
 * 16 MiB ones. Why: loading a big table makes every young object survive (they are the flows), so V8 grows
 * the young generation to its maximum, 32 MiB, and never shrinks it again once the refresh fast path makes
 * the table allocate almost nothing: 50k flows idled at 146 MiB RSS, 118-121 MiB with this (node 20.20,
 * V8 11.3; start-up and steady CPU within run-to-run noise). The flag is read each time the space would
 * grow, so setting it after start works; on a V8 that read it only at start this is a no-op.
 */
export function keepYoungGenerationSmall(setFlags: (flags: string) => void): void {
  setFlags('--semi-space-growth-factor=1');
}
