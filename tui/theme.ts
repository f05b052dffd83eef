// tui/ layer: semantic colour roles and the themes that map them to cell attributes.
// Imports ./grid only. Render code asks for a role ("selection", "ghost"), never for a colour; NO_COLOR
// (https://no-color.org) forces the monochrome theme, which uses only bold, dim, inverse and underline.
import { attr, BOLD, COLOR as C, DIM, INVERSE, UNDERLINE, type Attr } from './grid.js';

/** Every role a screen element can take. mag0..mag4 colour numbers by magnitude (idle to heavy). */
export const ROLES = [
  'text', 'header', 'meterLabel', 'meterBar', 'meterBarHigh', 'meterValue', 'status', 'statusWarn', 'statusOn',
  'colHeader', 'colHeaderSort', 'selection', 'newFlow', 'ghost', 'addrLocal', 'addrPrivate', 'addrSpecial',
  'mag0', 'mag1', 'mag2', 'mag3', 'mag4', 'fkey', 'fkeyLabel', 'prompt', 'error', 'title', 'match',
] as const;

/** A semantic colour role. */
export type Role = (typeof ROLES)[number];

/** A theme: one attribute per role. */
export type Theme = Readonly<Record<Role, Attr>>;

const DEFAULT: Theme = {
  text: attr(), header: attr(C.cyan, undefined, BOLD), meterLabel: attr(C.cyan), meterBar: attr(C.green, undefined, BOLD),
  meterBarHigh: attr(C.red, undefined, BOLD), meterValue: attr(undefined, undefined, BOLD), status: attr(C.black, C.cyan),
  statusWarn: attr(C.brightWhite, C.red, BOLD), statusOn: attr(C.black, C.yellow, BOLD),
  colHeader: attr(C.black, C.green), colHeaderSort: attr(C.black, C.cyan, BOLD), selection: attr(C.black, C.cyan),
  newFlow: attr(C.black, C.green), ghost: attr(C.gray, undefined, DIM), addrLocal: attr(C.cyan), addrPrivate: attr(C.yellow),
  addrSpecial: attr(C.magenta), mag0: attr(C.gray), mag1: attr(), mag2: attr(C.cyan), mag3: attr(C.yellow, undefined, BOLD),
  mag4: attr(C.red, undefined, BOLD), fkey: attr(), fkeyLabel: attr(C.black, C.cyan), prompt: attr(C.black, C.yellow),
  error: attr(C.brightWhite, C.red, BOLD), title: attr(C.green, undefined, BOLD), match: attr(C.black, C.yellow),
};

const MONO: Theme = {
  text: attr(), header: attr(undefined, undefined, BOLD), meterLabel: attr(), meterBar: attr(undefined, undefined, BOLD),
  meterBarHigh: attr(undefined, undefined, BOLD | UNDERLINE), meterValue: attr(undefined, undefined, BOLD), status: attr(undefined, undefined, INVERSE),
  statusWarn: attr(undefined, undefined, INVERSE | BOLD), statusOn: attr(undefined, undefined, INVERSE | BOLD),
  colHeader: attr(undefined, undefined, INVERSE), colHeaderSort: attr(undefined, undefined, INVERSE | BOLD),
  selection: attr(undefined, undefined, INVERSE), newFlow: attr(undefined, undefined, BOLD), ghost: attr(undefined, undefined, DIM),
  addrLocal: attr(), addrPrivate: attr(), addrSpecial: attr(), mag0: attr(undefined, undefined, DIM), mag1: attr(), mag2: attr(),
  mag3: attr(undefined, undefined, BOLD), mag4: attr(undefined, undefined, BOLD), fkey: attr(undefined, undefined, BOLD),
  fkeyLabel: attr(undefined, undefined, INVERSE), prompt: attr(undefined, undefined, INVERSE), error: attr(undefined, undefined, INVERSE | BOLD),
  title: attr(undefined, undefined, BOLD), match: attr(undefined, undefined, UNDERLINE),
};

const LIGHT: Theme = {
  ...DEFAULT, header: attr(C.blue, undefined, BOLD), meterLabel: attr(C.blue), meterValue: attr(C.black, undefined, BOLD),
  mag0: attr(C.gray), mag2: attr(C.blue), mag3: attr(C.magenta, undefined, BOLD), addrLocal: attr(C.blue), addrPrivate: attr(C.magenta),
  title: attr(C.blue, undefined, BOLD),
};

/** The themes by name, in the order the setup screen cycles through them. */
export const THEMES: Readonly<Record<string, Theme>> = { default: DEFAULT, light: LIGHT, monochrome: MONO };

/** Names of the themes, in setup order. */
export const THEME_NAMES = Object.keys(THEMES);

/** The theme to use: monochrome when NO_COLOR is set to anything non-empty, else `name` (default when unknown). */
export function pickTheme(name: string | undefined, env: Readonly<Record<string, string | undefined>>): Theme {
  if (env.NO_COLOR) return MONO;
  return THEMES[name ?? 'default'] ?? DEFAULT;
}

/** A magnitude role for a value against a scale of `step` (e.g. 1 KB/s): 0 stays mag0, each x`factor` one level up. */
export function magnitudeRole(value: number, step: number, factor = 32): Role {
  if (!(value > 0)) return 'mag0';
  if (value < step) return 'mag1';
  if (value < step * factor) return 'mag2';
  if (value < step * factor * factor) return 'mag3';
  return 'mag4';
}
