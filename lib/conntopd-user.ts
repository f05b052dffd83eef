// lib/ layer: `conntopd --user USER`, privilege separation (as tcpdump -Z, but keeping what the kernel checks
// on every request). The root process keeps the netlink sockets (nfnetlink checks CAP_NET_ADMIN of the sender
// on each dump request) and the sysctls; a child forked as USER (uid, gid, no supplementary groups) does
// everything else: decoding, the table, the TCP server and its clients. Imports lib/ and node: builtins only (lib/kernel/privsep.ts
// for the relay); lib/conntopd.ts composes it.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RootRelay, relayOpener, relaySysctls, type Channel, type SocketOpener } from './kernel/index.js';
import { SysctlGuard, procSysctl, withRmemMax } from './sysctl.js';

/** The environment variable that marks the forked child (its value is never trusted for anything else). */
export const CHILD_ENV = 'CONNTOPD_PRIVSEP';

/** A user's ids, from /etc/passwd. */
export interface UserIds {
  uid: number;
  gid: number;
}

/** USER (a name or a numeric uid) in passwd(5) text; null when it has no entry. */
export function lookupUser(user: string, passwd: string): UserIds | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if (f[0] === user || (/^\d+$/.test(user) && f[2] === user)) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}

/** What the root reads for the child (files USER may not be allowed to read), sent once at start. */
export interface ChildInit {
  secret: Uint8Array | null;
  tls: { cert: Uint8Array; key: Uint8Array } | null;
}

/** The parent's settings. */
export interface ParentOptions {
  /** conntopd's own script (the child runs it), and its arguments. */
  script: string;
  argv: string[];
  user: UserIds;
  init: ChildInit;
  /** The root's sysctl guard: the child turns the sysctls on and off through it; restored when the child ends. */
  sysctls: SysctlGuard;
  log: (message: string) => void;
  env: NodeJS.ProcessEnv;
}

/**
 * The root side: forks the child as the user, relays its sockets and sysctls, forwards SIGINT, SIGTERM and
 * SIGHUP to it, and once it exited closes the sockets and restores the sysctls; resolves with its exit status.
 */
export async function runRootParent(o: ParentOptions): Promise<number> {
  const child = fork(o.script, o.argv, {
    uid: o.user.uid, gid: o.user.gid, // libuv also drops the supplementary groups (setgroups(0, NULL))
    env: { ...o.env, [CHILD_ENV]: 'child' }, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let warned = false;
  const relay = new RootRelay(child as Channel, {
    log: o.log,
    withReceiveCap: (bytes, fn) => withRmemMax(procSysctl, bytes, fn),
    sysctls: (on) => {
      if (!on) return o.sysctls.restore();
      o.sysctls.enableMonitoring();
      if (warned) return;
      warned = true;
      for (const f of o.sysctls.failures) o.log(`warning: could not set ${f.name.replace(/\//g, '.')} (${f.reason})`);
    },
  });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const sig of signals) process.on(sig, forward);
  try {
    child.send(o.init);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    return code ?? (signal === 'SIGKILL' ? 137 : 1);
  } finally {
    for (const sig of signals) process.off(sig, forward);
    relay.closeAll();
    o.sysctls.restore();
  }
}

/** The child's sysctl guard: turning on and restoring are the root's (through the channel). */
class RelayedSysctls extends SysctlGuard {
  constructor(private readonly channel: Channel) {
    super();
  }

  override enableMonitoring(): void {
    relaySysctls(this.channel, true);
  }

  override restore(): void {
    relaySysctls(this.channel, false);
  }
}

/** The child side: waits for the root's init message; returns it with the relayed sockets and sysctls. */
export function childSide(channel: Channel & { once(event: 'message', fn: (m: unknown) => void): unknown }): Promise<{ init: ChildInit; openSocket: SocketOpener; sysctls: SysctlGuard }> {
  const openSocket = relayOpener(channel);
  return new Promise((resolve) => {
    const onInit = (m: unknown): void => {
      const init = m as Partial<ChildInit>;
      if (typeof init !== 'object' || init === null || !('secret' in init) || !('tls' in init)) return void channel.once('message', onInit);
      resolve({ init: init as ChildInit, openSocket, sysctls: new RelayedSysctls(channel) });
    };
    channel.once('message', onInit);
  });
}

/** Reads the files the child needs but may not be allowed to read (the secret, TLS), as the root. */
export function readForChild(o: { authFile?: string; tlsCert?: string; tlsKey?: string }, readAuthFile: (path: string) => Buffer): ChildInit {
  return {
    secret: o.authFile ? readAuthFile(o.authFile) : null,
    tls: o.tlsCert && o.tlsKey ? { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) } : null,
  };
}
