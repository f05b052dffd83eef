// Test helper: the loader hooks of trace-loads.mjs (they run on the loader thread): append each URL loaded.
import { appendFileSync } from 'node:fs';

let out = '';
export function initialize(data) {
  out = data.out;
}
export async function load(url, context, next) {
  appendFileSync(out, `${url}\n`);
  return next(url, context);
}
