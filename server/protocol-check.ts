// server/ layer: parses and validates one line against protocol.ts's schemas, compiled once with TypeBox's
// TypeCompiler. Imports @sinclair/typebox and ./protocol*. Never throws: a bad line yields a typed error.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { CLIENT_MESSAGES, SERVER_MESSAGES, type ClientMessage, type ServerMessage } from './protocol.js';

/** A parsed line: the message, or why it was refused (`bad-json`, `bad-message`) with a short detail. */
export type Checked<M> = { ok: true; msg: M } | { ok: false; code: 'bad-json' | 'bad-message'; detail: string };

type Compiled = Record<string, TypeCheck<TSchema>>;

function compileAll(schemas: Record<string, TSchema>): Compiled {
  const out: Compiled = Object.create(null) as Compiled;
  for (const [k, s] of Object.entries(schemas)) out[k] = TypeCompiler.Compile(s);
  return out;
}

const clientChecks = compileAll(CLIENT_MESSAGES);
const serverChecks = compileAll(SERVER_MESSAGES);

/** JSON.parse without throwing; `undefined` for text that is not JSON. */
export function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function check<M>(checks: Compiled, value: unknown): Checked<M> {
  if (value === undefined) return { ok: false, code: 'bad-json', detail: 'not JSON' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, code: 'bad-message', detail: 'not an object' };
  const type = (value as { type?: unknown }).type;
  const c = typeof type === 'string' && Object.hasOwn(checks, type) ? checks[type] : undefined;
  if (!c) return { ok: false, code: 'bad-message', detail: `unknown message type ${JSON.stringify(type)?.slice(0, 40)}` };
  if (c.Check(value)) return { ok: true, msg: value as M };
  const first = c.Errors(value).First();
  return { ok: false, code: 'bad-message', detail: first ? `${type}${first.path}: ${first.message}` : `invalid ${type}` };
}

/** Validates a parsed value as a client message (after its hello, or the hello itself). */
export function checkClientMessage(value: unknown): Checked<ClientMessage> {
  return check<ClientMessage>(clientChecks, value);
}

/** Validates a parsed value as a server message. */
export function checkServerMessage(value: unknown): Checked<ServerMessage> {
  return check<ServerMessage>(serverChecks, value);
}
