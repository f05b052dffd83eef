// lib/ layer: the command-line modes (--once, --events) built from a FlowSource, a FlowTable and the
// outputs. Imports lib/ only (kernel-source.ts is the netlink boundary). Streams are passed in.
import type { Writable } from 'node:stream';
import { fieldById } from './fields.js';
import { flowKey, type Flow } from './flow.js';
import { KernelSource, ReplaySource, openRecorder, type FlowFilter, type KernelDumpFilter } from './kernel-source.js';
import { LineWriter, flowJson, renderTable } from './output.js';
import type { FlowSource } from './source.js';

/** Everything the command line decides. */
export interface RunOptions {
  mode: 'once' | 'events' | 'live';
  json: boolean;
  delaySec: number;
  filter: FlowFilter;
  dumpFilter: KernelDumpFilter;
  record?: string;
  replay?: string;
  speed: number;
  lingerSec: number;
  rcvbufBytes: number;
  sysctl: boolean;
  dns: boolean;
  geoip: boolean;
  geoipDir?: string;
  services: boolean;
  processes: boolean;
  iterations?: number;
}

/** The process's streams and environment, passed in so tests can run modes in-process. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** Builds the source the options ask for: a capture, or the kernel (recording when asked). */
export function openSource(opts: RunOptions, events: boolean): { source: FlowSource; finish: () => void } {
  if (opts.replay) {
    const source = new ReplaySource(opts.replay, { filter: opts.filter, speed: opts.speed });
    return { source, finish: () => source.close() };
  }
  const rec = opts.record ? openRecorder(opts.record) : undefined;
  const source = new KernelSource({
    filter: opts.filter,
    dumpFilter: opts.dumpFilter,
    events,
    recvBufferBytes: opts.rcvbufBytes,
    record: rec?.record,
  });
  return { source, finish: () => { source.close(); rec?.close(); } };
}

const byDefault = (a: Flow, b: Flow): number =>
  fieldById('proto')!.compare(a, b) || fieldById('src')!.compare(a, b) || fieldById('dst')!.compare(a, b) ||
  fieldById('sport')!.compare(a, b) || fieldById('dport')!.compare(a, b);

/** --once: one dump, printed as a table or as JSON lines. Duplicates within a dump (hash resizes) are dropped. */
export async function runOnce(opts: RunOptions, io: Io): Promise<number> {
  const { source, finish } = openSource(opts, false);
  const out = new LineWriter(io.stdout);
  const seen = new Set<string>();
  const flows: Flow[] = [];
  try {
    await source.start((ev) => {
      if (ev.kind !== 'dumpEntry') return;
      const key = flowKey(ev.flow);
      if (seen.has(key)) return;
      seen.add(key);
      if (opts.json) out.line(flowJson(ev.flow));
      else flows.push(ev.flow);
    });
  } finally {
    finish();
  }
  if (!opts.json) for (const l of renderTable(flows.sort(byDefault))) out.line(l);
  await out.end();
  warnHealth(source, io);
  return 0;
}

function warnHealth(source: FlowSource, io: Io): void {
  const h = source.health;
  if (h.badMessages > 0) io.stderr.write(`conntop: warning: ${h.badMessages} undecodable netlink message(s) skipped (${h.lastProblem})\n`);
}

/** --events: one JSON line per change; implemented with the live flow table. */
export async function runEvents(opts: RunOptions, io: Io): Promise<number> {
  void opts;
  io.stderr.write('conntop: --events is not built yet\n');
  return 2;
}
