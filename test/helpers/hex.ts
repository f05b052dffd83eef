// Test helper: annotated byte literals. `hx` takes hex with `#` comments and `|` separators, so each
// field can be written on its own line next to its meaning (house style §6.1). Imports nothing.
// Netlink headers are host order: literals written little-endian are only meaningful on LE hosts.

/** Bytes from annotated hex: whitespace and `|` are ignored, `#` starts a comment to end of line. */
export function hx(text: string | TemplateStringsArray): Uint8Array {
  const s = (typeof text === 'string' ? text : text.join('')).replace(/#[^\n]*/g, '').replace(/[\s|]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new Error(`bad hex literal: ${s}`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** Lower-case hex of bytes, for readable diffs. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Concatenates byte arrays. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
