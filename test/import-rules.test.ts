// Enforces the dependency rules of house style §2 by reading import statements:
// netlink/ imports only node: builtins and itself; only the kernel boundary lib/kernel/ in lib/ imports netlink/;
// tui/ and server/ import lib/ only (never netlink/, never each other), and of lib/ neither the kernel boundary
// nor the CLI modes; only the composition root lib/cli.ts imports tui/ or server/, and the server's own root
// lib/conntopd.ts imports server/ (never tui/); nothing imports lib/cli.ts; no cycles.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { importsOf, tsFiles } from './helpers/sources.js';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const LAYERS = ['netlink', 'lib', 'tui', 'server'];
/** conntopd's composition root: besides lib/cli.ts, the one lib file that may import server/ (and only server/). */
const SERVER_ROOT = 'lib/conntopd.ts';

/** The kernel boundary: the only lib/ code that may import netlink/. */
function isKernelBoundary(rel: string): boolean {
  return rel.startsWith('lib/kernel/');
}

const all = LAYERS.flatMap((l) => tsFiles(join(root, l)));
const edges = new Map<string, string[]>();
const violations: string[] = [];

for (const file of all) {
  const rel = relative(root, file);
  const layer = rel.split('/')[0];
  const deps: string[] = [];
  for (const { spec } of importsOf(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('.')) {
      const target = relative(root, resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      deps.push(target);
      const tl = target.split('/')[0];
      if (target === 'lib/cli.ts') violations.push(`${rel} imports lib/cli.ts (the composition root)`);
      if (layer === 'netlink' && tl !== 'netlink') violations.push(`${rel} (netlink/) imports ${target}`);
      if (layer === 'lib' && tl === 'netlink' && !isKernelBoundary(rel)) violations.push(`${rel} imports netlink/ (only lib/kernel/ may)`);
      if ((layer === 'tui' || layer === 'server') && tl !== 'lib' && tl !== layer) violations.push(`${rel} imports ${target} (${layer}/ may import lib/ only)`);
      if ((layer === 'tui' || layer === 'server') && (isKernelBoundary(target) || target === 'lib/modes.ts' || target === 'lib/once.ts')) violations.push(`${rel} imports ${target} (${layer}/ sees sources through lib/source.ts and sessions, never the kernel boundary or the CLI modes)`);
      if (layer === 'lib' && (tl === 'tui' || tl === 'server') && rel !== 'lib/cli.ts' && !(rel === SERVER_ROOT && tl === 'server')) violations.push(`${rel} imports ${target} (lib/ must not depend on ${tl}/)`);
    } else if (layer === 'netlink' && !spec.startsWith('node:')) {
      violations.push(`${rel} (netlink/) imports package ${spec}; only node: builtins are allowed`);
    } else if ((layer === 'tui' || layer === 'server') && spec === 'netlink') {
      violations.push(`${rel} imports the netlink package`);
    }
  }
  edges.set(rel, deps);
}

// The socket shim is loaded through createRequire in netlink/socket.ts, the one file allowed to touch AF_NETLINK.
for (const file of all) {
  const rel = relative(root, file);
  if (rel !== 'netlink/socket.ts' && /netlink\/dist\/raw/.test(readFileSync(file, 'utf8'))) violations.push(`${rel} loads the socket shim (only netlink/socket.ts may)`);
}

function findCycle(): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of edges.keys()) if (!state.has(n)) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

t.ok(all.length > 10, 'found the sources');
t.same(violations, [], 'no import breaks the layer rules');
t.equal(findCycle(), null, 'no import cycle');

t.test('the checker itself catches a violation', async (t) => {
  t.ok(isKernelBoundary('lib/kernel/wire-pipeline.ts'));
  t.notOk(isKernelBoundary('lib/kernel-other.ts'));
  t.same(importsOf("import { a } from '../netlink/x.js';\nexport * from './y.js';\nconst z = await import('./z.js');").map((i) => i.spec), ['../netlink/x.js', './y.js', './z.js']);
});
