// tui/ layer: a stand-in for lib/settings.ts until it lands on main: the view's settings as versioned JSON
// in $XDG_CONFIG_HOME/conntop/conntoprc (default ~/.config), written to a 0600 temp file then renamed.
// Imports node: builtins and tui/ports only. TODO(#8): replace with lib/settings.ts (SUDO_USER aware) once merged.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsStore, ViewSettings } from './ports.js';

const VERSION = 1;

/** The settings file path for this environment. */
export function settingsPath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || '/root', '.config');
  return join(base, 'conntop', 'conntoprc');
}

/** A store on the settings file; problems go to `warn` and never stop the view. */
export function fileSettings(env: Readonly<Record<string, string | undefined>>, warn: (m: string) => void): SettingsStore {
  const path = settingsPath(env);
  return {
    load(): Partial<ViewSettings> {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return {};
      }
      try {
        const o = JSON.parse(text) as { version?: number; view?: Partial<ViewSettings> };
        if (o.version !== VERSION || typeof o.view !== 'object' || o.view === null) throw new Error(`unknown format version ${o.version}`);
        return o.view;
      } catch (e) {
        warn(`settings in ${path} ignored (${(e as Error).message})`);
        return {};
      }
    },
    save(s: ViewSettings): void {
      try {
        mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify({ version: VERSION, view: s }, null, 2)}\n`, { mode: 0o600 });
        renameSync(tmp, path);
      } catch (e) {
        warn(`could not save settings to ${path} (${(e as Error).message})`);
      }
    },
  };
}
