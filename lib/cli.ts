#!/usr/bin/env node
// lib/ layer: the composition root and the `conntop` executable. It may import everything and nothing
// imports it; it is the only place that sets the exit code (house style §2). Bad options exit 2 with a
// one-line reason; runtime failures exit 1 with a message that says how to fix them.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fullCollector, tuneHeap } from './heap.js';
import { openEnricher, openSource, prepareSysctls, runEvents, VIEW_SLICE_MS, VIEW_TICK_STEP_ROWS, type Io, type RunOptions } from './modes.js';
import { watchPipeReader } from './pipe-reader.js';
import { runOnce } from './once.js';
import { Session } from './session.js';
import { FlowTable } from './flow-table.js';
import { basename } from 'node:path';
import { readlinkSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { explain } from './errors.js';
import { LineWriter } from './output.js';
import { sharedSysctlGuard } from './sysctl.js';
import { DEFAULT_CREDITS } from './enrich/geoip-sources.js';
import type { RemoteTarget } from './modes.js';
import type { FlowSource } from './source.js';
import {
  MAX_INTERVAL_SEC, MAX_ZONE, SPEED_LIMITS, countArg, dnsWanted, markArg, metricsArg, pathArg, rcvbufArg, secondsArg, speedArg, zoneArg,
} from './option-values.js';
import { TABLE_LEGEND } from './text-table.js';
import { completionScript, conntopManPage } from './manual-cli.js';
import { SHELLS, type Shell } from './manual.js';
import { FILTER_HELP } from './filter-help.js';
import { KEYMAP, keyLabel } from '../tui/keymap.js';
import { MultiSource, hostTagger, statusText, versionCounter } from './multi-source.js';
import { formatCount } from './format.js';

const PROTOS: Record<string, number[]> = { T: [6], U: [17, 136], D: [33], I: [1, 58], S: [132], gre: [47] };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Builds the command-line parser; help and version text go to `writeOut`. */
function buildProgram(writeOut: (text: string) => void): Command {
  const p = new Command('conntop')
    .description('A live monitor of the Linux connection-tracking table (talks ctnetlink itself).')
    .version(version(), '-V, --version')
    .option('--once', 'print the conntrack table once and exit')
    .option('--json', 'with --once: one JSON object per flow per line')
    .option('--wide', 'with --once: no width limit on the text table (else the terminal width, or 80 columns)')
    .option('--enrich', 'with --once --json and --events: add an "enrich" object (service, direction, GeoIP, reverse DNS, process)')
    .option('-b, --batch', 'stream one JSON line per change (new, update, destroy, resync, stats)')
    .option('--events', 'the same as --batch')
    .addOption(new Option('-d, --delay <seconds>', `refresh interval, at most ${MAX_INTERVAL_SEC} (fractions allowed)`).argParser(secondsArg).default(1))
    .addOption(new Option('--interval <seconds>', 'the same as --delay').argParser(secondsArg))
    .option('-4, --ipv4', 'IPv4 flows (dumped per family by the kernel)')
    .option('-6, --ipv6', 'IPv6 flows')
    .option('-T, --tcp', 'TCP flows')
    .option('-U, --udp', 'UDP and UDP-Lite flows')
    .option('-D, --dccp', 'DCCP flows')
    .option('-I, --icmp', 'ICMP and ICMPv6 flows')
    .option('-S, --sctp', 'SCTP flows')
    .option('--gre', 'GRE flows')
    .option('--all', 'every protocol (the default when no protocol letter is given)')
    .addOption(new Option('--mark <mark[/mask]>', 'only flows whose mark matches, 32-bit, decimal or 0x hex (filtered by the kernel)').argParser(markArg))
    .addOption(new Option('--zone <zone>', `only flows in this conntrack zone, 0-${MAX_ZONE} (filtered by the kernel, 6.8+)`).argParser(zoneArg))
    .addOption(new Option('--record <file>', 'save every netlink datagram sent and received to a pcap file (LINKTYPE_NETLINK)').argParser(pathArg))
    .addOption(new Option('--replay <file>', 'run from a capture made with --record: no kernel, no root needed').argParser(pathArg))
    .addOption(new Option('--speed <factor|max>', `replay speed, ${SPEED_LIMITS.min}-${SPEED_LIMITS.max}: 1 = as recorded, 'max' = as fast as possible`).argParser(speedArg).default(1, '1'))
    .addOption(new Option('--linger <seconds>', `keep closed flows this long (ghost rows), at most ${MAX_INTERVAL_SEC}`).argParser(secondsArg).default(5))
    .addOption(new Option('--rcvbuf <bytes>', 'receive buffer to ask for on the event socket, up to 1 GiB').argParser(rcvbufArg).default(64 * 1024 * 1024, '64 MiB'))
    .option('--no-sysctl', 'leave nf_conntrack_acct, _timestamp and _events as they are')
    .option('--dns', 'reverse DNS names (the default, but for --replay: a capture\'s addresses are looked up only when asked)')
    .option('-n, --no-dns', 'no reverse DNS')
    .option('--no-geoip', 'no GeoIP lookups')
    .addOption(new Option('--geoip-dir <dir>', 'look for MaxMind databases here first').argParser(pathArg))
    .option('--no-services', 'show port numbers, not service names')
    .option('-P, --no-servname', 'the same as --no-services')
    .option('--no-processes', 'do not look up the process behind local flows')
    .option('--no-mouse', 'interactive view: no mouse (clicks and the wheel go to the terminal)')
    .addOption(new Option('--metrics <address:port>', 'interactive view: serve Prometheus metrics of the table at http://ADDRESS:PORT/metrics (loopback when the address is left out)').argParser(metricsArg))
    .addOption(new Option('--iterations <n>', 'stop after N refreshes (for scripts and tests)').argParser(countArg))
    .addOption(new Option('--completion <shell>', 'print a completion script for bash, zsh or fish, and exit').choices(SHELLS))
    .addOption(new Option('--manual', 'print the manual page conntop(1) as roff, and exit').hideHelp())
    .addHelpText('after', `\n${TABLE_LEGEND}\n\nWithout your own MaxMind databases, GeoIP uses embedded data:\n  ${DEFAULT_CREDITS.country}\n  ${DEFAULT_CREDITS.asn}`)
    .exitOverride()
    .configureOutput({ outputError: () => undefined, writeOut });
  addClientServerOptions(p);
  return p;
}

/**
 * Refuses options that would be ignored or contradict each other, rather than accepting them silently.
 * `given(key)` is true when the user typed the option (not its default). Throws CommanderError exit 2.
 */
function refuseConflicts(o: Record<string, unknown>, given: (key: string) => boolean): void {
  const events = Boolean(o.batch || o.events);
  const rules: [boolean, string][] = [
    [Boolean(o.once) && events, '--once and --events are two modes: pick one'],
    [Boolean(o.json) && !o.once, '--json goes with --once (use --events for a stream)'],
    [Boolean(o.enrich) && Boolean(o.once) && !o.json, '--enrich adds an "enrich" object to JSON output (--once --json, --events); the text table shows it already'],
    [o.record !== undefined && o.replay !== undefined, '--record and --replay cannot be combined: a replay talks to no kernel (copy the capture instead)'],
    [given('speed') && o.replay === undefined, '--speed paces a --replay; give --replay FILE'],
    [o.replay !== undefined && (o.mark !== undefined || o.zone !== undefined), '--mark and --zone are filters the kernel applies while dumping; a replay shows what was recorded'],
    [given('delay') && o.interval !== undefined, '--delay and --interval are the same option: give one'],
    [Boolean(o.once) && (given('delay') || o.interval !== undefined), '--delay sets the refresh interval of --events; --once dumps once'],
    [Boolean(o.once) && o.iterations !== undefined, '--iterations counts the refreshes of --events; --once dumps once'],
    [Boolean(o.once) && given('linger'), '--linger keeps closed flows in the live table; --once has none'],
    [events && given('linger'), '--linger keeps closed flows as ghost rows of the interactive view; --events writes a close once, as its destroy line'],
    [given('rcvbuf') && (Boolean(o.once) || o.replay !== undefined), '--rcvbuf sizes the event socket of a live --events run; --once and --replay open none'],
    [o.geoipDir !== undefined && o.geoip === false, '--geoip-dir names databases that --no-geoip turns off: give one'],
    [Boolean(o.wide) && (Boolean(o.json) || events), '--wide widens the --once text table; JSON lines have no width'],
    [o.metrics !== undefined && (Boolean(o.once) || events), '--metrics serves the interactive view\'s table (conntopd has its own); --once and --events keep no endpoint'],
  ];
  for (const [bad, why] of rules) if (bad) throw new CommanderError(2, 'conntop.usage', why);
}

/** Parses argv into run options; throws CommanderError for bad usage, and after help or version text. */
export function parseOptions(argv: string[], writeOut: (text: string) => void): RunOptions {
  const p = buildProgram(writeOut);
  p.parse(argv, { from: 'user' });
  const o = p.opts();
  // The manual and the completions come from this program's own definitions, so they never disagree with --help.
  if (o.manual || o.completion) {
    writeOut(o.manual ? conntopManPage(p, version(), process.env, KEYMAP.map((b) => ({ mode: b.mode, keys: b.keys.map(keyLabel), help: b.help })), FILTER_HELP) : completionScript(p, o.completion as Shell));
    throw new CommanderError(0, 'commander.helpDisplayed', '(manual)');
  }
  const protoNums = new Set<number>();
  if (!o.all) for (const [k, nums] of Object.entries(PROTOS)) {
    const key = k === 'T' ? 'tcp' : k === 'U' ? 'udp' : k === 'D' ? 'dccp' : k === 'I' ? 'icmp' : k === 'S' ? 'sctp' : 'gre';
    if (o[key]) nums.forEach((n) => protoNums.add(n));
  }
  const families: ('ipv4' | 'ipv6')[] = [];
  if (o.ipv4) families.push('ipv4');
  if (o.ipv6) families.push('ipv6');
  refuseConflicts(o, (key) => p.getOptionValueSource(key) === 'cli');
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
    dns: dnsWanted(o.dns as boolean | undefined, o.replay !== undefined),
    geoip: o.geoip as boolean,
    geoipDir: o.geoipDir as string | undefined,
    services: (o.services as boolean) && (o.servname as boolean),
    processes: o.processes as boolean,
    iterations: o.iterations as number | undefined,
    mouse: o.mouse as boolean,
    metrics: o.metrics as { host: string; port: number } | undefined,
    wide: Boolean(o.wide),
    ...remoteOptions(o),
  };
}

/** Prints help or version text: a closed pipe (`| head -1`) ends quietly with 0, a write error exits 1. */
async function printText(text: string): Promise<number> {
  const out = new LineWriter(process.stdout);
  out.line(text.replace(/\n$/, ''));
  try {
    await out.finish();
    return 0;
  } catch (e) {
    process.stderr.write(`conntop: ${explain(e)}\n`);
    return 1;
  }
}

/** What main decided: the exit status, and whether to leave at once (a signal: pending writes to a stuck reader must not keep Node alive). */
interface Outcome {
  code: number;
  now: boolean;
}

async function main(argv: string[]): Promise<Outcome> {
  // conntop --server is conntopd (conntop 1.0's -s): loaded only when asked, with its own options.
  const serverFlag = argv.findIndex((a) => a === '-s' || a === '--server');
  if (serverFlag >= 0) {
    const { serverMain } = await import('./conntopd.js');
    return { code: await serverMain([...argv.slice(0, serverFlag), ...argv.slice(serverFlag + 1)], 'conntop --server'), now: false };
  }
  tuneHeap(setFlagsFromString);
  let opts: RunOptions;
  let text = '';
  try {
    opts = parseOptions(argv, (s) => (text += s));
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { code: await printText(text), now: false };
      process.stderr.write(`conntop: ${e.message.replace(/^error: /, '')}\nTry 'conntop --help'.\n`);
      return { code: 2, now: false };
    }
    throw e;
  }
  const sysctls = sharedSysctlGuard(process.env);
  // The interactive view's terminal restore (alternate screen, cursor, raw mode); set while the screen is open.
  const screen: { restore: (() => void) | null } = { restore: null };
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      // A second signal: the user insists. Restore and leave now.
      screen.restore?.();
      sysctls.restore();
      process.exit(128 + (SIGNALS[sig] ?? 1));
    }
    signalled = sig;
    abort.abort();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  // A crash must not leave the host's sysctls changed.
  process.on('uncaughtException', (e) => {
    screen.restore?.();
    sysctls.restore();
    // A write failure thrown from a socket callback (a --record capture filling its disk) is no bug: one line.
    const expected = e.name === 'CaptureFileError' || e.name === 'OutputError';
    process.stderr.write(`conntop: ${expected ? explain(e) : `internal error: ${e.stack ?? e.message}`}\n`);
    process.exit(1);
  });
  const io = {
    stdout: process.stdout, stderr: process.stderr, env: process.env, sysctls, signal: abort.signal,
    openRemote: opts.remote ? await remoteOpener(opts) : undefined,
    watchReader: (onGone: () => void) => watchPipeReader(1, onGone),
    released: opts.mode === 'events' ? fullCollector(setFlagsFromString, (code) => runInNewContext(code), Date.now) : undefined,
  };
  let code: number;
  try {
    if (opts.mode === 'once') code = await runOnce(opts, io);
    else if (opts.mode === 'events') code = await runEvents(opts, io);
    else code = await runInteractive(opts, io, screen);
  } catch (e) {
    screen.restore?.();
    process.stderr.write(`conntop: ${explain(e)}\n`);
    code = 1;
  } finally {
    screen.restore?.();
    sysctls.restore();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
  }
  return signalled ? { code: 128 + (SIGNALS[signalled] ?? 1), now: true } : { code, now: false };
}

// ---- The interactive view (`conntop`, `conntop --replay FILE`): the session plus the screen. ----

/**
 * Where the flows come from, for the header: the replay file, the server, each server's state and flows
 * (several -c, read at every frame), or this host and its network namespace.
 */
function sourceLabel(opts: RunOptions, source: FlowSource): string | (() => string) {
  if (opts.replay) return `replay ${basename(opts.replay)}`;
  if (source instanceof MultiSource) return () => statusText(source.status(), formatCount);
  if (opts.remote) {
    const { host, port } = opts.remote;
    return `server ${host.includes(':') ? `[${host}]` : host}:${port}${opts.remote.tlsCa || opts.remote.tlsFingerprint ? ' (TLS)' : ''}`;
  }
  let ns = '';
  try {
    ns = ` ${readlinkSync('/proc/self/ns/net')}`;
  } catch {
    // No /proc: the namespace is simply not shown.
  }
  return `this host${ns}`;
}

/** Runs the interactive view until quit or a signal; `screen.restore` is set while the terminal is taken. */
async function runInteractive(opts: RunOptions, io: Io, screen: { restore: (() => void) | null }): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('conntop: the interactive view needs a terminal; use --once (a table), --once --json or --events (JSON lines)\n');
    return 2;
  }
  // Loaded on demand: terminal-kit and the view cost start-up time and memory that --once and --events do not need.
  // The settings file too (its reader pulls in the filter parser).
  const [{ runApp }, { compileViewFilter }, { groupForView }, { settingsFromView, viewFromSettings }, { openScreen }, { DEFAULT_COLUMNS }, { loadSettings, nodeSettingsIo, saveSettings }] = await Promise.all([
    import('../tui/app.js'), import('../tui/filter.js'), import('../tui/grouping.js'), import('../tui/settings-map.js'), import('../tui/terminal.js'),
    import('../tui/columns.js'), import('./settings.js'),
  ]);
  const notes: string[] = [];
  // Warnings while the screen is up go to the status line, never into the screen's cells.
  const warnSink = new Writable({ write(chunk, _enc, cb) { notes.push(String(chunk).trim().replace(/^conntop: /, '')); cb(); } });
  const table = new FlowTable({ lingerMs: opts.lingerSec * 1000, trackChanges: true });
  // The sockets before the sysctls: without the privilege for them, their error comes first and alone. With
  // --connect, a server's client source; its connection notes reach the status line as session notices.
  const { source, finish, record } = io.openRemote?.() ?? openSource(opts, true, { stderr: warnSink }, VIEW_SLICE_MS);
  prepareSysctls(opts, io);
  const en = await openEnricher(opts, { ...io, stderr: warnSink }, record, source);
  const quit = new AbortController();
  const stop = (): void => quit.abort();
  io.signal.addEventListener('abort', stop);
  const session = new Session({
    source, table, intervalMs: opts.delaySec * 1000, iterations: opts.iterations, signal: quit.signal,
    warn: (m) => notes.push(m), enricher: en?.enricher ?? null, tickStepRows: VIEW_TICK_STEP_ROWS,
  });
  if (opts.metrics) {
    const { ConntopMetrics, serveMetrics } = await import('./metrics.js');
    const metrics = new ConntopMetrics({ stats: () => table.stats(), health: () => source.health, forEachFlow: (fn) => table.snapshot().forEach(fn) });
    const http = await serveMetrics(metrics, opts.metrics);
    quit.signal.addEventListener('abort', () => http.close(), { once: true });
  }
  // Settings: read once before the screen opens; saves are serialised (one at a time, in order).
  const settingsIo = nodeSettingsIo();
  const loaded = await loadSettings(io.env, settingsIo);
  notes.push(...loaded.warnings);
  let saving = Promise.resolve();
  // Several servers: the SERVER column is shown (first) unless the saved columns have it; it is not saved.
  const addServer = (opts.remotes?.length ?? 0) > 1 && !loaded.settings.columns?.some((c) => c.id === 'server');
  const settings = {
    load: () => {
      const v = viewFromSettings(loaded.settings);
      if (addServer) v.columns = ['server', ...(v.columns ?? DEFAULT_COLUMNS)];
      return v;
    },
    save: (v: Parameters<typeof settingsFromView>[0]): void => {
      if (loaded.readOnly) return;
      const s = settingsFromView(v);
      if (addServer && s.columns) s.columns = s.columns.filter((c) => c.id !== 'server');
      saving = saving.then(() => saveSettings(s, io.env, settingsIo)).then((r) => { if (!r.ok) notes.push(r.message); }, () => undefined);
    },
  };
  const term = openScreen({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: io.env, mouse: opts.mouse !== false });
  let frames = 0;
  screen.restore = term.restore;
  try {
    await runApp({
      session, screen: term, settings, env: io.env, sourceLabel: sourceLabel(opts, source),
      compileFilter: compileViewFilter, group: groupForView, now: () => performance.now(), quit: stop, mouse: opts.mouse !== false,
      onFrame: (g, view) => {
        if (notes.length > 0 && !view.status) view.status = notes[notes.length - 1];
        // Tests and benchmarks may ask for the last frame's text in a file (never written into the screen).
        if (io.env.CONNTOP_TUI_FRAME) writeFileSync(io.env.CONNTOP_TUI_FRAME, `${JSON.stringify({ frame: ++frames, loading: view.loading, rows: view.shownRows().length, mode: view.mode })}\n${g.text().join('\n')}\n`);
      },
    });
  } finally {
    term.restore();
    screen.restore = null;
    await saving; // the last save completes before exit
    io.signal.removeEventListener('abort', stop);
    en?.enricher.close();
    finish();
  }
  return 0;
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

// ---- client-server mode (issue 11): conntop --server runs conntopd; -c/--connect follows a server ----

/** Adds the client-server options to the parser (conntop 1.0's -s, -c and -p). */
function addClientServerOptions(p: Command): void {
  p.option('-s, --server', 'run the server (the same as conntopd; `conntop --server --help` lists its options)')
    .addOption(new Option('-c, --connect <host[:port]>', 'follow a conntop server instead of the kernel (repeatable: several servers in one table, with a SERVER column)').argParser((v, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('-p, --port <port>', 'the server port when --connect gives none').argParser(portArg).default(55555))
    .option('--auth-file <file>', 'with --connect: the shared secret of the server (mode 0600)')
    .option('--tls-ca <file>', 'with --connect: use TLS and trust the server certificate signed by this PEM CA')
    .option('--tls-fingerprint <sha256>', 'with --connect: use TLS and accept only the certificate with this SHA-256 fingerprint');
}

/** A TCP port, 1-65535. */
function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

/** HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address. */
export function parseHostPort(v: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? (v.split(':').length === 2 ? /^([^:]+):(\d+)$/.exec(v) : null);
  const host = m ? m[1] : v;
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`expected HOST[:PORT], got ${v}`);
  return { host, port };
}

function remoteOptions(o: Record<string, unknown>): { remote?: RemoteTarget; remotes?: RemoteTarget[]; processes?: false } {
  const connect = o.connect as string[] | undefined;
  if (!connect) {
    if (o.authFile || o.tlsCa || o.tlsFingerprint) throw new CommanderError(2, 'conntop.usage', '--auth-file, --tls-ca and --tls-fingerprint go with --connect');
    return {};
  }
  if (o.record || o.replay) throw new CommanderError(2, 'conntop.usage', '--connect does not go with --record or --replay');
  let targets: { host: string; port: number }[];
  try {
    targets = connect.map((c) => parseHostPort(c, o.port as number));
  } catch (e) {
    throw new CommanderError(2, 'conntop.usage', (e as Error).message);
  }
  const seen = new Set(targets.map((x) => `${x.host}|${x.port}`));
  if (seen.size < targets.length) throw new CommanderError(2, 'conntop.usage', 'the same server is given twice to --connect');
  // One secret and one way to trust TLS for every server. Process information exists on the servers only.
  const remotes = targets.map((x) => ({ ...x, authFile: o.authFile as string | undefined, tlsCa: o.tlsCa as string | undefined, tlsFingerprint: o.tlsFingerprint as string | undefined }));
  return { remote: remotes[0], remotes, processes: false };
}

/**
 * The --connect source factory: server/client.ts is loaded only for --connect. With several servers, one
 * RemoteSource each (flows tagged with their server, one version counter, retrying a server that is down at
 * start) merged by lib/multi-source.ts.
 */
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
  const make = (x: RemoteTarget, more?: Partial<import('../server/client.js').RemoteOptions>) =>
    new RemoteSource({ host: x.host, port: x.port, name: hostname(), software: `conntop ${version()}`, secret, tls, filter, ...more });
  const all = opts.remotes ?? [r];
  if (all.length === 1) {
    return () => {
      const source = make(r);
      return { source, finish: () => source.close() };
    };
  }
  return () => {
    const tagger = hostTagger();
    const nextVersion = versionCounter();
    const source = new MultiSource(all.map((x) => {
      const label = hostPortText(x);
      return { label, source: make(x, { tag: tagger(label), nextVersion, keepTrying: true }) };
    }));
    return { source, finish: () => source.close() };
  };
}

/** HOST:PORT, [IPv6]:PORT. */
function hostPortText(x: { host: string; port: number }): string {
  return `${x.host.includes(':') ? `[${x.host}]` : x.host}:${x.port}`;
}
