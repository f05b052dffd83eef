// The committed JSON Schema files (docs/schema/) are exactly what the TypeBox definitions generate, so they
// never drift: after changing lib/schema/, run `npm run schema` and commit the files.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EVENTS_SCHEMA_VERSION } from '../../../lib/schema/events.js';
import { schemaFiles } from '../../../lib/schema/files.js';

const dir = join(resolve(import.meta.dirname, '../../..'), 'docs/schema');

t.test('docs/schema holds exactly the generated files', async (t) => {
  const files = schemaFiles();
  t.same(readdirSync(dir).filter((f) => f.endsWith('.json')).sort(), Object.keys(files).sort(), 'no stale or missing file');
  for (const [name, text] of Object.entries(files)) t.equal(readFileSync(join(dir, name), 'utf8'), text, `${name} is up to date (npm run schema)`);
});

t.test('every file names the schema version in its $id and in x-conntop-schema-version', async (t) => {
  for (const text of Object.values(schemaFiles())) {
    const s = JSON.parse(text) as { $id: string; 'x-conntop-schema-version': number; $schema: string };
    t.equal(s['x-conntop-schema-version'], EVENTS_SCHEMA_VERSION);
    t.match(s.$id, new RegExp(`^urn:conntop:schema:[a-z]+:v${EVENTS_SCHEMA_VERSION}$`));
    t.ok(s.$schema.startsWith('http://json-schema.org/'));
  }
});

// The files work outside TypeBox: a second implementation reads them as draft-07 and agrees on good and bad lines.
const PY_CHECK = String.raw`
import json, sys, jsonschema
d, g = sys.argv[1], sys.argv[2]
out = []
for schema, fixture in (('events.schema.json', 'events-lifecycle.jsonl'), ('flow.schema.json', 'once-mixed.jsonl')):
    s = json.load(open(d + '/' + schema))
    jsonschema.Draft7Validator.check_schema(s)
    v = jsonschema.Draft7Validator(s)
    lines = [json.loads(l) for l in open(g + '/' + fixture)]
    bad = [dict(l, atMs='1') if 'atMs' in l else dict(l, id='1') for l in lines]
    out.append([sum(v.is_valid(l) for l in lines), len(lines), sum(v.is_valid(l) for l in bad)])
print(json.dumps(out))
`;
const hasPyJsonschema = spawnSync('python3', ['-c', 'import jsonschema'], { stdio: 'ignore' }).status === 0;

t.test('Python jsonschema accepts the files and agrees on the golden lines', { skip: hasPyJsonschema ? false : 'python3 jsonschema is not installed' }, async (t) => {
  const golden = join(resolve(import.meta.dirname, '../../..'), 'test/fixtures/golden');
  const r = spawnSync('python3', ['-c', PY_CHECK, dir, golden], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  for (const [valid, total, badValid] of JSON.parse(r.stdout) as number[][]) {
    t.equal(valid, total, `all ${total} lines valid`);
    t.equal(badValid, 0, 'none valid with a string where a number belongs');
  }
});
