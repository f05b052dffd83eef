// fuzz/ (property tests): the settings file format (lib/settings.ts). Any JSON value reads without throwing
// (bad parts become warnings, older versions are migrated), and any valid Settings written and read back
// (through the migration, as loadSettings reads them) are equal, with no warning.
// Imports fast-check and lib/settings.ts.
import { deepStrictEqual } from 'node:assert';
import fc from 'fast-check';
import { migrateSettings, settingsFromJson, settingsJson, type Settings } from '../lib/settings.js';
import type { PropOptions } from './harness.js';

/** Plain objects, as JSON.parse makes them (deepStrictEqual compares prototypes). */
const NP = { noNullPrototype: true } as const;
const id = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/);
const settingsArb: fc.Arbitrary<Settings> = fc.record({
  columns: fc.option(fc.array(fc.record({ id, width: fc.option(fc.integer({ min: 1, max: 500 })) }, NP), { maxLength: 30 })),
  sort: fc.option(fc.record({ column: id, descending: fc.boolean() }, NP)),
  meters: fc.option(fc.array(id, { maxLength: 10 })),
  theme: id,
  toggles: fc.record({
    names: fc.boolean(), services: fc.boolean(), bits: fc.boolean(), totals: fc.boolean(),
    source: fc.constantFrom('orig' as const, 'local' as const), activeOnly: fc.boolean(), ghosts: fc.boolean(),
  }, NP),
  refreshSec: fc.double({ min: 0.1, max: 3600, noNaN: true }),
  filter: fc.constantFrom('', 'proto:tcp', '!local or port:443', 'org:"Google LLC"'),
}, NP);

/** Written settings read back equal, without warnings. */
export function propSettingsRoundTrip(o: PropOptions): void {
  fc.assert(fc.property(settingsArb, (s) => {
    const warnings: string[] = [];
    deepStrictEqual(settingsFromJson(migrateSettings(JSON.parse(settingsJson(s))), warnings), s);
    deepStrictEqual(warnings, []);
  }), { numRuns: o.numRuns, seed: o.seed });
}

/** Any JSON value (and any object with the known keys set to anything) reads as Settings without throwing. */
export function propSettingsAnyJson(o: PropOptions): void {
  const keys = fc.constantFrom('version', 'columns', 'sort', 'meters', 'theme', 'toggles', 'refreshSec', 'filter', '__proto__', 'constructor');
  const anyObject = fc.dictionary(keys, fc.jsonValue(), { maxKeys: 8 });
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), anyObject, fc.record({ toggles: fc.dictionary(fc.string(), fc.jsonValue()) })), (raw) => {
    const w: string[] = [];
    const s = settingsFromJson(migrateSettings(JSON.parse(JSON.stringify(raw))), w);
    if (typeof s.refreshSec !== 'number' || typeof s.toggles.names !== 'boolean') throw new Error('settings lost their shape');
  }), { numRuns: o.numRuns, seed: o.seed });
}
