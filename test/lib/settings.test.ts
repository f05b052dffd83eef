// Tests of lib/settings.ts in throw-away directories: the path (XDG, HOME, sudo's invoking user), defaults, bad and
// unknown values, a corrupt or newer file, files of another user, ownership under sudo (as root: chown to 65534),
// and atomic saves (a failing write or rename leaves the old file intact and no temp file behind).
import t from 'tap';
import { readFileSync, readdirSync, statSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS, SETTINGS_VERSION, loadSettings, migrateSettings, nodeSettingsIo, saveSettings, settingsFromJson, settingsLocation, type Settings, type SettingsIo,
} from '../../lib/settings.js';

const isRoot = process.getuid?.() === 0;
const custom = (): Settings => ({
  ...DEFAULT_SETTINGS, columns: [{ id: 'proto', width: 6 }, { id: 'src', width: null }], sort: { column: 'bytes', descending: true },
  meters: ['flows', 'rates'], theme: 'mono', toggles: { ...DEFAULT_SETTINGS.toggles, bits: true, ghosts: false, source: 'local' }, refreshSec: 2.5, filter: 'proto:tcp !local',
});

/** The real fs, with /etc/passwd replaced by `passwd` and any method overridden. */
function io(over: Partial<SettingsIo> = {}, passwd = ''): SettingsIo {
  const real = nodeSettingsIo();
  return { ...real, readFile: (p) => (p === '/etc/passwd' ? Promise.resolve(passwd) : real.readFile(p)), ...over };
}

t.test('location: XDG_CONFIG_HOME, then HOME/.config; relative paths ignored; none without a home', async (t) => {
  const x = io({ getuid: () => 1000 });
  t.equal((await settingsLocation({ HOME: '/home/a', XDG_CONFIG_HOME: '/x/cfg' }, x))?.path, '/x/cfg/conntop/conntoprc');
  t.equal((await settingsLocation({ HOME: '/home/a', XDG_CONFIG_HOME: 'rel' }, x))?.path, '/home/a/.config/conntop/conntoprc');
  t.equal(await settingsLocation({}, x), null);
  const sudo = await settingsLocation({ HOME: '/root', SUDO_USER: 'alice', SUDO_UID: '1000', SUDO_GID: '100' },
    io({ getuid: () => 0 }, 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:100:Alice:/home/alice:/bin/sh\n'));
  t.same(sudo, { path: '/home/alice/.config/conntop/conntoprc', owner: { uid: 1000, gid: 100 }, chown: true });
  const notRoot = await settingsLocation({ HOME: '/home/bob', SUDO_USER: 'alice', SUDO_UID: '1000' }, io({ getuid: () => 1001 }));
  t.same(notRoot, { path: '/home/bob/.config/conntop/conntoprc', owner: { uid: 1001, gid: null }, chown: false }, 'SUDO_USER counts only when root');
  const r = await loadSettings({}, io());
  t.same([r.readOnly, r.warnings.length, r.settings], [true, 1, DEFAULT_SETTINGS]);
  t.same(await saveSettings(custom(), {}, io()), { ok: false, code: 'NO_HOME', message: 'settings: no home directory, so settings are not kept' });
});

t.test('save then load round-trips, at mode 0600 in directories of mode 0700', async (t) => {
  const home = t.testdir();
  const env = { HOME: home };
  const first = await loadSettings(env, io());
  t.same(first, { settings: DEFAULT_SETTINGS, warnings: [], location: { path: join(home, '.config/conntop/conntoprc'), owner: { uid: process.getuid!(), gid: null }, chown: false }, readOnly: false });
  const r = await saveSettings(custom(), env, io());
  t.same(r, { ok: true, path: join(home, '.config/conntop/conntoprc') });
  t.equal(statSync(join(home, '.config/conntop/conntoprc')).mode & 0o777, 0o600);
  t.equal(statSync(join(home, '.config/conntop')).mode & 0o777, 0o700);
  t.equal(JSON.parse(readFileSync(join(home, '.config/conntop/conntoprc'), 'utf8')).version, SETTINGS_VERSION);
  const again = await loadSettings(env, io());
  t.same([again.settings, again.warnings, again.readOnly], [custom(), [], false]);
  t.same(readdirSync(join(home, '.config/conntop')), ['conntoprc'], 'no temp file left');
  writeFileSync(join(home, '.config/conntop/conntoprc.tmp'), 'stale');
  t.equal((await saveSettings(DEFAULT_SETTINGS, env, io())).ok, true, 'a stale temp file from a crash is replaced');
  t.same(readdirSync(join(home, '.config/conntop')), ['conntoprc']);
});

t.test('bad values are ignored with a warning each; unknown keys silently', async (t) => {
  const w: string[] = [];
  const s = settingsFromJson({
    version: 1, columns: [{ id: 'proto', width: 0 }], sort: { column: 'bytes', descending: 'yes' }, meters: ['ok', 5], theme: 'x y',
    toggles: { names: false, bits: 'on', source: true, future: true }, refreshSec: 0, filter: 'port:99999', somethingNew: { a: 1 },
  }, w);
  t.same(s, { ...DEFAULT_SETTINGS, toggles: { ...DEFAULT_SETTINGS.toggles, names: false } });
  t.same(w.map((x) => x.replace(/ ignored.*/, '')), [
    'settings: "columns"', 'settings: "sort"', 'settings: "meters"', 'settings: "theme"', 'settings: "refreshSec"', 'settings: "filter"', 'settings: "toggles.bits"', 'settings: "toggles.source"',
  ]);
  const w2: string[] = [];
  t.same(settingsFromJson([1, 2], w2), DEFAULT_SETTINGS);
  t.equal(w2.length, 1);
  t.same(settingsFromJson({ columns: null, sort: null, meters: null, toggles: 5 }, w2).columns, null);
  t.equal(w2.length, 2, 'toggles that are no object warn once');
});

t.test('a corrupt, unreadable or version-less file gives defaults and one warning, never an exception', async (t) => {
  const home = t.testdir({ '.config': { conntop: { conntoprc: '{"version": 1, "theme": ' } } });
  const env = { HOME: home };
  const r = await loadSettings(env, io());
  t.same([r.settings, r.warnings.length, r.readOnly], [DEFAULT_SETTINGS, 1, false]);
  t.equal((await saveSettings(custom(), env, io())).ok, true, 'a corrupt file of ours is replaced');
  t.same((await loadSettings(env, io())).settings, custom());
  const eacces = Object.assign(new Error('permission denied'), { code: 'EACCES' });
  const unreadable = await loadSettings(env, io({ readFile: () => Promise.reject(eacces) }));
  t.same([unreadable.settings, unreadable.warnings.length, unreadable.readOnly], [DEFAULT_SETTINGS, 1, true]);
  writeFileSync(join(home, '.config/conntop/conntoprc'), JSON.stringify({ theme: 'mono' }));
  const noVersion = await loadSettings(env, io());
  t.same([noVersion.settings.theme, noVersion.warnings.length, noVersion.readOnly], ['mono', 1, false]);
});

t.test('a version 1 file loads: its meter count (a number, a list of the first N, or null) becomes meter ids', async (t) => {
  const v1 = (meters: unknown, version: unknown = 1) => JSON.stringify({ version, meters, theme: 'mono' });
  const cases: Array<[string, string, string[] | null]> = [
    ['a number', v1(2), ['flows', 'source', 'states', 'rates', 'events', 'interval']],
    ['the first three of the fixed list', v1(['flows', 'protocols', 'tcp-states']), ['flows', 'source', 'states', 'protocols', 'rates', 'events', 'interval']],
    ['all four', v1(['flows', 'protocols', 'tcp-states', 'rates']), ['flows', 'source', 'states', 'protocols', 'tcp-states', 'rates', 'events', 'interval']],
    ['one, without a version', v1(1, undefined), ['flows', 'source', 'states']],
    ['null (the defaults)', v1(null), null],
  ];
  for (const [name, text, want] of cases) {
    const home = t.testdir({ '.config': { conntop: { conntoprc: text } } });
    const r = await loadSettings({ HOME: home }, io());
    t.same([r.settings.meters, r.settings.theme, r.readOnly], [want, 'mono', false], name);
    t.equal(r.warnings.filter((w) => w.includes('"meters"')).length, 0, `${name}: no warning about meters`);
    // Saving writes the current version, which reads back as it is (no second migration).
    t.equal((await saveSettings(r.settings, { HOME: home }, io())).ok, true);
    const back = await loadSettings({ HOME: home }, io());
    t.same([back.settings.meters, back.warnings], [want, []], `${name}: saved as version ${SETTINGS_VERSION}`);
  }
  t.same(migrateSettings({ version: 2, meters: ['flows', 'rates'] }), { version: 2, meters: ['flows', 'rates'] }, 'version 2 lists are ids already');
  t.same(migrateSettings({ version: 1, meters: 9 }), { version: 1, meters: ['flows', 'source', 'states', 'protocols', 'tcp-states', 'rates', 'events', 'interval'] }, 'counts are clamped');
  t.same(migrateSettings({ version: 1, meters: 'x' }), { version: 1, meters: 'x' }, 'bad values are left to the checks');
  t.equal(migrateSettings(5), 5);
});

t.test('a newer version is read best-effort and never overwritten', async (t) => {
  const text = JSON.stringify({ version: SETTINGS_VERSION + 1, theme: 'mono', refreshSec: 'fast', newThing: [1] });
  const home = t.testdir({ '.config': { conntop: { conntoprc: text } } });
  const r = await loadSettings({ HOME: home }, io());
  t.same([r.settings.theme, r.settings.refreshSec, r.readOnly, r.warnings.length], ['mono', 1, true, 2]);
  const s = await saveSettings(custom(), { HOME: home }, io());
  t.same([s.ok, !s.ok && s.code], [false, 'NEWER_VERSION']);
  t.equal(readFileSync(join(home, '.config/conntop/conntoprc'), 'utf8'), text);
});

t.test('another user\'s file is read but never written', { skip: !isRoot && 'needs root to chown' }, async (t) => {
  const home = t.testdir({ '.config': { conntop: { conntoprc: JSON.stringify({ version: 1, theme: 'mono' }) } } });
  chownSync(join(home, '.config/conntop/conntoprc'), 65534, 65534);
  const r = await loadSettings({ HOME: home }, io());
  t.same([r.settings.theme, r.readOnly, r.warnings.length], ['mono', true, 1]);
  const s = await saveSettings(custom(), { HOME: home }, io());
  t.same([s.ok, !s.ok && s.code], [false, 'NOT_OURS']);
});

t.test('under sudo the invoking user\'s file is used and stays theirs', { skip: !isRoot && 'needs root to chown' }, async (t) => {
  const dir = t.testdir({ home: {} });
  const home = join(dir, 'home');
  chownSync(home, 65534, 65534);
  const env = { HOME: '/root', SUDO_USER: 'tester', SUDO_UID: '65534', SUDO_GID: '65534' };
  const sudoIo = io({}, `root:x:0:0:root:/root:/bin/sh\ntester:x:65534:65534:T:${home}:/bin/sh\n`);
  const r = await saveSettings(custom(), env, sudoIo);
  t.same(r, { ok: true, path: join(home, '.config/conntop/conntoprc') });
  for (const p of ['.config', '.config/conntop', '.config/conntop/conntoprc']) {
    const st = statSync(join(home, p));
    t.same([st.uid, st.gid], [65534, 65534], `${p} belongs to the invoking user`);
  }
  const back = await loadSettings(env, sudoIo);
  t.same([back.settings, back.readOnly, back.warnings], [custom(), false, []]);
  t.equal((await saveSettings(DEFAULT_SETTINGS, env, sudoIo)).ok, true, 'and can be saved again');
  t.equal(statSync(join(home, '.config/conntop/conntoprc')).uid, 65534);
});

t.test('a failed save leaves the old file intact and no temp file', async (t) => {
  const home = t.testdir();
  const env = { HOME: home };
  t.equal((await saveSettings(custom(), env, io())).ok, true);
  const path = join(home, '.config/conntop/conntoprc');
  const before = readFileSync(path, 'utf8');
  const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  const real = nodeSettingsIo();
  const failures: Partial<SettingsIo>[] = [
    { writeNewFile: async (p, data, mode) => { await real.writeNewFile(p, data.slice(0, 10), mode); throw enospc; } },
    { rename: () => Promise.reject(enospc) },
    // Under sudo (as if the file were the invoking user's): the chown of the temp file fails.
    { chown: () => Promise.reject(enospc), getuid: () => 0, stat: async (p) => ({ ...(await real.stat(p)), uid: 65534 }) },
  ];
  for (const over of failures) {
    const sudoEnv = over.getuid ? { ...env, SUDO_USER: 'tester', SUDO_UID: '65534', SUDO_GID: '65534' } : env;
    const r = await saveSettings(DEFAULT_SETTINGS, sudoEnv, io(over, `tester:x:0:0::${home}:/bin/sh\n`));
    t.same([r.ok, !r.ok && r.code], [false, 'IO']);
    t.equal(readFileSync(path, 'utf8'), before, 'old file intact');
    t.same(readdirSync(join(home, '.config/conntop')), ['conntoprc'], 'no temp file left');
  }
});
