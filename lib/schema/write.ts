// lib/ layer (schema), a build script: writes docs/schema/*.json from ./files.ts (`npm run schema`).
// Not imported by anything; run after a change to the definitions and commit the files it writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { schemaFiles } from './files.js';

// dist/lib/schema/write.js → the checkout's docs/schema.
const dir = join(resolve(import.meta.dirname, '../../..'), 'docs/schema');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(schemaFiles())) {
  writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote docs/schema/${name}\n`);
}
