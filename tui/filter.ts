// tui/ layer: the filter prompt's compiler, on lib's filter language (parseFilter, compileFilter): text in,
// a row predicate or the parse error's code and position out. Imports lib/ and tui/ only.
import { compileFilter, filterNeedsEnrichment, parseFilter } from '../lib/filter-expr.js';
import type { FilterResult } from './ports.js';

/** Compiles filter text for the view; rows whose match needs enrichment not known yet do not match. */
export function compileViewFilter(text: string): FilterResult {
  const p = parseFilter(text);
  if (!p.ok) return { ok: false, error: { code: p.error.code, message: p.error.message, pos: p.error.pos } };
  return { ok: true, test: compileFilter(p.expr), needsEnrichment: filterNeedsEnrichment(p.expr) };
}
