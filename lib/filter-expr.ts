// lib/ layer: the filter language (README "Filter language"): parseFilter (text to tree, never throws, errors carry
// the offending token's position), printFilter (canonical text), and the compiler re-exported from filter-compile.ts.
// Imports ./filter-ast.ts, ./filter-terms.ts and ./filter-compile.ts. Used by the TUI (F4, `\`), --filter and the server.
import type { FilterExpr } from './filter-ast.js';
import { isSpecialChar, readTerm, termText } from './filter-terms.js';

export type { CmpOp, DirValue, FilterExpr, FilterTerm, MetricKey, NatValue, NumberKey, PatternKey, Side, WordKey } from './filter-ast.js';
export { compileFilter, filterNeeds, filterNeedsEnrichment, type CompileOptions, type EnrichmentNeed, type RowPredicate } from './filter-compile.js';
export { FILTER_KEYS } from './filter-terms.js';
export { FILTER_HELP, type FilterHelpPara } from './filter-help.js';

/** Error codes of parseFilter. */
export type FilterErrorCode =
  | 'UNKNOWN_KEY' | 'BAD_VALUE' | 'EMPTY_VALUE' | 'UNTERMINATED_QUOTE' | 'BAD_QUOTE'
  | 'UNBALANCED_PAREN' | 'EMPTY_GROUP' | 'EXPECTED_TERM' | 'TOO_DEEP' | 'TOO_LONG' | 'INTERNAL';

/** A parse error: `pos` is the UTF-16 offset of the offending token in the input, `len` its length (0 at the end). */
export interface FilterError {
  code: FilterErrorCode;
  message: string;
  pos: number;
  len?: number;
}

/** parseFilter's result. */
export type FilterParse = { ok: true; expr: FilterExpr } | { ok: false; error: FilterError };

/** Parentheses and `!` nest at most this deep (the tree is walked recursively). */
export const MAX_FILTER_DEPTH = 64;
/** Longest filter text read, in UTF-16 code units. */
export const MAX_FILTER_LENGTH = 4096;

type Op = 'lp' | 'rp' | 'or' | 'and' | 'not';
type Token =
  | { t: Op; pos: number; len: number }
  | { t: 'term'; pos: number; len: number; key: string | null; value: string; quoted: boolean; valuePos: number };

class SyntaxFail extends Error {
  constructor(readonly e: FilterError) {
    super(e.message);
  }
}

const fail = (code: FilterErrorCode, message: string, pos: number, len = 0): never => {
  throw new SyntaxFail({ code, message, pos, len });
};

/** Reads `"..."` starting at s[q]; returns the unescaped text and the index after the closing quote. */
function readQuoted(s: string, q: number): { text: string; end: number } {
  let text = '';
  for (let i = q + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\') {
      if (i + 1 >= s.length) break;
      text += s[++i];
    } else text += c;
  }
  return fail('UNTERMINATED_QUOTE', 'a quote is not closed', q, s.length - q);
}

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const op: Op | null = c === '(' ? 'lp' : c === ')' ? 'rp' : c === '|' ? 'or' : c === '!' ? 'not' : null;
    if (op) { out.push({ t: op, pos: i, len: 1 }); i++; continue; }
    const start = i;
    let colon = -1;
    while (i < s.length && !isSpecialChar(s[i])) {
      if (s[i] === ':' && colon < 0) colon = i;
      i++;
    }
    let value = colon < 0 ? s.slice(start, i) : s.slice(colon + 1, i);
    let quoted = false;
    if (s[i] === '"') {
      // Quotes hold a whole bare word or a whole value: `"a b"`, `org:"Google LLC"`.
      if (i !== start && i !== colon + 1) fail('BAD_QUOTE', 'a quote may only start a word or a value', i, 1);
      const q = readQuoted(s, i);
      value = q.text;
      quoted = true;
      i = q.end;
      if (i < s.length && !isSpecialChar(s[i])) fail('BAD_QUOTE', 'text right after a closing quote', i, 1);
      if (s[i] === '"') fail('BAD_QUOTE', 'two quoted strings without a space between them', i, 1);
    }
    const key = colon < 0 ? null : s.slice(start, colon);
    if (key === null && !quoted && /^(or|and)$/i.test(value)) out.push({ t: value.toLowerCase() as Op, pos: start, len: i - start });
    else out.push({ t: 'term', pos: start, len: i - start, key, value, quoted, valuePos: colon < 0 ? start : colon + 1 });
  }
  return out;
}

class Parser {
  private k = 0;
  constructor(private readonly toks: Token[], private readonly end: number) {}

  parse(): FilterExpr {
    if (this.toks.length === 0) return { kind: 'all' };
    const e = this.or(0);
    const left = this.toks[this.k];
    if (left) fail('UNBALANCED_PAREN', 'a closing parenthesis without an opening one', left.pos, left.len);
    return e;
  }

  private or(depth: number): FilterExpr {
    const items = [this.and(depth)];
    while (this.toks[this.k]?.t === 'or') {
      this.k++;
      items.push(this.and(depth));
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private and(depth: number): FilterExpr {
    const items = [this.unary(depth)];
    for (;;) {
      const t = this.toks[this.k];
      if (t?.t === 'and') { this.k++; items.push(this.unary(depth)); continue; }
      if (t?.t === 'term' || t?.t === 'lp' || t?.t === 'not') { items.push(this.unary(depth)); continue; }
      break;
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private unary(depth: number): FilterExpr {
    const t = this.toks[this.k];
    if (!t) return fail('EXPECTED_TERM', 'the filter ends where a term is expected', this.end, 0);
    if (depth >= MAX_FILTER_DEPTH && (t.t === 'not' || t.t === 'lp')) fail('TOO_DEEP', `more than ${MAX_FILTER_DEPTH} nested ! or (`, t.pos, t.len);
    this.k++;
    switch (t.t) {
      case 'not': return { kind: 'not', item: this.unary(depth + 1) };
      case 'lp': {
        if (this.toks[this.k]?.t === 'rp') fail('EMPTY_GROUP', 'empty parentheses', t.pos, this.toks[this.k].pos + 1 - t.pos);
        const e = this.or(depth + 1);
        if (this.toks[this.k]?.t !== 'rp') fail('UNBALANCED_PAREN', 'this parenthesis is not closed', t.pos, 1);
        this.k++;
        return e;
      }
      case 'term': {
        const r = readTerm(t.key, t.value, t.quoted);
        if ('where' in r) {
          if (r.where === 'key') fail(r.code, r.message, t.pos, (t.key ?? '').length);
          else fail(r.code, r.message, t.valuePos, t.pos + t.len - t.valuePos);
        }
        return r as FilterExpr;
      }
      case 'rp': return fail('UNBALANCED_PAREN', 'a closing parenthesis without an opening one', t.pos, t.len);
      default: return fail('EXPECTED_TERM', `"${t.t === 'or' ? 'or' : t.t}" needs a term before and after it`, t.pos, t.len);
    }
  }
}

/** Parses filter text; never throws. The empty (or all-blank) text is `{ kind: 'all' }`. */
export function parseFilter(text: string): FilterParse {
  try {
    if (text.length > MAX_FILTER_LENGTH) fail('TOO_LONG', `a filter has at most ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH, text.length - MAX_FILTER_LENGTH);
    return { ok: true, expr: new Parser(lex(text), text.length).parse() };
  } catch (err) {
    if (err instanceof SyntaxFail) return { ok: false, error: err.e };
    // A bug, not the user's input: still an error value, never an exception into the view's key handler.
    return { ok: false, error: { code: 'INTERNAL', message: `internal error: ${(err as Error)?.message ?? err}`, pos: 0, len: text.length } };
  }
}

/** The canonical text of a filter: parseFilter(printFilter(e)) gives `e` back; `or` and `!` are spelled so. */
export function printFilter(e: FilterExpr): string {
  switch (e.kind) {
    case 'all': return '';
    case 'and': return e.items.map((x) => (x.kind === 'and' || x.kind === 'or' ? `(${printFilter(x)})` : printFilter(x))).join(' ');
    case 'or': return e.items.map((x) => (x.kind === 'or' ? `(${printFilter(x)})` : printFilter(x))).join(' or ');
    case 'not': return `!${e.item.kind === 'and' || e.item.kind === 'or' ? `(${printFilter(e.item)})` : printFilter(e.item)}`;
    default: return termText(e);
  }
}
