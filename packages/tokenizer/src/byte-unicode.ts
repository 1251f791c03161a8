/**
 * GPT-2's reversible byte <-> printable-character mapping (Radford et al. 2019, `bytes_to_unicode` in
 * openai/gpt-2 `encoder.py`). Byte-level BPE vocabularies store each token as a string of these
 * characters, so that every byte sequence has a printable, whitespace-free spelling.
 *
 * Bytes 0x21..0x7E ('!'..'~'), 0xA1..0xAC and 0xAE..0xFF map to the code point of the same value; the
 * remaining 68 bytes (controls, space, DEL, NBSP, soft hyphen) map in increasing order to U+0100, U+0101, ...
 * Example: byte 0x20 (space) -> 'Ġ' (U+0120), byte 0x0A (newline) -> 'Ċ' (U+010A), 'a' -> 'a'.
 */

function buildByteToUnicode(): readonly string[] {
  const out = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + next++);
  }
  return out;
}

/** `BYTE_TO_UNICODE[b]` is the one-character spelling of byte `b` (length 256). */
export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

/** Inverse of {@link BYTE_TO_UNICODE}: char code -> byte, -1 where the char is not a byte spelling (length 324). */
export const UNICODE_TO_BYTE: Int16Array = (() => {
  const inv = new Int16Array(324).fill(-1);
  BYTE_TO_UNICODE.forEach((ch, b) => {
    inv[ch.charCodeAt(0)] = b;
  });
  return inv;
})();

/** Spell bytes as byte-level characters: `bytesToUnicodeString([0x20, 0x68, 0x69]) === 'Ġhi'`. */
export function bytesToUnicodeString(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_UNICODE[bytes[i]! & 0xff]!;
  return s;
}

/**
 * Bytes of a byte-level token string, or undefined when a character is not a byte spelling
 * (`unicodeStringToBytes('Ġhi')` -> [0x20, 0x68, 0x69]).
 */
export function unicodeStringToBytes(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < UNICODE_TO_BYTE.length ? UNICODE_TO_BYTE[c]! : -1;
    if (b < 0) return undefined;
    out[i] = b;
  }
  return out;
}
