// Module headers that say what a file imports stay true (house style §10: such headers go stale). A header's
// first "Imports …" sentence is read when it is one of two kinds: "Imports nothing" (or "nothing at runtime"),
// and a list ending in "only" made of layers (lib/, tui/, server/, netlink/, fuzz/, optionally "types"),
// node: builtins, files (./x, lib/x.ts) and packages. Every import of the file must then fit the claim. Other
// wordings ("Imports lib/ and node: builtins, and …") are not read: they are prose, checked by review.
// Imports tap, node: builtins and ./helpers/sources.ts (the source walker and import parser the import rules use).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { importsOf, tsFiles, type SourceImport } from './helpers/sources.js';

const root = resolve(import.meta.dirname, '..');

/** An import of a file, with the file it names relative to the root (relative specifiers; null for packages and builtins). */
interface Imported extends SourceImport {
  target: string | null;
}

/** The imports of `src`, a file at `rel`, with their targets. */
function importedBy(src: string, rel: string): Imported[] {
  return importsOf(src).map((i) => ({ ...i, target: i.spec.startsWith('.') ? relative(root, resolve(root, dirname(rel), i.spec.replace(/\.js$/, '.ts'))) : null }));
}

/** The claim of a header: the words after its first "Imports", to the end of that sentence or clause. */
function claimOf(src: string): string | null {
  const head: string[] = [];
  for (const line of src.split('\n')) {
    if (!line.startsWith('//')) break;
    head.push(line.slice(2).trim());
  }
  const m = /\bImports (.+)/.exec(head.join(' '));
  if (!m) return null;
  // A sentence ends at ". " before a capital or a backquote; a clause at "; ", ": " or " (".
  const end = /\.\s+(?=[A-Z`])|\.$|;\s|:\s|\s\(/.exec(m[1]);
  return (end ? m[1].slice(0, end.index) : m[1]).trim();
}

type Fits = (i: Imported) => boolean;

/** One item of an "only" list, as a test on an import; null when the item is not one this test reads. */
function item(word: string, rel: string): Fits | null {
  let w = word.replace(/`/g, '').trim();
  const typesOnly = / types$/.test(w);
  w = w.replace(/ types$/, '');
  const fits = (f: Fits): Fits => (typesOnly ? (i) => i.typeOnly && f(i) : f);
  if (/^(lib|tui|server|netlink|fuzz)\/$/.test(w)) return fits((i) => i.target !== null && i.target.startsWith(w));
  if (w === 'node: builtins' || w === 'node builtins') return fits((i) => i.spec.startsWith('node:'));
  if (/^node:[\w/]+$/.test(w)) return fits((i) => i.spec === w);
  if (/^\.\/[\w/.-]+$/.test(w)) {
    const file = relative(root, resolve(root, dirname(rel), w.replace(/\.(js|ts)$/, '') + '.ts'));
    return fits((i) => i.target === file);
  }
  if (/^(lib|tui|server|netlink|fuzz)\/[\w/.-]+$/.test(w)) {
    const file = w.replace(/\.(js|ts)$/, '') + '.ts';
    return fits((i) => i.target === file);
  }
  if (/^@?[a-z][\w.-]*(\/[\w.-]+)?$/.test(w)) return fits((i) => i.spec === w || i.spec.startsWith(`${w}/`));
  return null;
}

/** What the claim allows, or null when this test does not read claims of its kind. */
function allows(claim: string, rel: string): Fits | null {
  if (claim === 'nothing') return () => false;
  if (claim === 'nothing at runtime') return (i) => i.typeOnly;
  if (!claim.endsWith(' only')) return null;
  const items = claim.slice(0, -' only'.length).split(/,\s*(?:and\s+)?|\s+and\s+/).map((w) => item(w, rel));
  if (items.some((f) => f === null)) return null;
  return (i) => items.some((f) => f!(i));
}

const sources = ['lib', 'netlink', 'tui', 'server', 'fuzz'].flatMap((d) => tsFiles(join(root, d)));
let read = 0;
const stale: string[] = [];
for (const file of sources) {
  const rel = relative(root, file);
  const src = readFileSync(file, 'utf8');
  const claim = claimOf(src);
  const fits = claim === null ? null : allows(claim, rel);
  if (!fits) continue;
  read++;
  for (const i of importedBy(src, rel)) {
    if (!fits(i)) stale.push(`${rel}: says "Imports ${claim}", imports ${i.typeOnly ? 'type ' : ''}${i.target ?? i.spec}`);
  }
}

t.ok(read >= 40, `the headers read are most of those that state imports (${read})`);
t.same(stale, [], 'every header that says what its file imports says it truly');

t.test('the checker reads the claims it is meant to, and catches a stale one', async (t) => {
  t.equal(claimOf('// lib/ layer: x. Imports ./flow only. More.\nimport a'), './flow only');
  t.equal(claimOf('// x. Imports lib/ only; the clock is passed in.\n'), 'lib/ only');
  t.equal(claimOf('// x. Imports lib/ only (no kernel): y.\n'), 'lib/ only');
  t.equal(claimOf('// x. Imports `node:path` and `node:url` only. Y.\n'), '`node:path` and `node:url` only');
  t.equal(claimOf('// no claim here\n'), null);
  const src = "import type { A } from './a.js';\nimport { b } from '../netlink/b.js';\nimport { readFileSync } from 'node:fs';\n";
  const imps = importedBy(src, 'lib/x.ts');
  t.same(imps.map((i) => [i.spec, i.typeOnly, i.target]), [['./a.js', true, 'lib/a.ts'], ['../netlink/b.js', false, 'netlink/b.ts'], ['node:fs', false, null]]);
  const check = (claim: string): boolean[] => imps.map((i) => allows(claim, 'lib/x.ts')!(i));
  t.same(check('lib/ types, netlink/ and node: builtins only'), [true, true, true]);
  t.same(check('lib/ only'), [true, false, false], 'a stale "lib/ only" is caught');
  t.same(check('./a and node:fs only'), [true, false, true]);
  t.same(check('nothing at runtime'), [true, false, false]);
  t.equal(allows('lib/ and whatever else only', 'lib/x.ts'), null, 'a list with words it does not read is not read');
  t.equal(allows('lib/ and node: builtins', 'lib/x.ts'), null, 'a list without "only" is not read');
});
