import { describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import { GPT2_DIR } from '../test/helpers.js';
import { hashRange, PieceCache } from './piece-cache.js';
import { loadGpt2Dir } from './gpt2-files.js';
import { BpeTokenizer } from './bpe-tokenizer.js';

describe('PieceCache', () => {
  it('finds pieces by position without a substring, and tells colliding hashes apart', () => {
    const c = new PieceCache(1 << 16);
    const text = 'xx hello world';
    const h = hashRange(text, 3, 8);
    expect(h).toBe(hashRange('hello', 0, 5));
    const miss = c.find(text, 3, 8, h);
    expect(miss).toBeLessThan(0);
    c.insert(miss, 'hello', h, [31373]);
    const hit = c.find(text, 3, 8, h);
    expect(hit).toBeGreaterThanOrEqual(0);
    const out: number[] = [];
    c.emit(hit, out);
    expect(out).toEqual([31373]);
    // Same (forced) hash, same length, different text: must not match.
    expect(c.find('jello', 0, 5, h)).toBeLessThan(0);
    c.insert(c.find('jello', 0, 5, h), 'jello', h, [1, 2]);
    const out2: number[] = [];
    c.emit(c.find('jello', 0, 5, h), out2);
    expect(out2).toEqual([1, 2]);
    expect(c.size).toBe(2);
    // Growing keeps every entry findable.
    for (let i = 0; i < 5000; i++) c.insert(c.find(`p${i}`, 0, `p${i}`.length, hashRange(`p${i}`, 0, `p${i}`.length)), `p${i}`, hashRange(`p${i}`, 0, `p${i}`.length), [i]);
    expect(c.capacity).toBeGreaterThanOrEqual(16384);
    for (const i of [0, 777, 4999]) {
      const o: number[] = [];
      c.emit(c.find(`p${i}`, 0, `p${i}`.length, hashRange(`p${i}`, 0, `p${i}`.length)), o);
      expect(o).toEqual([i]);
    }
    expect(c.find('jello', 0, 5, h)).toBeGreaterThanOrEqual(0);
    expect(() => c.insert(c.find('jello', 0, 5, h), 'jello', h, [1])).toThrow(RangeError);
  });

  it('empties itself when half full and the tokenizer keeps giving the right ids', () => {
    const gpt2 = loadGpt2Dir(GPT2_DIR);
    const small = new BpeTokenizer({ model: gpt2.model, cacheSize: 8 }); // 1024 slots, emptied at 512 pieces
    const ref = getEncoding('gpt2');
    const words: string[] = [];
    for (let i = 0; i < 3000; i++) words.push(`w${(i * 7919) % 10007}x${i % 13}`);
    const text = words.join(' ');
    expect(small.encode(text)).toEqual(ref.encode(text));
    expect(small.encode(text)).toEqual(ref.encode(text));
  });
});
