// Tests for lib/pipe-reader.ts: the reader of a pipe leaving is noticed without a write (through GNU tail,
// skipped without it), and anything but a pipe is not watched. Waits are on conditions with deadlines.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchPipeReader } from '../../lib/pipe-reader.js';

const gnuTail = /GNU coreutils/.test(spawnSync('tail', ['--version'], { encoding: 'utf8' }).stdout ?? '');

async function until(cond: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !cond();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('the reader of a pipe leaving is noticed though nothing is written', { skip: gnuTail ? false : 'needs GNU tail' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-pipe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  let gone = 0;
  const stop = watchPipeReader(writer, () => gone++);
  t.teardown(() => {
    stop();
    closeSync(writer);
  });
  t.equal(gone, 0);
  closeSync(reader);
  await until(() => gone > 0, 'the watcher to notice');
  t.equal(gone, 1, 'once');
});

t.test('a file is not a pipe: nothing is watched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-pipe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fd = openSync(join(dir, 'file'), 'w');
  const stop = watchPipeReader(fd, () => t.fail('not a pipe'));
  stop();
  closeSync(fd);
  t.pass();
});
