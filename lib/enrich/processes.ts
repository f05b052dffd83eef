// lib/ layer (enrich): the process behind a flow's local end. Sockets are found exactly by full tuple
// through an injected SocketLookup (sock_diag, implemented outside lib/enrich), and socket inodes are
// mapped to PIDs through /proc/*/fd with an incrementally refreshed index. Imports ./ files only;
// the /proc reader, clock and passwd reader are injected. Nothing is guessed: misses get a label.
import { BoundedCache } from './lru.js';

/** The local end of a flow as a socket sees it: `src`/`sport` local, `dst`/`dport` remote. */
export interface SocketQuery {
  family: 'ipv4' | 'ipv6';
  /** IPPROTO_* number: 6 TCP, 17 UDP, 136 UDP-Lite, 132 SCTP, 33 DCCP. */
  protoNum: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
}

/** What sock_diag reports for one socket. */
export interface SocketInfo {
  /** Socket inode; 0 for sockets without a file (TIME_WAIT, orphaned). */
  inode: number;
  uid: number;
}

/** Finds sockets by full tuple, one answer per query in order; null when this namespace has no such socket. */
export interface SocketLookup {
  lookup(batch: SocketQuery[]): Promise<(SocketInfo | null)[]>;
}

/** Reads /proc (or a fake tree in tests). Paths are absolute under `procRoot`. */
export interface ProcFs {
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  readFile(path: string): Promise<string>;
}

/** Who owns a flow's local end, or why that is not known. */
export type ProcessLabel =
  | { kind: 'process'; pid: number; name: string; uid: number; user: string | null; cmdline: string }
  /** No socket in this network namespace matches: it closed, or it lives in another network namespace. */
  | { kind: 'no-socket' }
  /** The socket has no file (inode 0): TIME_WAIT or orphaned. */
  | { kind: 'no-owner'; uid: number }
  /** The socket exists but no process visible in this /proc holds it (another PID namespace, or no permission). */
  | { kind: 'hidden'; inode: number; uid: number }
  /** The socket lookup failed (e.g. EPERM); `code` says why. */
  | { kind: 'unavailable'; code: string };

/** Most inodes indexed; sockets beyond it are reported `hidden` rather than growing the index. */
export const MAX_INDEXED_FDS = 1 << 20;

/** Socket inode to PID via /proc/PID/fd. refresh() rereads fd directories but readlinks only new fd numbers. */
export class InodeIndex {
  /** pid → (fd number → socket inode, or 0 for a non-socket fd). */
  readonly #fds = new Map<number, Map<string, number>>();
  readonly #byInode = new Map<number, { pid: number; fd: string }>();
  #entries = 0;
  /** Fds not indexed because MAX_INDEXED_FDS was reached. */
  overflow = 0;

  constructor(private readonly fs: ProcFs, private readonly procRoot = '/proc', private readonly maxEntries = MAX_INDEXED_FDS) {}

  get size(): number {
    return this.#byInode.size;
  }

  /** Rescans the process list; `deep` also re-reads every known fd (catches fd numbers reused for new sockets). */
  async refresh(deep = false): Promise<void> {
    const pids = new Set((await this.fs.readdir(this.procRoot)).filter((d) => /^\d+$/.test(d)).map(Number));
    for (const pid of [...this.#fds.keys()]) if (!pids.has(pid)) this.#dropPid(pid);
    for (const pid of pids) await this.#scanPid(pid, deep);
  }

  /** The PID holding `inode`, checked against /proc before it is returned; undefined when not indexed. */
  async lookup(inode: number): Promise<number | undefined> {
    const hit = this.#byInode.get(inode);
    if (hit === undefined) return undefined;
    const target = await this.fs.readlink(`${this.procRoot}/${hit.pid}/fd/${hit.fd}`).catch(() => null);
    if (target === `socket:[${inode}]`) return hit.pid;
    this.#byInode.delete(inode);
    this.#fds.get(hit.pid)?.delete(hit.fd);
    this.#entries--;
    return undefined;
  }

  async #scanPid(pid: number, deep: boolean): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(`${this.procRoot}/${pid}/fd`);
    } catch {
      this.#dropPid(pid); // exited, or not ours to read
      return;
    }
    let known = this.#fds.get(pid);
    if (known === undefined) this.#fds.set(pid, (known = new Map()));
    const present = new Set(names);
    for (const [fd, inode] of known) {
      if (present.has(fd) && !deep) continue;
      known.delete(fd);
      this.#entries--;
      if (inode && this.#byInode.get(inode)?.pid === pid) this.#byInode.delete(inode);
    }
    for (const fd of names) {
      if (known.has(fd)) continue;
      if (this.#entries >= this.maxEntries) { this.overflow++; continue; }
      const target = await this.fs.readlink(`${this.procRoot}/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      const inode = m ? Number(m[1]) : 0;
      known.set(fd, inode);
      this.#entries++;
      if (inode) this.#byInode.set(inode, { pid, fd });
    }
  }

  #dropPid(pid: number): void {
    const known = this.#fds.get(pid);
    if (!known) return;
    for (const inode of known.values()) if (inode && this.#byInode.get(inode)?.pid === pid) this.#byInode.delete(inode);
    this.#entries -= known.size;
    this.#fds.delete(pid);
  }
}

/** Injected parts of ProcessAttributor. */
export interface ProcessAttributorOptions {
  sockets: SocketLookup;
  fs: ProcFs;
  /** Monotonic clock in ms. */
  now: () => number;
  procRoot?: string;
  /** passwd(5) text for user names, e.g. `() => readFile('/etc/passwd', 'utf8')`; read at most once a minute. */
  readPasswd?: () => Promise<string>;
  /** Minimum ms between deep index rescans (run only when inodes are still missing). */
  deepScanIntervalMs?: number;
}

interface ProcInfo {
  name: string;
  uid: number;
  cmdline: string;
}

/** Attributes batches of socket queries to processes; one batch costs one SocketLookup call. */
export class ProcessAttributor {
  readonly #o: ProcessAttributorOptions;
  readonly #index: InodeIndex;
  readonly #procs: BoundedCache<number, ProcInfo>;
  readonly #users: BoundedCache<'map', Map<number, string>>;
  #lastDeep = -Infinity;
  #closed = false;

  constructor(opts: ProcessAttributorOptions) {
    this.#o = opts;
    this.#index = new InodeIndex(opts.fs, opts.procRoot ?? '/proc');
    this.#procs = new BoundedCache({ maxEntries: 4096, ttlMs: 30_000, now: opts.now });
    this.#users = new BoundedCache({ maxEntries: 1, ttlMs: 60_000, now: opts.now });
  }

  /** One label per query, in order. Never rejects. */
  async attribute(batch: SocketQuery[]): Promise<ProcessLabel[]> {
    let infos: (SocketInfo | null)[];
    try {
      infos = await this.#o.sockets.lookup(batch);
    } catch (err) {
      const code = (err as { code?: string })?.code ?? 'ERROR';
      return batch.map(() => ({ kind: 'unavailable', code }));
    }
    const pids = new Map<number, number | undefined>();
    const want = [...new Set(infos.filter((i): i is SocketInfo => i !== null && i.inode !== 0).map((i) => i.inode))];
    const resolveAll = async () => { for (const ino of want) if (pids.get(ino) === undefined) pids.set(ino, await this.#index.lookup(ino)); };
    const missing = () => want.some((ino) => pids.get(ino) === undefined);
    await resolveAll();
    if (missing() && !this.#closed) {
      await this.#index.refresh(false).catch(() => undefined);
      await resolveAll();
      const deepEvery = this.#o.deepScanIntervalMs ?? 5_000;
      if (missing() && this.#o.now() - this.#lastDeep >= deepEvery) {
        this.#lastDeep = this.#o.now();
        await this.#index.refresh(true).catch(() => undefined);
        await resolveAll();
      }
    }
    const users = await this.#userMap();
    const out: ProcessLabel[] = [];
    for (let i = 0; i < batch.length; i++) {
      const info = infos[i] ?? null;
      if (info === null) { out.push({ kind: 'no-socket' }); continue; }
      if (info.inode === 0) { out.push({ kind: 'no-owner', uid: info.uid }); continue; }
      const pid = pids.get(info.inode);
      const p = pid === undefined ? null : await this.#procInfo(pid);
      if (pid === undefined || p === null) { out.push({ kind: 'hidden', inode: info.inode, uid: info.uid }); continue; }
      out.push({ kind: 'process', pid, name: p.name, uid: p.uid, user: users.get(p.uid) ?? null, cmdline: p.cmdline });
    }
    return out;
  }

  /** Stops further index rescans; in-flight batches still settle. */
  close(): void {
    this.#closed = true;
  }

  async #procInfo(pid: number): Promise<ProcInfo | null> {
    const hit = this.#procs.get(pid);
    if (hit) return hit;
    const base = `${this.#o.procRoot ?? '/proc'}/${pid}`;
    try {
      const [comm, cmdline, status] = await Promise.all([
        this.#o.fs.readFile(`${base}/comm`), this.#o.fs.readFile(`${base}/cmdline`).catch(() => ''), this.#o.fs.readFile(`${base}/status`),
      ]);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const info = { name: comm.trim(), uid, cmdline: cmdline.replace(/\0+$/, '').replaceAll('\0', ' ') };
      this.#procs.set(pid, info);
      return info;
    } catch {
      return null;
    }
  }

  async #userMap(): Promise<Map<number, string>> {
    const hit = this.#users.get('map');
    if (hit) return hit;
    const map = new Map<number, string>();
    const text = this.#o.readPasswd ? await this.#o.readPasswd().catch(() => '') : '';
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2]) && map.size < 65_536 && !map.has(Number(f[2]))) map.set(Number(f[2]), f[0]);
    }
    this.#users.set('map', map);
    return map;
  }
}
