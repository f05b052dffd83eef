// Test helper (real-kernel process tests): starts test/helpers/proc-peers.mjs children in a namespace (their PID
// is the socket owner's) and waits for their JSON lines, with deadlines that only bound a failure.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns.js';

const PEERS = fileURLToPath(new URL('./proc-peers.mjs', import.meta.url));
/** Bounds a wait that only a failure would exhaust (ms). */
export const FAIL_AFTER_MS = 20_000;

/** The ends of a TCP connection as a peer reports them. */
export interface Endpoint { localAddress: string; localPort: number; remoteAddress: string; remotePort: number }

/** One line of a peer. */
interface PeerLine { pid: number; [k: string]: unknown }

/** A proc-peers.mjs child: its PID (the socket owner) and its JSON lines as they arrive. */
export interface Peer {
  pid: number;
  child: ChildProcess;
  /** The first line (seen or still to come) that has key `key`, optionally matching `pred`. */
  waitFor<T = unknown>(key: string, pred?: (v: T) => boolean): Promise<T>;
  exited: Promise<number | null>;
}

/** `p`, or a rejection naming `what` after `ms`. */
export function withDeadline<T>(p: Promise<T>, what: string, ms = FAIL_AFTER_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fail = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms); });
  return Promise.race([p, fail]).finally(() => clearTimeout(timer));
}

/** Starts `node proc-peers.mjs ROLE ARGS` in `ns`. */
export function startPeer(ns: Netns, role: string, ...args: Array<string | number>): Peer {
  const child = ns.spawn(process.execPath, [PEERS, role, ...args.map(String)]);
  const lines: PeerLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as PeerLine);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => { for (const w of [...waiters]) w(); res(code); }));
  const what = `${role} ${args.join(' ')}`;
  return {
    pid: child.pid!,
    child,
    exited,
    waitFor<T>(key: string, pred: (v: T) => boolean = () => true): Promise<T> {
      return withDeadline(new Promise<T>((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find((l) => key in l && pred(l[key] as T));
          if (hit) {
            waiters.delete(check);
            // `ip netns exec` execs the command, so the PID we spawned is the socket owner's.
            if (hit.pid !== child.pid) reject(new Error(`${what}: reports pid ${hit.pid}, spawned ${child.pid}`));
            else resolve(hit[key] as T);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before "${key}": ${stderr.trim()}`));
          }
        };
        waiters.add(check);
        check();
      }), `${what}: "${key}"`);
    },
  };
}
