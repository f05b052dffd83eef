// lib/ layer (schema): the text of the JSON Schema files under docs/schema/, generated from the TypeBox
// definitions (written by `npm run schema`, held equal by test/lib/schema/files.test.ts). Imports ./ files.
import type { TSchema } from '@sinclair/typebox';
import { EVENTS_SCHEMA_VERSION, EventsLineSchema, FlowLineSchema } from './events.js';

/** The draft the generated files declare (TypeBox emits keywords of draft-07 and later). */
const DRAFT = 'http://json-schema.org/draft-07/schema#';

function fileText(schema: TSchema): string {
  // JSON.stringify drops TypeBox's symbol keys; `x-conntop-schema-version` repeats the version for readers
  // that do not parse `$id`s (validators ignore unknown keywords).
  const { $id, title, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return `${JSON.stringify({ $schema: DRAFT, $id, title, 'x-conntop-schema-version': EVENTS_SCHEMA_VERSION, ...rest }, null, 2)}\n`;
}

/** File name under docs/schema/ → file text, for every published schema. */
export function schemaFiles(): Record<string, string> {
  return {
    'flow.schema.json': fileText(FlowLineSchema),
    'events.schema.json': fileText(EventsLineSchema),
  };
}
