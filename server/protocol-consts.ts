// server/ layer: the protocol's constants, apart from its TypeBox schemas (protocol.ts re-exports them), so
// that the connection code reads them without loading TypeBox (about 10 MiB of conntopd's RSS). Imports nothing.

/** Our protocol version; a peer offering none we speak gets an `unsupported-version` error. */
export const PROTOCOL_VERSION = 2;
/** The protocol name in both hellos. */
export const PROTOCOL_NAME = 'conntop';
/** Longest line the server accepts from a client, newline excluded (bytes); longer lines are refused unparsed. */
export const MAX_CLIENT_LINE_BYTES = 64 * 1024;
/** Longest line a client accepts from a server (bytes): snapshot chunks stay far below it. */
export const MAX_SERVER_LINE_BYTES = 4 * 1024 * 1024;
