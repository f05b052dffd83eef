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
import type { RemoteTarget } from './modes.js';
import type { FlowSource } from './source.js';

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
    .option('--wide', 'with --once: no width limit on the text table (else the terminal width, or 80 columns)')
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
    .addOption(new Option('--iterations <n>', 'stop after N refreshes (for scripts and tests)').argParser(uint));
  addClientServerOptions(p);
  return p
    .addHelpText('after', `\nWithout your own MaxMind databases, GeoIP uses embedded data:\n  ${DEFAULT_CREDITS.country}\n  ${DEFAULT_CREDITS.asn}`)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
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
    wide: Boolean(o.wide),
    ...remoteOptions(o),
  };
}

async function main(argv: string[]): Promise<number> {
  // conntop --server is conntopd (conntop 1.0's -s): loaded only when asked, with its own options.
  const serverFlag = argv.findIndex((a) => a === '-s' || a === '--server');
  if (serverFlag >= 0) {
    const { serverMain } = await import('./conntopd.js');
    return serverMain([...argv.slice(0, serverFlag), ...argv.slice(serverFlag + 1)], 'conntop --server');
  }
  keepYoungGenerationSmall(setFlagsFromString);
  let opts: RunOptions;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      process.stderr.write(`conntop: ${e.message.replace(/^error: /, '')}\nTry 'conntop --help'.\n`);
      return 2;
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
  const io = {
    stdout: process.stdout, stderr: process.stderr, env: process.env, sysctls, signal: abort.signal,
    openRemote: opts.remote ? await remoteOpener(opts) : undefined,
  };
  try {
    if (opts.mode === 'once') return await runOnce(opts, io);
    if (opts.mode === 'events') return await runEvents(opts, io);
    process.stderr.write('conntop: the interactive view is not built yet; use --once, --once --json or --events\n');
    return 2;
  } catch (e) {
    process.stderr.write(`conntop: ${explain(e)}\n`);
    return 1;
  } finally {
    sysctls.restore();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
    if (signalled) process.exitCode = 128 + (SIGNALS[signalled] ?? 1);
  }
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode ??= code;
  },
  (e: unknown) => {
    process.stderr.write(`conntop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);

// ---- client-server mode (issue 11): conntop --server runs conntopd; -c/--connect follows a server ----

/** Adds the client-server options to the parser (conntop 1.0's -s, -c and -p). */
function addClientServerOptions(p: Command): void {
  p.option('-s, --server', 'run the server (the same as conntopd; `conntop --server --help` lists its options)')
    .addOption(new Option('-c, --connect <host[:port]>', 'follow a conntop server instead of the kernel').argParser((v, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('-p, --port <port>', 'the server port when --connect gives none').argParser(uint).default(55555))
    .option('--auth-file <file>', 'with --connect: the shared secret of the server (mode 0600)')
    .option('--tls-ca <file>', 'with --connect: use TLS and trust the server certificate signed by this PEM CA')
    .option('--tls-fingerprint <sha256>', 'with --connect: use TLS and accept only the certificate with this SHA-256 fingerprint');
}

/** HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address. */
export function parseHostPort(v: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? (v.split(':').length === 2 ? /^([^:]+):(\d+)$/.exec(v) : null);
  const host = m ? m[1] : v;
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`expected HOST[:PORT], got ${v}`);
  return { host, port };
}

function remoteOptions(o: Record<string, unknown>): { remote?: RemoteTarget; processes?: false } {
  const connect = o.connect as string[] | undefined;
  if (!connect) {
    if (o.authFile || o.tlsCa || o.tlsFingerprint) throw new CommanderError(2, 'conntop.usage', '--auth-file, --tls-ca and --tls-fingerprint go with --connect');
    return {};
  }
  // TODO(#11): several servers in one table (a host column and per-server meters).
  if (connect.length > 1) throw new CommanderError(2, 'conntop.usage', 'one --connect at a time for now');
  if (o.record || o.replay) throw new CommanderError(2, 'conntop.usage', '--connect does not go with --record or --replay');
  let target: { host: string; port: number };
  try {
    target = parseHostPort(connect[0], o.port as number);
  } catch (e) {
    throw new CommanderError(2, 'conntop.usage', (e as Error).message);
  }
  // Process information exists on the server only.
  return { remote: { ...target, authFile: o.authFile as string | undefined, tlsCa: o.tlsCa as string | undefined, tlsFingerprint: o.tlsFingerprint as string | undefined }, processes: false };
}

/** The --connect source factory: server/client.ts is loaded only for --connect. */
async function remoteOpener(opts: RunOptions): Promise<() => { source: FlowSource; finish: () => void }> {
  const r = opts.remote!;
  const [{ RemoteSource }, { readAuthFile }, { hostname }] = await Promise.all([import('../server/client.js'), import('../server/auth.js'), import('node:os')]);
  const secret = r.authFile ? readAuthFile(r.authFile) : null;
  const tls = r.tlsCa || r.tlsFingerprint ? { ca: r.tlsCa ? readFileSync(r.tlsCa) : undefined, fingerprint: r.tlsFingerprint } : null;
  const mark = opts.dumpFilter.mark !== undefined ? [{ mark: opts.dumpFilter.mark, mask: opts.dumpFilter.markMask }] : undefined;
  const filter = {
    ...(opts.filter.families?.length ? { families: [...opts.filter.families] } : {}),
    ...(opts.filter.protoNums?.size ? { protocols: [...opts.filter.protoNums] } : {}),
    ...(mark ? { marks: mark } : {}),
    ...(opts.dumpFilter.zone !== undefined ? { zones: [opts.dumpFilter.zone] } : {}),
  };
  return () => {
    const source = new RemoteSource({
      host: r.host, port: r.port, name: hostname(), software: `conntop ${version()}`, secret, tls, filter,
      log: (m) => process.stderr.write(`conntop: ${m}\n`),
    });
    return { source, finish: () => source.close() };
  };
}
