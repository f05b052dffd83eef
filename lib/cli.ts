#!/usr/bin/env node
// lib/ layer: the composition root and the `conntop` executable. It may import everything and nothing
// imports it; it is the only place that sets the exit code (house style §2). Bad options exit 2 with a
// one-line reason; runtime failures exit 1 with a message that says how to fix them.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { keepYoungGenerationSmall } from './heap.js';
import { runOnce, runEvents, type RunOptions } from './modes.js';
import { explain } from './errors.js';
import { SysctlGuard } from './sysctl.js';
import { DEFAULT_CREDITS } from './enrich/geoip-sources.js';

const PROTOS: Record<string, number[]> = { T: [6], U: [17, 136], D: [33], I: [1, 58], S: [132], gre: [47] };

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}
function uint(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}
function markArg(v: string): { mark: number; mask?: number } {
  const [m, k] = v.split('/');
  const mark = Number(m);
  const mask = k === undefined ? undefined : Number(k);
  if (!Number.isInteger(mark) || mark < 0 || mark > 0xffffffff || (mask !== undefined && (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff))) {
    throw new InvalidArgumentError('expected MARK or MARK/MASK (decimal or 0x hex, 32-bit)');
  }
  return { mark, mask };
}
function speedArg(v: string): number {
  if (v === 'max') return Infinity;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive factor or 'max'");
  return n;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Builds the command-line parser. */
function buildProgram(): Command {
  const p = new Command('conntop')
    .description('A live monitor of the Linux connection-tracking table (talks ctnetlink itself).')
    .version(version(), '-V, --version')
    .option('--once', 'print the conntrack table once and exit')
    .option('--json', 'with --once: one JSON object per flow per line')
    .option('--enrich', 'with --once --json and --events: add an "enrich" object (service, direction, GeoIP, reverse DNS, process)')
    .option('-b, --batch', 'stream one JSON line per change (new, update, destroy, resync, stats)')
    .option('--events', 'the same as --batch')
    .addOption(new Option('-d, --delay <seconds>', 'refresh interval (fractions allowed)').argParser(seconds).default(1))
    .addOption(new Option('--interval <seconds>', 'the same as --delay').argParser(seconds))
    .option('-4, --ipv4', 'IPv4 flows (dumped per family by the kernel)')
    .option('-6, --ipv6', 'IPv6 flows')
    .option('-T, --tcp', 'TCP flows')
    .option('-U, --udp', 'UDP and UDP-Lite flows')
    .option('-D, --dccp', 'DCCP flows')
    .option('-I, --icmp', 'ICMP and ICMPv6 flows')
    .option('-S, --sctp', 'SCTP flows')
    .option('--gre', 'GRE flows')
    .option('--all', 'every protocol (the default when no protocol letter is given)')
    .addOption(new Option('--mark <mark[/mask]>', 'only flows whose mark matches (filtered by the kernel)').argParser(markArg))
    .addOption(new Option('--zone <zone>', 'only flows in this conntrack zone (filtered by the kernel, 6.8+)').argParser(uint))
    .option('--record <file>', 'save every netlink datagram sent and received to a pcap file (LINKTYPE_NETLINK)')
    .option('--replay <file>', 'run from a capture made with --record: no kernel, no root needed')
    .addOption(new Option('--speed <factor|max>', "replay speed: 1 = as recorded, 'max' = as fast as possible").argParser(speedArg).default(1, '1'))
    .addOption(new Option('--linger <seconds>', 'keep closed flows this long (ghost rows)').argParser(seconds).default(5))
    .addOption(new Option('--rcvbuf <bytes>', 'receive buffer to ask for on the event socket').argParser(uint).default(64 * 1024 * 1024, '64 MiB'))
    .option('--no-sysctl', 'leave nf_conntrack_acct, _timestamp and _events as they are')
    .option('-n, --no-dns', 'no reverse DNS')
    .option('--no-geoip', 'no GeoIP lookups')
    .option('--geoip-dir <dir>', 'look for MaxMind databases here first')
    .option('--no-services', 'show port numbers, not service names')
    .option('-P, --no-servname', 'the same as --no-services')
    .option('--no-processes', 'do not look up the process behind local flows')
    .addOption(new Option('--iterations <n>', 'stop after N refreshes (for scripts and tests)').argParser(uint))
    .addHelpText('after', `\nWithout your own MaxMind databases, GeoIP uses embedded data:\n  ${DEFAULT_CREDITS.country}\n  ${DEFAULT_CREDITS.asn}`)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  return p;
}

/** Parses argv into run options; throws CommanderError for bad usage. */
export function parseOptions(argv: string[]): RunOptions {
  const p = buildProgram();
  p.parse(argv, { from: 'user' });
  const o = p.opts();
  const protoNums = new Set<number>();
  if (!o.all) for (const [k, nums] of Object.entries(PROTOS)) {
    const key = k === 'T' ? 'tcp' : k === 'U' ? 'udp' : k === 'D' ? 'dccp' : k === 'I' ? 'icmp' : k === 'S' ? 'sctp' : 'gre';
    if (o[key]) nums.forEach((n) => protoNums.add(n));
  }
  const families: ('ipv4' | 'ipv6')[] = [];
  if (o.ipv4) families.push('ipv4');
  if (o.ipv6) families.push('ipv6');
  if (o.json && !o.once) throw new CommanderError(2, 'conntop.usage', '--json goes with --once (use --events for a stream)');
  return {
    mode: o.once ? 'once' : o.batch || o.events ? 'events' : 'live',
    json: Boolean(o.json),
    enrich: Boolean(o.enrich),
    delaySec: (o.interval as number | undefined) ?? (o.delay as number),
    filter: { families, protoNums },
    dumpFilter: o.mark ? { mark: o.mark.mark, markMask: o.mark.mask, ...(o.zone !== undefined ? { zone: o.zone } : {}) } : o.zone !== undefined ? { zone: o.zone } : {},
    record: o.record as string | undefined,
    replay: o.replay as string | undefined,
    speed: o.speed as number,
    lingerSec: o.linger as number,
    rcvbufBytes: o.rcvbuf as number,
    sysctl: o.sysctl as boolean,
    dns: o.dns as boolean,
    geoip: o.geoip as boolean,
    geoipDir: o.geoipDir as string | undefined,
    services: (o.services as boolean) && (o.servname as boolean),
    processes: o.processes as boolean,
    iterations: o.iterations as number | undefined,
  };
}

/** What main decided: the exit status, and whether to leave at once (a signal: pending writes to a stuck reader must not keep Node alive). */
interface Outcome {
  code: number;
  now: boolean;
}

async function main(argv: string[]): Promise<Outcome> {
  keepYoungGenerationSmall(setFlagsFromString);
  let opts: RunOptions;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { code: 0, now: false };
      process.stderr.write(`conntop: ${e.message.replace(/^error: /, '')}\nTry 'conntop --help'.\n`);
      return { code: 2, now: false };
    }
    throw e;
  }
  const sysctls = new SysctlGuard();
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      // A second signal: the user insists. Restore and leave now.
      sysctls.restore();
      process.exit(128 + (SIGNALS[sig] ?? 1));
    }
    signalled = sig;
    abort.abort();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  // A crash must not leave the host's sysctls changed.
  process.on('uncaughtException', (e) => {
    sysctls.restore();
    process.stderr.write(`conntop: internal error: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, sysctls, signal: abort.signal };
  let code: number;
  try {
    if (opts.mode === 'once') code = await runOnce(opts, io);
    else if (opts.mode === 'events') code = await runEvents(opts, io);
    else {
      process.stderr.write('conntop: the interactive view is not built yet; use --once, --once --json or --events\n');
      code = 2;
    }
  } catch (e) {
    process.stderr.write(`conntop: ${explain(e)}\n`);
    code = 1;
  } finally {
    sysctls.restore();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
  }
  return signalled ? { code: 128 + (SIGNALS[signalled] ?? 1), now: true } : { code, now: false };
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

main(process.argv.slice(2)).then(
  ({ code, now }) => {
    process.exitCode ??= code;
    // After a signal the sysctls are restored and the modes have stopped: output still queued for a reader
    // that stopped reading would keep Node alive, so leave now.
    if (now) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`conntop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
