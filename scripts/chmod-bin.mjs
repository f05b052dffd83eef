// Build step: the CLI entry must be executable for `npm install -g` and `npx conntop`.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/lib/cli.js', import.meta.url), 0o755);
