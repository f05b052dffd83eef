// Test helper: the project's TypeScript sources and the imports written in them, read as text, for the checks
// that hold the sources to house style (test/import-rules.test.ts, test/module-headers.test.ts). Imports node: builtins only.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The .ts files (not .d.ts) under `dir`, recursively; none when `dir` does not exist. */
export function tsFiles(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(tsFiles(p));
    else if (n.endsWith('.ts') && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** One import of a source: its module specifier, and whether it brings in types only (`import type`, `export type`). */
export interface SourceImport {
  spec: string;
  typeOnly: boolean;
}

/** The static and dynamic imports and re-exports written in `src`, in order. */
export function importsOf(src: string): SourceImport[] {
  const out: SourceImport[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) out.push({ spec: m[2] ?? m[3] ?? m[4], typeOnly: m[1] !== undefined });
  return out;
}
