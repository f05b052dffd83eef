// Tests for server/protocol.ts, protocol-flow.ts and protocol-check.ts: real kernel flows (the golden
// captures' JSON) validate against the flow schema; every message kind round-trips; bad values are refused
// with a typed code; server/schema/*.json and the checks in protocol-checks.generated.ts are exactly what
// the TypeBox definitions generate (CONNTOP_WRITE_SCHEMA=1 rewrites them).
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FlowSchema } from '../../server/protocol-flow.js';
import { checkClientMessage, checkServerMessage, explainClientMessage, explainServerMessage, parseJson } from '../../server/protocol-check.js';
import { SCHEMA_FILES } from '../../server/protocol.js';
import { checksModuleText } from '../../server/protocol-codegen.js';
import { mkFlow } from '../helpers/serve-harness.js';

const root = resolve(import.meta.dirname, '../..');
const flowCheck = TypeCompiler.Compile(FlowSchema);

t.test('kernel flows from the golden captures are valid wire flows', async (t) => {
  const lines = readFileSync(join(root, 'test/fixtures/golden/once-mixed.jsonl'), 'utf8').split('\n').filter(Boolean);
  t.ok(lines.length > 5);
  for (const l of lines) t.ok(flowCheck.Check(JSON.parse(l)), l.slice(0, 80));
  const events = readFileSync(join(root, 'test/fixtures/golden/events-lifecycle.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { flow?: unknown }).filter((e) => e.flow);
  for (const e of events) t.ok(flowCheck.Check(e.flow));
  t.ok(flowCheck.Check({ ...mkFlow(1), counters: { orig: { packets: 1, bytes: Number.MAX_SAFE_INTEGER }, reply: { packets: 0, bytes: 0 }, saturated: true } }), 'a saturated counter');
});

t.test('messages are checked by type; bad ones get a code', async (t) => {
  const nonce = 'ab'.repeat(32);
  const ok = [
    { type: 'hello', protocol: 'conntop', versions: [2], name: 'x', capabilities: [], nonce },
    { type: 'hello', protocol: 'conntop', versions: [2, 3], name: 'x', capabilities: ['filter'], nonce, filter: { families: ['ipv6'], ports: [22], marks: [{ mark: 1, mask: 255 }], zones: [0], protocols: [6] } },
    { type: 'auth', hmac: nonce },
    { type: 'heartbeat', atMs: 5 },
    { type: 'resync' },
    { type: 'bye', reason: 'done' },
  ];
  for (const m of ok) t.ok(checkClientMessage(m).ok, JSON.stringify(m));
  const cases: [unknown, string][] = [
    [undefined, 'bad-json'],
    [parseJson('{"type":'), 'bad-json'],
    [[1], 'bad-message'],
    ['hello', 'bad-message'],
    [{ type: 'hello' }, 'bad-message'],
    [{ type: 'hello', protocol: 'conntop', versions: [2], name: 'x'.repeat(257), capabilities: [], nonce }, 'bad-message'],
    [{ type: 'hello', protocol: 'conntop', versions: [2], name: 'x', capabilities: [], nonce: 'zz' }, 'bad-message'],
    [{ type: 'hello', protocol: 'conntop', versions: [2], name: 'x', capabilities: [], nonce, extra: 1 }, 'bad-message'],
    [{ type: 'auth', hmac: 'AB'.repeat(32) }, 'bad-message'],
    [{ type: '__proto__' }, 'bad-message'],
    [{ type: 'toString' }, 'bad-message'],
  ];
  for (const [v, code] of cases) {
    const c = checkClientMessage(v);
    t.equal(c.ok ? 'ok' : c.code, code, JSON.stringify(v)?.slice(0, 60));
  }
  t.ok(checkServerMessage({ type: 'new', atMs: 1, ref: 1, flow: mkFlow(3) }).ok);
  t.ok(checkServerMessage({ type: 'update', atMs: 1, ref: 1, set: { state: 'CLOSE', counters: mkFlow(1).counters } }).ok);
  t.notOk(checkServerMessage({ type: 'update', atMs: 1, ref: 1, set: { id: 5 } }).ok, 'an update cannot change the key');
  t.notOk(checkServerMessage({ type: 'new', atMs: 1, ref: 0, flow: mkFlow(3) }).ok, 'refs start at 1');
});

t.test('server/schema/*.json are generated from the TypeBox definitions', async (t) => {
  const dir = join(root, 'server/schema');
  const want = new Map(Object.entries(SCHEMA_FILES).map(([name, s]) => [`${name}.json`, `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: name, ...s }, null, 2)}\n`]));
  if (process.env.CONNTOP_WRITE_SCHEMA === '1') {
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of want) writeFileSync(join(dir, f), text);
  }
  t.ok(existsSync(dir), 'server/schema exists (CONNTOP_WRITE_SCHEMA=1 npx tap test/server/protocol.test.ts writes it)');
  t.same(readdirSync(dir).filter((f) => f.endsWith('.json')).sort(), [...want.keys()].sort(), 'one file per schema, no stale ones');
  for (const [f, text] of want) t.equal(readFileSync(join(dir, f), 'utf8'), text, `${f} is up to date`);
});

t.test('protocol-checks.generated.ts is TypeCompiler\'s code for the TypeBox definitions', async (t) => {
  const file = join(root, 'server/protocol-checks.generated.ts');
  const want = checksModuleText();
  if (process.env.CONNTOP_WRITE_SCHEMA === '1') writeFileSync(file, want);
  t.equal(readFileSync(file, 'utf8'), want, 'up to date (CONNTOP_WRITE_SCHEMA=1 npx tap test/server/protocol.test.ts rewrites it)');
});

t.test('a refused message is explained by TypeBox (loaded then), a bad line by its code', async (t) => {
  const bad = { type: 'hello', protocol: 'conntop', versions: [2], name: 'x'.repeat(300), capabilities: [], nonce: 'ab'.repeat(32) };
  const c = checkClientMessage(bad);
  if (c.ok) return t.fail('accepted');
  t.match(await explainClientMessage(c, bad), /^hello\/name: /, 'names the path');
  const s = checkServerMessage({ type: 'new', atMs: 1, ref: 0, flow: mkFlow(3) });
  if (s.ok) return t.fail('accepted');
  t.match(await explainServerMessage(s, { type: 'new', atMs: 1, ref: 0, flow: mkFlow(3) }), /^new\/ref: /);
  const j = checkClientMessage(undefined);
  if (j.ok) return t.fail('accepted');
  t.equal(await explainClientMessage(j, undefined), j.detail, 'not JSON stays as it is');
});
