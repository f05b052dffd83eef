// server/ layer: parses and validates one line against protocol.ts's schemas, through TypeCompiler's code
// for them (protocol-checks.generated.ts), so that no TypeBox module is loaded to accept a message. Why a
// message was refused is worked out by TypeBox itself, loaded then (explainClientMessage and its twin).
// Imports ./protocol-checks.generated and, lazily, ./protocol and TypeBox. Never throws.
import { CLIENT_CHECKS, SERVER_CHECKS } from './protocol-checks.generated.js';
import type { ClientMessage, ServerMessage } from './protocol.js';

/** A parsed line: the message, or why it was refused (`bad-json`, `bad-message`) with a short detail. */
export type Checked<M> = { ok: true; msg: M } | { ok: false; code: 'bad-json' | 'bad-message'; detail: string };

type Checks = Readonly<Record<string, (value: unknown) => boolean>>;

/** JSON.parse without throwing; `undefined` for text that is not JSON. */
export function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function check<M>(checks: Checks, value: unknown): Checked<M> {
  if (value === undefined) return { ok: false, code: 'bad-json', detail: 'not JSON' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, code: 'bad-message', detail: 'not an object' };
  const type = (value as { type?: unknown }).type;
  const c = typeof type === 'string' && Object.hasOwn(checks, type) ? checks[type] : undefined;
  if (!c) return { ok: false, code: 'bad-message', detail: `unknown message type ${JSON.stringify(type)?.slice(0, 40)}` };
  if (c(value)) return { ok: true, msg: value as M };
  return { ok: false, code: 'bad-message', detail: `invalid ${type}` };
}

/** Validates a parsed value as a client message (after its hello, or the hello itself). */
export function checkClientMessage(value: unknown): Checked<ClientMessage> {
  return check<ClientMessage>(CLIENT_CHECKS, value);
}

/** Validates a parsed value as a server message. */
export function checkServerMessage(value: unknown): Checked<ServerMessage> {
  return check<ServerMessage>(SERVER_CHECKS, value);
}

/** The first schema error of a refused message, as `type/path: message` (loads TypeBox: refusals only). */
async function explain(side: 'client' | 'server', refused: Checked<unknown> & { ok: false }, value: unknown): Promise<string> {
  if (refused.code !== 'bad-message' || !refused.detail.startsWith('invalid ')) return refused.detail;
  try {
    const [{ CLIENT_MESSAGES, SERVER_MESSAGES }, { Value }] = await Promise.all([import('./protocol.js'), import('@sinclair/typebox/value')]);
    const type = (value as { type: string }).type;
    const schema = (side === 'client' ? CLIENT_MESSAGES : SERVER_MESSAGES)[type as keyof typeof CLIENT_MESSAGES & keyof typeof SERVER_MESSAGES];
    const first = Value.Errors(schema, value).First();
    return first ? `${type}${first.path}: ${first.message}` : refused.detail;
  } catch {
    return refused.detail;
  }
}

/** Why checkClientMessage refused `value` (its detail, made precise by TypeBox). */
export function explainClientMessage(refused: Checked<unknown> & { ok: false }, value: unknown): Promise<string> {
  return explain('client', refused, value);
}

/** Why checkServerMessage refused `value` (its detail, made precise by TypeBox). */
export function explainServerMessage(refused: Checked<unknown> & { ok: false }, value: unknown): Promise<string> {
  return explain('server', refused, value);
}
