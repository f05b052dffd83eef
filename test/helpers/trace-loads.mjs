// Test helper: `node --import ./trace-loads.mjs app.js` records every module the app loads (ESM through a
// load hook, CommonJS from require.cache at exit) in the file named by CONNTOP_TRACE_LOADS, one URL a line.
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const out = process.env.CONNTOP_TRACE_LOADS;
if (out) {
  register('./trace-loads-hooks.mjs', import.meta.url, { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const cjs = Object.keys(require.cache);
    if (cjs.length > 0) appendFileSync(out, `${cjs.map((p) => `file://${p}`).join('\n')}\n`);
  });
}
