import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNICODE, UNICODE_TO_BYTE, bytesToUnicodeString, unicodeStringToBytes } from './byte-unicode.js';
import { utf8Decode, utf8Encode, isValidUtf8 } from './utf8.js';

describe('byte <-> unicode (GPT-2 bytes_to_unicode)', () => {
  it('maps known bytes like GPT-2', () => {
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ');
    expect(BYTE_TO_UNICODE[0x0a]).toBe('Ċ');
    expect(BYTE_TO_UNICODE[0x00]).toBe('Ā');
    expect(BYTE_TO_UNICODE[0x61]).toBe('a');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń'); // soft hyphen is the 68th non-printable byte
    expect(bytesToUnicodeString([0x20, 0x68, 0x69])).toBe('Ġhi');
  });
  it('is a bijection on 256 bytes', () => {
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    for (let b = 0; b < 256; b++) expect(UNICODE_TO_BYTE[BYTE_TO_UNICODE[b]!.charCodeAt(0)]).toBe(b);
    expect([...unicodeStringToBytes('ĠhiĊ')!]).toEqual([0x20, 0x68, 0x69, 0x0a]);
    expect(unicodeStringToBytes('▁x')).toBeUndefined();
  });
});

describe('utf8', () => {
  it('encodes like TextEncoder, lone surrogates as U+FFFD', () => {
    for (const s of ['', 'abc', 'é', '中文', '😀', 'a\ud800b', '\udc00', 'x\ud83d']) {
      expect([...utf8Encode(s)]).toEqual([...new TextEncoder().encode(s)]);
    }
  });
  it('decodes invalid bytes to U+FFFD and reports validity', () => {
    expect(utf8Decode(Uint8Array.of(0x61, 0xe2, 0x82))).toBe('a\ufffd');
    expect(isValidUtf8(Uint8Array.of(0xe2, 0x82, 0xac))).toBe(true);
    expect(isValidUtf8(Uint8Array.of(0xe2, 0x82))).toBe(false);
  });
});
