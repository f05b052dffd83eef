// Benchmark child, run inside the benchmark namespace by test/bench/run.ts (never by unit tests).
// Imports lib/kernel/ and netlink/ directly: a benchmark measures the layers themselves.
// Modes (one JSON line on stdout, times in seconds, CPU = user + sys of this process over the timed part):
//   load            KernelSource.start with a sink that keeps every dumpEntry Flow (the whole table in memory)
//   bare            the same dump request on the same kind of socket (32 KiB non-peek reads), bytes counted only
//   bare --repeat N --interval-ms M   N bare dumps, one every M ms (the floor of a periodic refresh); steadyCpuS and
//                   steadyWallS count from the end of the first dump (a refresh's steady state, without start-up)
import { KernelSource } from '../../lib/kernel/index.js';
import type { Flow } from '../../lib/flow.js';
import { encodeDumpRequest } from '../../netlink/ct-request.js';
import { AF, NETLINK_NETFILTER } from '../../netlink/nfnetlink.js';
import { openNetlinkSocket } from '../../netlink/socket.js';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;

interface Result {
  mode: string;
  dumps: number;
  flows: number;
  bytes: number;
  datagrams: number;
  wallS: number;
  userS: number;
  sysS: number;
  maxRssKiB: number;
  /** user + sys of the first dump alone (bare); the rest of the run is steady state. */
  firstCpuS?: number;
  /** user, sys, their sum and wall from the end of the first dump to the end of the last (bare). */
  steadyUserS?: number;
  steadySysS?: number;
  steadyCpuS?: number;
  steadyWallS?: number;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function load(): Promise<Result> {
  const flows: Flow[] = [];
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const src = new KernelSource({});
  await src.start((ev) => {
    if (ev.kind === 'dumpEntry') flows.push(ev.flow);
  });
  src.close();
  const c = process.cpuUsage(c0);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mode: 'load', dumps: 1, flows: flows.length, bytes: 0, datagrams: 0, wallS, userS: c.user / 1e6, sysS: c.system / 1e6, maxRssKiB: process.resourceUsage().maxRSS };
}

/** One socket, `repeat` dumps: counts bytes and nlmsghdrs of type >= 16 (entries); the walk reads headers only. */
async function bare(repeat: number, intervalMs: number): Promise<Result> {
  let bytes = 0, datagrams = 0, flows = 0;
  let done: (() => void) | undefined;
  let fail: ((e: Error) => void) | undefined;
  const sock = openNetlinkSocket(NETLINK_NETFILTER, {
    onDatagram: (d) => {
      bytes += d.byteLength;
      datagrams++;
      const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
      for (let off = 0; off + 16 <= d.byteLength; ) {
        const len = v.getUint32(off, true);
        const type = v.getUint16(off + 4, true);
        if (type === NLMSG_DONE || type === NLMSG_ERROR) { done?.(); return; }
        flows++;
        if (len < 16) break;
        off += (len + 3) & ~3;
      }
    },
    onError: (e) => fail?.(e),
  }, { recvChunkBytes: 32768 });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let t1 = t0, c1 = c0;
  for (let i = 0; i < repeat; i++) {
    const started = Date.now();
    const finished = new Promise<void>((resolve, reject) => { done = resolve; fail = reject; });
    await sock.send(encodeDumpRequest(1000 + i, { family: AF.UNSPEC }));
    await finished;
    if (i === 0) { t1 = process.hrtime.bigint(); c1 = process.cpuUsage(); }
    const wait = intervalMs - (Date.now() - started);
    if (i + 1 < repeat && wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  sock.close();
  const userS = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user - a.user) / 1e6;
  const sysS = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.system - a.system) / 1e6;
  return {
    mode: 'bare', dumps: repeat, flows, bytes, datagrams, wallS: Number(t2 - t0) / 1e9, userS: userS(c0, c2), sysS: sysS(c0, c2),
    maxRssKiB: process.resourceUsage().maxRSS, firstCpuS: userS(c0, c1) + sysS(c0, c1),
    steadyUserS: userS(c1, c2), steadySysS: sysS(c1, c2), steadyCpuS: userS(c1, c2) + sysS(c1, c2), steadyWallS: Number(t2 - t1) / 1e9,
  };
}

const mode = process.argv[2];
const result = mode === 'load' ? await load() : mode === 'bare' ? await bare(arg('--repeat', 1), arg('--interval-ms', 0)) : undefined;
if (!result) {
  process.stderr.write('usage: load-child.js load | bare [--repeat N] [--interval-ms M]\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
