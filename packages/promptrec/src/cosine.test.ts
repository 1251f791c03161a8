import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { trainBpe } from '@xrec/tokenizer';
import { initBackend, resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { embedTexts, MOVIELENS_SCHEMA, profileCosineScores, schemaUserText } from './index.js';

describe('profile-embedding cosine baseline', () => {
  it('scores cos · 0.5 + 0.5 of mean-pooled sentence embeddings; padding and batching change nothing', async () => {
    await initBackend();
    const texts = ['The man is a young technician.', 'The woman is a old writer living in Ohio.', 'The Toy Story is categorized as a animated movie .', 'The Heat is categorized as a criminal movie .'];
    const tok = trainBpe(texts, { vocabSize: 300, minFrequency: 1, specialTokens: ['<eos>', '<pad>'] });
    for (const arch of ['gpt2', 'bert'] as const) {
      const lm = TransformerLM.create(resolveTransformerConfig({ arch, vocabSize: tok.vocabSize, contextLength: 64, dModel: 16, nHeads: 2, nLayers: 1 }), new Rng(3));
      const e = embedTexts(lm, tok, texts);
      const one = embedTexts(lm, tok, texts, 1); // no padding at all
      for (let i = 0; i < e.length; i++) expect(e[i]).toBeCloseTo(one[i]!, 5);
      for (let t = 0; t < texts.length; t++) expect(Math.hypot(...e.slice(t * 16, t * 16 + 16))).toBeCloseTo(1, 5);
      const s = profileCosineScores(lm, tok, [texts[0]!, texts[1]!, texts[0]!], [texts[2]!, texts[3]!, texts[0]!]);
      for (const v of s) expect(v).toBeGreaterThanOrEqual(0);
      expect(s[2]).toBeCloseTo(1, 5); // a sentence with itself
      let dot = 0;
      for (let j = 0; j < 16; j++) dot += e[16 + j]! * e[48 + j]!;
      expect(s[1]).toBeCloseTo(dot * 0.5 + 0.5, 5);
      expect(() => profileCosineScores(lm, tok, ['a'], [])).toThrow(/1 user texts but 0 item texts/);
      expect(() => embedTexts(lm, tok, [''])).toThrow(/text 0 is empty/);
      lm.dispose();
    }
  });

  it("schemaUserText is the user's sentence of the prompt", () => {
    expect(schemaUserText(MOVIELENS_SCHEMA, { age: 24, gender: 'M', occupation: 'technician', zip: '85711' })).toBe('The man is a young technician living in Arizona.');
  });
});
