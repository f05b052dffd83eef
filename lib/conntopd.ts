#!/usr/bin/env node
// lib/ layer: the second composition root and the `conntopd` executable (also `conntop --server`): the
// kernel (or a capture), the live table and the server, with no view, GeoIP, DNS or other client-side module
// (test/lib/conntopd.test.ts checks the modules it loads). Besides lib/cli.ts, the only lib file that may
// import server/ (test/import-rules.test.ts). Exit codes: 2 for bad options, 1 for runtime failures.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { explain } from './errors.js';
import { FlowTable } from './flow-table.js';
import { fullCollector, tuneHeap } from './heap.js';
import { openSource, prepareSysctls, type Io, type RunOptions } from './modes.js';
import { serveLoop } from './serve-loop.js';
import { sharedSysctlGuard } from './sysctl.js';
import type { SourceHealth } from './source.js';
import { metricsArg } from './option-values.js';
import { CHILD_ENV, childSide, lookupUser, readForChild, runRootParent, type ChildInit, type UserIds } from './conntopd-user.js';
import { readAuthFile } from '../server/auth.js';
import { ConntopServer, type ListenAddress } from '../server/server.js';

/** The default port, as conntop 1.0's. */
export const DEFAULT_PORT = 55555;

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}
function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}
function ipLiteral(v: string): string {
  const a = v.replace(/^\[(.*)\]$/, '$1');
  if (!/^[\d.]+$/.test(a) && !/^[0-9a-fA-F:.]+$/.test(a)) throw new InvalidArgumentError('expected a numeric IPv4 or IPv6 address');
  return a;
}

/** What conntopd's command line decides. */
export interface ServeOptions {
  listen: string[];
  listenAny: boolean;
  port: number;
  name: string;
  authFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  delaySec: number;
  replay?: string;
  speed: number;
  sysctl: boolean;
  rcvbufBytes: number;
  iterations?: number;
  maxClients: number;
  /** 1.0 clients (protocol version 1) accepted on the same port. */
  v1: boolean;
  /** With no client: no dumps, no events, sysctls restored (conntop 1.0's to-do "sleep mode"). */
  sleep: boolean;
  /** `--metrics ADDRESS:PORT`: a Prometheus endpoint, with the server's secret and TLS. */
  metrics?: { host: string; port: number };
  /** `--share-processes`: look up each flow's local process and send it to clients (else none leaves the server). */
  shareProcesses: boolean;
  /** `--user USER`: serve from a child running as USER; the root process keeps only the netlink sockets and sysctls. */
  user?: string;
}

function buildProgram(name: string): Command {
  return new Command(name)
    .description('The conntop server: follows the conntrack table and serves it to `conntop --connect` clients.')
    .addOption(new Option('-l, --listen <address>', 'listen on this numeric IPv4 or IPv6 address (repeatable; default 127.0.0.1 and ::1)').argParser((v, prev: string[] = []) => [...prev, ipLiteral(v)]))
    .option('--listen-any', 'listen on every address (IPv4 and IPv6)')
    .addOption(new Option('-p, --port <port>', 'TCP port').argParser(port).default(DEFAULT_PORT))
    .addOption(new Option('-N, --name <name>', 'this server\'s name in hellos').default(hostname(), 'the host name'))
    .option('--auth-file <file>', 'require clients to prove they know the secret in FILE (mode 0600)')
    .option('--tls-cert <file>', 'serve TLS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .addOption(new Option('-d, --delay <seconds>', 'refresh interval').argParser(seconds).default(1))
    .addOption(new Option('--max-clients <n>', 'connections accepted at once').argParser(port).default(256))
    .option('--no-v1', 'refuse conntop 1.0 clients (protocol version 1)')
    .option('--no-sleep', 'keep following the kernel with no client connected (default: sleep, and wake on the next client)')
    .option('--user <user>', 'serve as USER (a name or uid): a root process keeps only the netlink sockets and the sysctls, and relays the kernel\'s data to the server running as USER (ports below 1024 are refused)')
    .option('--share-processes', 'send clients the process behind each flow\'s local end (name, PID, user, command line); without it no process information leaves the server')
    .option('--replay <file>', 'serve a capture made with --record instead of the kernel')
    .addOption(new Option('--speed <factor>', 'replay speed').argParser(seconds).default(1))
    .option('--no-sysctl', 'leave nf_conntrack_acct, _timestamp and _events as they are')
    .addOption(new Option('--rcvbuf <bytes>', 'receive buffer of the event socket').argParser(Number).default(64 * 1024 * 1024, '64 MiB'))
    .addOption(new Option('--iterations <n>', 'stop after N refreshes (for tests)').argParser(port))
    .addOption(new Option('--metrics <address:port>', 'serve Prometheus metrics at http(s)://ADDRESS:PORT/metrics (loopback when the address is left out; the same secret, as a bearer token, and TLS as the server)').argParser(metricsArg))
    .addOption(new Option('--manual', 'print the manual page conntopd(8) as roff, and exit').hideHelp())
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

/** Parses conntopd's argv; throws CommanderError for bad usage. */
export function parseServeOptions(argv: string[], name = 'conntopd'): ServeOptions {
  const p = buildProgram(name);
  p.parse(argv, { from: 'user' });
  const o = p.opts();
  if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new CommanderError(2, 'conntopd.usage', '--tls-cert and --tls-key go together');
  if (o.shareProcesses && o.replay) throw new CommanderError(2, 'conntopd.usage', '--share-processes looks up live sockets; a --replay capture has none');
  if (o.user && o.replay) throw new CommanderError(2, 'conntopd.usage', '--user drops root, which a --replay never needs: run it as that user');
  if (o.user && o.port > 0 && o.port < 1024) throw new CommanderError(2, 'conntopd.usage', `--user serves from an unprivileged process, which cannot listen on port ${o.port} (below 1024)`);
  return {
    listen: (o.listen as string[] | undefined) ?? [], listenAny: Boolean(o.listenAny), port: o.port as number, name: o.name as string,
    authFile: o.authFile as string | undefined, tlsCert: o.tlsCert as string | undefined, tlsKey: o.tlsKey as string | undefined,
    delaySec: o.delay as number, replay: o.replay as string | undefined, speed: o.speed as number, sysctl: o.sysctl as boolean,
    rcvbufBytes: o.rcvbuf as number, iterations: o.iterations as number | undefined, maxClients: o.maxClients as number, v1: o.v1 as boolean, sleep: o.sleep as boolean,
    metrics: o.metrics as { host: string; port: number } | undefined, shareProcesses: Boolean(o.shareProcesses), user: o.user as string | undefined,
  };
}

/** The addresses to listen on: the given ones, every address, or loopback (127.0.0.1 and ::1). */
export function listenAddresses(o: ServeOptions): ListenAddress[] {
  if (o.listenAny) return [{ host: '::', port: o.port }]; // dual stack: IPv4 too, as ::ffff:a.b.c.d
  if (o.listen.length > 0) return o.listen.map((host) => ({ host, port: o.port }));
  return [{ host: '127.0.0.1', port: o.port }, { host: '::1', port: o.port, optional: true }];
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1';
}

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs the server until the signal aborts it (or --iterations refreshes); returns the exit code. `pre`: the
 * secret and TLS files as the root read them (`--user`: the child may not be allowed to read them).
 */
export async function serve(o: ServeOptions, io: Io, pre?: ChildInit): Promise<number> {
  const log = (m: string): void => void io.stderr.write(`conntopd: ${m}\n`);
  const given = pre ?? readForChild(o, readAuthFile);
  const secret = given.secret ? Buffer.from(given.secret) : null;
  const tls = given.tls ? { cert: Buffer.from(given.tls.cert), key: Buffer.from(given.tls.key) } : null;
  const addrs = listenAddresses(o);
  if (!secret && addrs.some((a) => !isLoopback(a.host))) log('warning: listening beyond loopback without --auth-file: anyone who can reach the port sees every connection of this host');
  const runOpts: RunOptions = {
    mode: 'events', json: true, enrich: false, delaySec: o.delaySec, filter: { families: [], protoNums: new Set() }, dumpFilter: {},
    replay: o.replay, speed: o.speed, lingerSec: 0, rcvbufBytes: o.rcvbufBytes, sysctl: o.sysctl, dns: false, geoip: false,
    services: false, processes: false, iterations: o.iterations,
  };
  // No ghosts: a closed flow is sent once as a destroy; clients keep their own ghosts.
  const table = new FlowTable({ lingerMs: 0, maxClosed: 0, trackChanges: true });
  const released = fullCollector(setFlagsFromString, (code) => runInNewContext(code), Date.now);
  const server = new ConntopServer({
    table, name: o.name.slice(0, 256), software: `conntop ${version()}`, secret, tls, intervalMs: o.delaySec * 1000,
    // Asleep, the loop collects once the table is emptied too; with --no-sleep the table stays, and the
    // server collects what it built for its clients when the last one leaves.
    maxClients: o.maxClients, v1: o.v1, log, shareProcesses: o.shareProcesses, released: o.sleep ? undefined : released,
  });
  // Loaded only with --share-processes: without it conntopd loads no enrichment module (test/lib/conntopd.test.ts).
  const processes = o.shareProcesses ? await openProcessShare(server) : undefined;
  try {
    const bound = await server.listen(addrs);
    for (const a of bound) log(`listening on ${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}${tls ? ' (TLS)' : ''}${secret ? ' (authentication required)' : ''}`);
    // The Prometheus endpoint reads the table at scrape time; health is the current source's (none while asleep).
    let health: () => SourceHealth = () => ({ badMessages: 0, unknownAttrs: 0, lastProblem: null });
    if (o.metrics) {
      const { ConntopMetrics, serveMetrics } = await import('./metrics.js');
      const metrics = new ConntopMetrics({
        stats: () => table.stats(), health: () => health(), clients: () => server.clientCount,
        forEachFlow: (fn) => table.snapshot().forEach(fn),
      });
      const http = await serveMetrics(metrics, { ...o.metrics, secret: secret ?? undefined, tls: tls ?? undefined });
      log(`metrics on ${tls ? 'https' : 'http'}://${o.metrics.host.includes(':') ? `[${o.metrics.host}]` : o.metrics.host}:${o.metrics.port}/metrics`);
      io.signal.addEventListener('abort', () => http.close(), { once: true });
    }
    let firstWake = true;
    await serveLoop({
      table, server, intervalMs: o.delaySec * 1000, sleepWhenIdle: o.sleep, iterations: o.iterations, signal: io.signal, log, processes, released,
      open: () => {
        const { source, finish } = openSource(runOpts, true, io);
        health = () => source.health;
        return { source, finish };
      },
      sysctlsOn: () => {
        // Warnings and notes once; later wakes set the same sysctls again.
        if (firstWake) prepareSysctls(runOpts, io);
        else if (o.sysctl && !o.replay) io.sysctls.enableMonitoring();
        firstWake = false;
      },
      sysctlsOff: () => io.sysctls.restore(),
    });
  } finally {
    processes?.close();
    await server.close();
  }
  return 0;
}

/** The process lookup of --share-processes: sock_diag (lib/kernel/) and /proc, as the view's PROCESS column. */
async function openProcessShare(server: ConntopServer): Promise<import('./process-share.js').ProcessShare> {
  const [{ ProcessShare }, { ProcessAttributor }, { LocalAddresses }, { SockDiagLookup }, fs, { networkInterfaces }] = await Promise.all([
    import('./process-share.js'), import('./enrich/processes.js'), import('./enrich/addr-class.js'), import('./kernel/index.js'),
    import('node:fs/promises'), import('node:os'),
  ]);
  const sockets = new SockDiagLookup();
  const attributor = new ProcessAttributor({
    sockets, now: () => performance.now(), readPasswd: () => fs.readFile('/etc/passwd', 'utf8'),
    fs: { readdir: fs.readdir, readlink: fs.readlink, readFile: (p) => fs.readFile(p, 'utf8') },
  });
  const share = new ProcessShare({
    attributor: { attribute: (b) => attributor.attribute(b), close: () => { attributor.close(); sockets.close(); } },
    local: new LocalAddresses(networkInterfaces), now: () => performance.now(), found: (labels) => server.processes(labels),
  });
  return share;
}

/** conntopd's main: parses argv, runs the server with signals wired to an abort; returns the exit code. */
export async function serverMain(argv: string[], name = 'conntopd'): Promise<number> {
  tuneHeap(setFlagsFromString);
  if (argv.includes('--manual')) {
    // From this program's own definitions, so that the page never disagrees with --help.
    const { conntopdManPage } = await import('./manual-cli.js');
    process.stdout.write(conntopdManPage(buildProgram('conntopd'), version(), process.env));
    return 0;
  }
  let o: ServeOptions;
  try {
    o = parseServeOptions(argv, name);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      process.stderr.write(`${name}: ${e.message.replace(/^error: /, '')}\nTry '${name} --help'.\n`);
      return 2;
    }
    throw e;
  }
  if (o.user) return o.user !== undefined && process.env[CHILD_ENV] === 'child' && process.send ? runChild(o) : runParent(argv, o, name);
  // Shared with every conntop in this network namespace: the last one to leave restores the sysctls.
  const sysctls = sharedSysctlGuard(process.env);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  try {
    return await serve(o, { stdout: process.stdout, stderr: process.stderr, env: process.env, sysctls, signal: abort.signal });
  } catch (e) {
    process.stderr.write(`${name}: ${(e as { code?: string }).code === 'EADDRINUSE' ? `${(e as Error).message}: another server uses this port (-p PORT)` : explain(e)}\n`);
    return 1;
  } finally {
    sysctls.restore();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
  }
}

/** `--user`, the root side: checks, reads what the child may not, forks it as USER and relays for it. */
async function runParent(argv: string[], o: ServeOptions, name: string): Promise<number> {
  const fail = (m: string, code: number): number => (process.stderr.write(`${name}: ${m}\n`), code);
  if (process.getuid?.() !== 0) return fail('--user drops root privileges: run as root', 2);
  let user: UserIds | null;
  let init: ChildInit;
  try {
    user = lookupUser(o.user!, readFileSync('/etc/passwd', 'utf8'));
    init = readForChild(o, readAuthFile);
  } catch (e) {
    return fail(explain(e), 1);
  }
  if (!user) return fail(`--user ${o.user}: no such user in /etc/passwd`, 2);
  if (user.uid === 0) return fail(`--user ${o.user} is root: nothing would be dropped`, 2);
  const sysctls = sharedSysctlGuard(process.env);
  try {
    return await runRootParent({
      script: fileURLToPath(import.meta.url), argv, user, init, sysctls, env: process.env,
      log: (m) => void process.stderr.write(`conntopd: ${m}\n`),
    });
  } finally {
    sysctls.restore();
  }
}

/** `--user`, the child: running as USER, its sockets and sysctls relayed by the root; ends with the root too. */
async function runChild(o: ServeOptions): Promise<number> {
  const channel = process as unknown as Parameters<typeof childSide>[0];
  const { init, openSocket, sysctls } = await childSide(channel);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  process.once('disconnect', onSignal); // the root went away: nothing can be dumped any more
  try {
    return await serve(o, { stdout: process.stdout, stderr: process.stderr, env: process.env, sysctls, signal: abort.signal, openSocket }, init);
  } catch (e) {
    process.stderr.write(`conntopd: ${(e as { code?: string }).code === 'EADDRINUSE' ? `${(e as Error).message}: another server uses this port (-p PORT)` : explain(e)}\n`);
    return 1;
  } finally {
    sysctls.restore();
    process.disconnect?.();
  }
}

/** True when this module is the process's entry point (conntopd), not imported by cli.ts for --server. */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  serverMain(process.argv.slice(2)).then(
    (code) => (process.exitCode ??= code),
    (e: unknown) => {
      process.stderr.write(`conntopd: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
