// The committed JSON Schema files (docs/schema/) are exactly what the TypeBox definitions generate, so they
// never drift: after changing lib/schema/, run `npm run schema` and commit the files.
import t from 'tap';
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
