// lib/ layer: who a process is, beyond its PID, so that a reused PID is not mistaken for a dead one.
// Imports node:fs only. Linux: the start time is field 22 of /proc/PID/stat (clock ticks since boot), which
// together with the PID names one process for the life of the boot.
import { readFileSync } from 'node:fs';

/** One process: its PID and its start time (field 22 of /proc/PID/stat, in clock ticks since boot, as text). */
export interface ProcessRef {
  pid: number;
  start: string;
}

/** Tells which processes still exist; injected so tests can play dead and live members. */
export interface Processes {
  /** This process. */
  self(): ProcessRef;
  /** True while `p` runs (same PID and same start time); false once it exited or its PID was reused. */
  alive(p: ProcessRef): boolean;
}

/** The start time of `pid` from /proc/PID/stat, or null when there is no such process. */
export function startTimeOf(pid: number, procDir = '/proc'): string | null {
  let stat: string;
  try {
    stat = readFileSync(`${procDir}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')': split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  return rest[19] ?? null;
}

/** The real process table of this PID namespace, read from /proc. */
export const procProcesses: Processes = {
  self: () => ({ pid: process.pid, start: startTimeOf(process.pid) ?? '?' }),
  alive: (p) => startTimeOf(p.pid) === p.start,
};

/** A ProcessRef read back from a file, or null when `v` is not one. */
export function asProcessRef(v: unknown): ProcessRef | null {
  const o = v as Partial<ProcessRef> | null;
  return o && Number.isInteger(o.pid) && (o.pid as number) > 0 && typeof o.start === 'string' ? { pid: o.pid as number, start: o.start } : null;
}
