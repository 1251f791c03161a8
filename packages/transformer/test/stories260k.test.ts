import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadLlama2c, type TransformerLM } from '../src/index.js';
import { loadTok512 } from './tok512.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('stories260K (llama2.c legacy checkpoint)', () => {
  let model: TransformerLM;
  beforeAll(async () => {
    await initBackend();
    model = await loadLlama2c(join(FIX, 'stories260K.bin'));
  });

  it('reads the header into a Llama config', () => {
    const c = model.config;
    expect(c).toMatchObject({ arch: 'llama', dModel: 64, dFF: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, contextLength: 512, tieEmbeddings: true });
    expect(model.numParameters()).toBe(512 * 64 + 5 * (2 * 64 + 2 * 64 * 64 + 2 * 32 * 64 + 3 * 172 * 64) + 64);
  });

  it('greedy decoding from BOS reproduces llama2.c doc/stories260K.md exactly', () => {
    const before = tf.memory().numTensors;
    const [tokens] = model.generate({ prompts: [[1]], maxNewTokens: 256, greedy: true, eosId: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const text = loadTok512(join(FIX, 'tok512.bin')).decode(tokens!);
    const reference = readFileSync(join(FIX, 'stories260K-reference.txt'), 'utf8').replace(/\n$/, '');
    expect(text).toBe(reference);
  });

  it('greedy continuations of other prompts match an independent PyTorch llama2.c forward (interleaved RoPE, no permutation), alone and batched', () => {
    const ref = JSON.parse(readFileSync(join(FIX, 'stories260K-greedy-torch.json'), 'utf8')) as { steps: number; cases: { prompt: number[]; greedy: number[] }[] };
    for (const c of ref.cases) {
      expect(model.generate({ prompts: [c.prompt], maxNewTokens: ref.steps, greedy: true, eosId: 1 })[0]).toEqual(c.greedy);
    }
    const batched = model.generate({ prompts: ref.cases.map((c) => c.prompt), maxNewTokens: ref.steps, greedy: true, eosId: 1 });
    expect(batched).toEqual(ref.cases.map((c) => c.greedy));
  });
});
