// lib/ layer: the file operations lib/settings.ts needs (SettingsIo), their node:fs/promises implementation, and
// passwd(5) parsing for the sudo user's home. Imports node: builtins only.
// Only the composition root calls nodeSettingsIo(); tests inject fakes.
import { promises as fsp } from 'node:fs';

/** File operations, node:fs/promises-like; errors carry an errno `code` (ENOENT, EACCES, ...). */
export interface SettingsIo {
  getuid(): number;
  readFile(path: string): Promise<string>;
  /** Owner and mode of a path (following symlinks). */
  stat(path: string): Promise<{ uid: number; gid: number; mode: number }>;
  /** Creates one directory with `mode`. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Creates `path` exclusively (fails if it exists) with `mode`, writes `data`, fsyncs and closes it. */
  writeNewFile(path: string, data: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsyncs a directory, so a rename in it survives a crash (may be a no-op). */
  syncDir(path: string): Promise<void>;
}

/** passwd(5) text as user name to uid and home directory (first entry of a name wins; malformed lines skipped). */
export function parsePasswd(text: string): Map<string, { uid: number; home: string }> {
  const out = new Map<string, { uid: number; home: string }>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && /^[0-9]+$/.test(f[2]) && !out.has(f[0])) out.set(f[0], { uid: Number(f[2]), home: f[5] });
  }
  return out;
}

/** SettingsIo over node:fs/promises and process.getuid. */
export function nodeSettingsIo(): SettingsIo {
  return {
    getuid: () => process.getuid?.() ?? -1,
    readFile: (p) => fsp.readFile(p, 'utf8'),
    stat: async (p) => {
      const s = await fsp.stat(p);
      return { uid: s.uid, gid: s.gid, mode: s.mode };
    },
    mkdir: async (p, mode) => {
      await fsp.mkdir(p, { mode });
    },
    writeNewFile: async (p, data, mode) => {
      const h = await fsp.open(p, 'wx', mode);
      try {
        await h.writeFile(data, 'utf8');
        await h.sync();
      } finally {
        await h.close();
      }
    },
    rename: (a, b) => fsp.rename(a, b),
    chown: (p, uid, gid) => fsp.chown(p, uid, gid),
    unlink: (p) => fsp.unlink(p),
    syncDir: async (p) => {
      const h = await fsp.open(p, 'r');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
    },
  };
}
