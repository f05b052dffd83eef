// lib/ layer: conntop's manual pages and shell completions, rendered from the same definitions as --help and
// the view's keymap (the composition root passes them in), so the three never disagree. Pure text out; imports
// nothing. Man pages are roff (man(7)); completions are bash, zsh and fish scripts.

/** One command-line option as --help shows it: commander's flags text ("-d, --delay <seconds>"). */
export interface OptionSpec {
  flags: string;
  description: string;
  /** The default as --help prints it, if any. */
  defaultText?: string;
}

/** One key binding of the interactive view, as its help screen shows it. */
export interface KeySpec {
  /** The screen or mode it works in ("list", "detail", ...). */
  mode: string;
  keys: readonly string[];
  help: string;
}

/** A paragraph, or a tagged paragraph (a term and its explanation). */
export type Para = string | { term: string; text: string };

/** Everything a manual page says. */
export interface ManSpec {
  name: string;
  section: 1 | 8;
  version: string;
  /** The date the page carries (YYYY-MM-DD). */
  date: string;
  /** One line for NAME. */
  summary: string;
  synopsis: readonly string[];
  description: readonly Para[];
  options: readonly OptionSpec[];
  keys?: readonly KeySpec[];
  /** FILTER LANGUAGE, FILES, ENVIRONMENT, EXIT STATUS, ... in order. */
  sections: readonly { title: string; body: readonly Para[] }[];
}

/** Text safe in roff: backslashes, hyphens as minus signs, and no control character at a line start. */
export function roffText(s: string): string {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function para(p: Para): string {
  if (typeof p === 'string') return `.PP\n${roffText(p)}`;
  return `.TP\n${roffText(p.term)}\n${roffText(p.text)}`;
}

/** The manual page as roff. */
export function renderManPage(spec: ManSpec): string {
  const out: string[] = [
    `.TH ${spec.name.toUpperCase()} ${spec.section} ${spec.date} "${spec.name} ${spec.version}" "${spec.section === 8 ? 'System Administration' : 'User Commands'}"`,
    '.SH NAME',
    `${roffText(spec.name)} \\- ${roffText(spec.summary)}`,
    '.SH SYNOPSIS',
    ...spec.synopsis.map((s, i) => (i > 0 ? `.br\n.B ${roffText(s)}` : `.B ${roffText(s)}`)),
    '.SH DESCRIPTION',
    ...spec.description.map(para),
    '.SH OPTIONS',
    ...spec.options.map((o) => `.TP\n.B ${roffText(o.flags)}\n${roffText(o.defaultText ? `${o.description} (default: ${o.defaultText})` : o.description)}`),
  ];
  if (spec.keys && spec.keys.length > 0) {
    out.push('.SH KEYS');
    let mode = '';
    for (const k of spec.keys) {
      if (k.mode !== mode) {
        mode = k.mode;
        out.push(`.SS ${roffText(mode)}`);
      }
      out.push(para({ term: k.keys.join(', '), text: k.help }));
    }
  }
  for (const s of spec.sections) out.push(`.SH ${roffText(s.title.toUpperCase())}`, ...s.body.map(para));
  return `${out.join('\n')}\n`;
}

/** An option's long and short names and whether it takes a value, parsed from commander's flags text. */
export function parseFlags(flags: string): { long?: string; short?: string; value: boolean } {
  const long = /--[a-z0-9][a-z0-9-]*/i.exec(flags)?.[0];
  const short = /(?:^|[\s,])(-[a-zA-Z0-9])(?:[\s,]|$)/.exec(flags)?.[1];
  return { long, short, value: /[<[]/.test(flags) };
}

/** How a value is completed: files, directories, or one of fixed words. */
export type ValueKind = 'file' | 'dir' | readonly string[];

export interface CompletionSpec {
  name: string;
  options: readonly OptionSpec[];
  /** Value completion per long option name ("--replay" → 'file'); others complete nothing. */
  values?: Readonly<Record<string, ValueKind>>;
}

/** The shells `--completion` supports. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A completion script for `shell`, to be sourced (bash), put in fpath (zsh) or in completions/ (fish). */
export function renderCompletion(shell: Shell, spec: CompletionSpec): string {
  const opts = spec.options.map((o) => ({ ...parseFlags(o.flags), description: o.description }));
  const fn = `_${spec.name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  const values = spec.values ?? {};
  if (shell === 'bash') {
    const words = opts.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)).join(' ');
    // Value completions only for options this program has (the table of values is shared by two programs).
    const cases = Object.entries(values).flatMap(([opt, kind]) => {
      const names = opts.filter((o) => o.long === opt).flatMap((o) => [o.long, o.short].filter(Boolean)).join('|');
      const action = kind === 'file' ? 'compgen -f -- "$cur"' : kind === 'dir' ? 'compgen -d -- "$cur"' : `compgen -W "${kind.join(' ')}" -- "$cur"`;
      return names ? [`    ${names}) COMPREPLY=($(${action})); return ;;`] : [];
    });
    return [
      `# bash completion for ${spec.name} (generated from its option definitions)`,
      `${fn}() {`,
      '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
      '  case "$prev" in',
      ...cases,
      '  esac',
      `  COMPREPLY=($(compgen -W "${words}" -- "$cur"))`,
      '}',
      `complete -F ${fn} ${spec.name}`,
      '',
    ].join('\n');
  }
  const desc = (d: string) => d.replace(/[[\]:'\\]/g, ' ').replace(/\s+/g, ' ').trim();
  if (shell === 'zsh') {
    const lines = opts.map((o) => {
      const names = [o.short, o.long].filter(Boolean);
      const kind = o.long ? values[o.long] : undefined;
      const action = !o.value ? '' : kind === 'file' ? ':file:_files' : kind === 'dir' ? ':directory:_files -/' : kind ? `:value:(${kind.join(' ')})` : ':value:';
      const spec1 = names.length > 1 ? `{${names.join(',')}}` : names[0];
      return `  '${names.length > 1 ? '(' + names.join(' ') + ')' : ''}'${spec1}'[${desc(o.description)}]${action}'`;
    });
    return [`#compdef ${spec.name}`, `# zsh completion for ${spec.name} (generated from its option definitions)`, '_arguments -s \\', `${lines.join(' \\\n')}`, ''].join('\n');
  }
  const lines = opts.map((o) => {
    const parts = [`complete -c ${spec.name}`];
    if (o.long) parts.push(`-l ${o.long.slice(2)}`);
    if (o.short) parts.push(`-s ${o.short.slice(1)}`);
    const kind = o.long ? values[o.long] : undefined;
    if (o.value) parts.push(kind === 'file' || kind === 'dir' ? '-r -F' : kind ? `-x -a '${kind.join(' ')}'` : '-x');
    parts.push(`-d '${desc(o.description)}'`);
    return parts.join(' ');
  });
  return [`# fish completion for ${spec.name} (generated from its option definitions)`, `complete -c ${spec.name} -f`, ...lines, ''].join('\n');
}
