// lib/ layer (process I/O, used by the composition root): notices that the reader of the pipe on stdout left
// while nothing is being written (`conntop --events -d 30 | head -1` on a quiet table). Node hears of a gone
// reader only when a write fails (EPIPE): libuv polls a pipe only while a write waits. GNU tail polls its
// output: `tail -f --pid=PID /dev/null` on our stdout dies of SIGPIPE as soon as the reader leaves (and exits
// by itself within a second of PID, so a killed conntop does not keep the pipe open for long).
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';

/**
 * Watches the reader of pipe `fd` (a no-op for anything but a pipe, or without GNU tail): `onGone` runs once
 * when the reader left. Returns stop(), which ends the watcher (call it before exiting).
 */
export function watchPipeReader(fd: number, onGone: () => void): () => void {
  const none = (): void => undefined;
  try {
    if (!fstatSync(fd).isFIFO()) return none;
  } catch {
    return none;
  }
  const child = spawn('tail', ['-f', `--pid=${process.pid}`, '/dev/null'], { stdio: ['ignore', fd, 'ignore'] });
  child.on('error', none); // no tail here: the reader is noticed at the next write, as before
  child.on('exit', (_code, signal) => {
    if (signal === 'SIGPIPE') onGone();
  });
  child.unref();
  return () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
}
