// lib/ layer: the interactive view's persisted settings, `$XDG_CONFIG_HOME/conntop/conntoprc` (JSON with a format
// version). Imports ./filter-expr.ts (to check the saved filter) and node:path; file access and the environment are
// injected (SettingsIo, SettingsEnv), nothing is global. Loading never fails: problems become warnings. Saving writes
// a temp file at mode 0600, fsyncs it and renames it into place; under sudo the file stays the invoking user's.
import { dirname, isAbsolute, join } from 'node:path';
import type { DisplayOptions } from './fields.js';
import { parseFilter } from './filter-expr.js';
import { parsePasswd, type SettingsIo } from './settings-io.js';

export { nodeSettingsIo, type SettingsIo } from './settings-io.js';

/**
 * The format version written; files with a higher one are read best-effort and never overwritten. Version 2:
 * "meters" lists every shown meter (version 1 kept a count: the first N lines of a fixed header).
 */
export const SETTINGS_VERSION = 2;

/** One shown column: its registry id and its width in terminal columns (null: the column's default). */
export interface ColumnSetting {
  id: string;
  width: number | null;
}

/** The view's on/off switches (keys n, N, b, t, s, a, G). */
export interface SettingsToggles {
  /** Host names instead of addresses. */
  names: boolean;
  /** Service names instead of port numbers. */
  services: boolean;
  /** Rates in bits per second instead of bytes. */
  bits: boolean;
  /** Totals (bytes, packets) instead of rates. */
  totals: boolean;
  /** Which end is the source: the originator ('orig') or this host's end ('local', flowtop's -s); as DisplayOptions. */
  source: DisplayOptions['source'];
  /** Only flows with rates above 0. */
  activeOnly: boolean;
  /** Show closed flows as ghost rows while they linger. */
  ghosts: boolean;
}

/** Everything persisted; null lists mean "the view's defaults". */
export interface Settings {
  /** Shown columns in order; null: the default set. */
  columns: ColumnSetting[] | null;
  /** Sort column id and direction; null: the default sort. */
  sort: { column: string; descending: boolean } | null;
  /** Header meter ids in order; null: the default meters. */
  meters: string[] | null;
  theme: string;
  toggles: SettingsToggles;
  /** Refresh interval in seconds (0.1-3600). */
  refreshSec: number;
  /** Filter text in the filter language ('' for none). */
  filter: string;
}

/** The settings of a first start. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  columns: null, sort: null, meters: null, theme: 'default',
  toggles: Object.freeze({ names: true, services: true, bits: false, totals: false, source: 'orig', activeOnly: false, ghosts: true } as const),
  refreshSec: 1, filter: '',
});

/** The environment variables read (pass process.env). */
export interface SettingsEnv {
  HOME?: string;
  XDG_CONFIG_HOME?: string;
  SUDO_USER?: string;
  SUDO_UID?: string;
  SUDO_GID?: string;
}

/** Where the settings live and who must own them. */
export interface SettingsLocation {
  path: string;
  /** The uid and gid the file must have: the invoking user's under sudo, else this process's uid (gid null: leave it). */
  owner: { uid: number; gid: number | null };
  /** True when running as root for a sudo user: created files and directories are chowned to `owner`. */
  chown: boolean;
}

/** loadSettings's result. */
export interface LoadedSettings {
  settings: Settings;
  /** One line per problem, for the status bar. */
  warnings: string[];
  /** Null when there is no home directory to keep settings in. */
  location: SettingsLocation | null;
  /** True when saving must not happen: the file is someone else's, or written by a newer conntop. */
  readOnly: boolean;
}

/** saveSettings's result: never thrown, so a failed save is a status-bar message. */
export type SaveResult =
  | { ok: true; path: string }
  | { ok: false; code: 'NO_HOME' | 'NOT_OURS' | 'NEWER_VERSION' | 'IO'; message: string };

const errCode = (e: unknown): string => String((e as { code?: unknown })?.code ?? 'ERROR');
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The settings file for this environment: under sudo (root with SUDO_USER), the invoking user's. */
export async function settingsLocation(env: SettingsEnv, io: Pick<SettingsIo, 'getuid' | 'readFile'>): Promise<SettingsLocation | null> {
  const uid = io.getuid();
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  const sudoUid = Number(env.SUDO_UID);
  if (uid === 0 && env.SUDO_USER && Number.isInteger(sudoUid) && sudoUid > 0) {
    // sudo sets HOME to root's on most systems: the invoking user's home comes from passwd.
    const gid = Number(env.SUDO_GID);
    const home = await io.readFile('/etc/passwd').then((t) => parsePasswd(t).get(env.SUDO_USER!)?.home ?? null, () => null);
    const base = xdg ?? (home && isAbsolute(home) ? join(home, '.config') : null);
    if (base === null) return null;
    return { path: join(base, 'conntop', 'conntoprc'), owner: { uid: sudoUid, gid: Number.isInteger(gid) && gid >= 0 ? gid : null }, chown: true };
  }
  const base = xdg ?? (env.HOME && isAbsolute(env.HOME) ? join(env.HOME, '.config') : null);
  return base === null ? null : { path: join(base, 'conntop', 'conntoprc'), owner: { uid, gid: null }, chown: false };
}

type Check = (v: unknown) => unknown | undefined;

const ID = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const isId = (v: unknown): v is string => typeof v === 'string' && ID.test(v);
const listOf = (v: unknown, item: (x: unknown) => unknown | undefined, max: number): unknown[] | undefined => {
  if (!Array.isArray(v) || v.length > max) return undefined;
  const out = v.map(item);
  return out.every((x) => x !== undefined) ? out : undefined;
};

/**
 * Version 1's header as version 2 meter ids, by the number of lines it showed: the flows line (with the source and
 * the states) always, then the rates line (with events and the interval), protocols, and TCP states.
 */
const V1_METERS: readonly (readonly string[])[] = [
  ['flows', 'source', 'states'],
  ['flows', 'source', 'states', 'rates', 'events', 'interval'],
  ['flows', 'source', 'states', 'protocols', 'rates', 'events', 'interval'],
  ['flows', 'source', 'states', 'protocols', 'tcp-states', 'rates', 'events', 'interval'],
];

/**
 * `raw` (parsed JSON of any version) brought to the current version: a version 1 file (or one without a version)
 * has its "meters" (a count, or a list whose length was the count; null stays null) turned into meter ids.
 * Anything else is left for settingsFromJson to check.
 */
export function migrateSettings(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const o = raw as Record<string, unknown>;
  const version = typeof o.version === 'number' && Number.isInteger(o.version) && o.version >= 1 ? o.version : 1;
  if (version >= 2 || !Object.hasOwn(o, 'meters')) return raw;
  const m = o.meters;
  const count = typeof m === 'number' && Number.isInteger(m) ? m : Array.isArray(m) && m.every(isId) ? new Set(m).size : null;
  if (count === null) return raw;
  return { ...o, meters: [...V1_METERS[Math.max(1, Math.min(V1_METERS.length, count)) - 1]] };
}

/** Per key: the value checked and normalised, or undefined (then the default stays and a warning is given). */
const CHECKS: Record<Exclude<keyof Settings, 'toggles'>, [Check, string]> = {
  columns: [(v) => (v === null ? null : listOf(v, (c) => {
    const o = c as { id?: unknown; width?: unknown } | null;
    if (typeof o !== 'object' || o === null || !isId(o.id)) return undefined;
    const w = o.width ?? null;
    return w === null || (Number.isInteger(w) && (w as number) >= 1 && (w as number) <= 500) ? { id: o.id, width: w } : undefined;
  }, 200)), 'a list of {"id", "width"} (width 1-500 or null)'],
  sort: [(v) => {
    const o = v as { column?: unknown; descending?: unknown } | null;
    if (o === null) return null;
    return typeof o === 'object' && isId(o.column) && typeof o.descending === 'boolean' ? { column: o.column, descending: o.descending } : undefined;
  }, '{"column": id, "descending": true or false} or null'],
  meters: [(v) => (v === null ? null : listOf(v, (m) => (isId(m) ? m : undefined), 50)), 'a list of meter ids or null'],
  theme: [(v) => (isId(v) ? v : undefined), 'a theme name'],
  refreshSec: [(v) => (typeof v === 'number' && v >= 0.1 && v <= 3600 ? v : undefined), 'seconds from 0.1 to 3600'],
  filter: [(v) => (typeof v === 'string' && parseFilter(v).ok ? v : undefined), 'a valid filter'],
};

/** `raw` (parsed JSON) as Settings: unknown keys ignored, bad values replaced by defaults with a warning each. */
export function settingsFromJson(raw: unknown, warnings: string[]): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, toggles: { ...DEFAULT_SETTINGS.toggles } };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    warnings.push('settings: the file does not hold a JSON object; defaults used');
    return out;
  }
  const o = raw as Record<string, unknown>;
  for (const [key, [check, want]] of Object.entries(CHECKS) as [keyof typeof CHECKS, [Check, string]][]) {
    if (!Object.hasOwn(o, key)) continue;
    const v = check(o[key]);
    if (v === undefined) warnings.push(`settings: "${key}" ignored: expected ${want}`);
    else (out as unknown as Record<string, unknown>)[key] = v;
  }
  if (Object.hasOwn(o, 'toggles')) {
    const t = o.toggles as Record<string, unknown> | null;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) warnings.push('settings: "toggles" ignored: expected an object');
    else {
      for (const k of Object.keys(out.toggles) as (keyof SettingsToggles)[]) {
        if (!Object.hasOwn(t, k)) continue;
        if (k === 'source') {
          if (t.source === 'orig' || t.source === 'local') out.toggles.source = t.source;
          else warnings.push('settings: "toggles.source" ignored: expected "orig" or "local"');
        } else if (typeof t[k] === 'boolean') out.toggles[k] = t[k] as boolean;
        else warnings.push(`settings: "toggles.${k}" ignored: expected true or false`);
      }
    }
  }
  return out;
}

/** The file's text for `s` (pretty JSON with the format version first, newline-terminated). */
export function settingsJson(s: Settings): string {
  const { columns, sort, meters, theme, toggles, refreshSec, filter } = s;
  return `${JSON.stringify({ version: SETTINGS_VERSION, columns, sort, meters, theme, toggles, refreshSec, filter }, null, 2)}\n`;
}

/** Reads the settings; never throws: a missing file gives defaults, a bad one defaults and one warning. */
export async function loadSettings(env: SettingsEnv, io: SettingsIo): Promise<LoadedSettings> {
  const defaults = (): Settings => settingsFromJson({}, []);
  const location = await settingsLocation(env, io).catch(() => null);
  if (location === null) return { settings: defaults(), warnings: ['settings: no home directory, so settings are not kept'], location, readOnly: true };
  const { path } = location;
  let text: string;
  let readOnly = false;
  try {
    const st = await io.stat(path);
    readOnly = st.uid !== location.owner.uid;
    text = await io.readFile(path);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return { settings: defaults(), warnings: [], location, readOnly: false };
    return { settings: defaults(), warnings: [`settings: cannot read ${path} (${errCode(e)}); defaults used`], location, readOnly: true };
  }
  const warnings: string[] = [];
  if (readOnly) warnings.push(`settings: ${path} belongs to another user; it is read but never written`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { settings: defaults(), warnings: [...warnings, `settings: ${path} is not valid JSON (${errText(e)}); defaults used`], location, readOnly };
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    warnings.push(`settings: ${path} has no valid "version"; read as version ${SETTINGS_VERSION}`);
  } else if (version > SETTINGS_VERSION) {
    warnings.push(`settings: ${path} was written by a newer conntop (version ${version}); read best-effort and not overwritten`);
    readOnly = true;
  }
  return { settings: settingsFromJson(migrateSettings(raw), warnings), warnings, location, readOnly };
}

/** Creates the missing directories above `path` (mode 0700), chowning each created one when `loc.chown`. */
async function makeParents(dir: string, loc: SettingsLocation, io: SettingsIo): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      await io.stat(d);
      break;
    } catch (e) {
      if (errCode(e) !== 'ENOENT' || dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    await io.mkdir(d, 0o700);
    if (loc.chown) await io.chown(d, loc.owner.uid, loc.owner.gid ?? -1);
  }
}

/**
 * Writes `settings` atomically: a temp file next to the target (mode 0600, fsynced, chowned under sudo) renamed over
 * it. The old file is intact whenever this fails. Refuses a file owned by someone else or written by a newer version.
 * Await one save before starting the next: two at once share the temp file, and one of them then fails.
 */
export async function saveSettings(settings: Settings, env: SettingsEnv, io: SettingsIo): Promise<SaveResult> {
  const loc = await settingsLocation(env, io).catch(() => null);
  if (loc === null) return { ok: false, code: 'NO_HOME', message: 'settings: no home directory, so settings are not kept' };
  const { path } = loc;
  try {
    const st = await io.stat(path);
    if (st.uid !== loc.owner.uid) return { ok: false, code: 'NOT_OURS', message: `settings: ${path} belongs to another user; not written` };
    const version = (JSON.parse(await io.readFile(path)) as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > SETTINGS_VERSION) {
      return { ok: false, code: 'NEWER_VERSION', message: `settings: ${path} was written by a newer conntop; not overwritten` };
    }
  } catch {
    // Missing, unreadable or corrupt: replaced below (the load already warned about it).
  }
  const tmp = `${path}.tmp`;
  try {
    await makeParents(dirname(path), loc, io);
    await io.unlink(tmp).catch(() => undefined); // left by a crash between write and rename
    await io.writeNewFile(tmp, settingsJson(settings), 0o600);
    if (loc.chown) await io.chown(tmp, loc.owner.uid, loc.owner.gid ?? -1);
    await io.rename(tmp, path);
  } catch (e) {
    await io.unlink(tmp).catch(() => undefined);
    return { ok: false, code: 'IO', message: `settings: cannot write ${path} (${errCode(e)}: ${errText(e)})` };
  }
  await io.syncDir(dirname(path)).catch(() => undefined);
  return { ok: true, path };
}
