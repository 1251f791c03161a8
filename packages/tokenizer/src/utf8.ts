/**
 * UTF-8 helpers used on the hot path. Encoding follows the WHATWG encoder (what `TextEncoder` does): a lone
 * surrogate code unit is encoded as U+FFFD (EF BF BD), so every JS string has a defined byte sequence.
 * Decoding replaces each invalid sequence with U+FFFD (WHATWG "replacement" mode), never throws.
 */

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Write the UTF-8 bytes of `text[start, end)` into `out` from index 0 and return the byte count.
 * `out` must hold at least `3 * (end - start)` bytes (the worst case for UTF-16 input).
 */
export function utf8EncodeInto(text: string, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xef; // lone surrogate -> U+FFFD
        out[n++] = 0xbf;
        out[n++] = 0xbd;
      }
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/** UTF-8 bytes of a whole string (lone surrogates become U+FFFD). */
export function utf8Encode(text: string): Uint8Array {
  const buf = new Uint8Array(text.length * 3);
  const n = utf8EncodeInto(text, 0, text.length, buf);
  return buf.slice(0, n);
}

/** Decode UTF-8, replacing invalid sequences with U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** True when `bytes` is well-formed UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
