// lib/ layer: what the composition roots need to print their manual page and completions from their own
// command-line definitions (commander's Command) and the view's keymap: option specs, the values each
// option completes, and the page's date. Imports ./manual, ./manual-text and commander types only.
import type { Command } from 'commander';
import { SHELLS, renderCompletion, renderManPage, type KeySpec, type ManSpec, type OptionSpec, type Para, type Shell, type ValueKind } from './manual.js';
import { conntopManual, conntopdManual } from './manual-text.js';

/** The visible options of `cmd` as --help lists them, with -h/--help, which commander adds implicitly. */
export function optionSpecs(cmd: Command): OptionSpec[] {
  const out: OptionSpec[] = cmd.options.filter((o) => !o.hidden).map((o) => {
    const d = o.defaultValueDescription ?? (o.defaultValue === undefined || typeof o.defaultValue === 'boolean' ? undefined : String(o.defaultValue));
    return d === undefined ? { flags: o.flags, description: o.description } : { flags: o.flags, description: o.description, defaultText: d };
  });
  out.push({ flags: '-h, --help', description: 'display help and exit' });
  return out;
}

/** How the values of conntop's and conntopd's options complete (files, directories or fixed words). */
export const COMPLETION_VALUES: Readonly<Record<string, ValueKind>> = {
  '--replay': 'file', '--record': 'file', '--geoip-dir': 'dir', '--auth-file': 'file', '--tls-ca': 'file',
  '--tls-cert': 'file', '--tls-key': 'file', '--completion': SHELLS, '--speed': ['1', '2', '4', '10', 'max'],
};

/** The date a manual page carries: SOURCE_DATE_EPOCH when set (reproducible builds), else today, UTC. */
export function manualDate(env: NodeJS.ProcessEnv, now = Date.now()): string {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && env.SOURCE_DATE_EPOCH ? epoch * 1000 : now).toISOString().slice(0, 10);
}

/** conntop(1) as roff, from its program, the view's keys and the filter language's help. */
export function conntopManPage(cmd: Command, version: string, env: NodeJS.ProcessEnv, keys: readonly KeySpec[], filterHelp: readonly Para[]): string {
  return renderManPage(conntopManual(version, manualDate(env), optionSpecs(cmd), keys, filterHelp));
}

/** conntopd(8) as roff, from its program. */
export function conntopdManPage(cmd: Command, version: string, env: NodeJS.ProcessEnv): string {
  const spec: ManSpec = conntopdManual(version, manualDate(env), optionSpecs(cmd));
  return renderManPage(spec);
}

/** A completion script of `cmd` for `shell`. */
export function completionScript(cmd: Command, shell: Shell): string {
  return renderCompletion(shell, { name: cmd.name(), options: optionSpecs(cmd), values: COMPLETION_VALUES });
}
