/**
 * Benchmark profiles of `xrec bench explain`. `smoke` proves the whole path in seconds (CI), `quick` is the
 * README's main job (bundled data, one split, a small model; budget 15 minutes on 2 cores with wasm),
 * `full` is the paper-style run (five splits, three seeds, a larger model, early stopping).
 */
import { ConfigError } from '@xrec/core';

export interface LmShape {
  readonly dModel: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly dFF: number;
  readonly contextLength: number;
  readonly dropout: number;
}

export interface BenchProfile {
  readonly name: 'smoke' | 'quick' | 'full';
  /** Number of splits run (the first n of the dataset's splits). */
  readonly splits: number;
  readonly seeds: number;
  /** Caps on rows per split part (smoke only; 0 = all). */
  readonly maxTrain: number;
  readonly maxValidation: number;
  readonly maxTest: number;
  /** Vocabulary of the BPE tokenizer trained on the training split (base model (a) and (c)). */
  readonly tokenizerVocab: number;
  /** GPT-2-style base model shape for (a) pre-trained and (c) random init. */
  readonly lm: LmShape;
  /** Causal-LM pre-training of (a) on the training split's explanations. */
  readonly pretrain: { readonly epochs: number; readonly lr: number; readonly batchSize: number; readonly patience: number };
  /** PEPLER settings shared by every variant (the rest are the reference defaults). */
  readonly pepler: {
    readonly batchSize: number;
    readonly epochs: number;
    readonly stage1Epochs: number;
    readonly patience: number;
    /** lr of the discrete variant (reference 1e-4); 0 keeps the reference. */
    readonly discreteLr: number;
    /** lr of the other xrec-base variants (stage 1 / only stage; reference 1e-3); 0 keeps the reference. */
    readonly lr: number;
    /** lr of stage 2 of the continuous variant (reference reuses 1e-3); 0 keeps the reference. */
    readonly lr2: number;
    /**
     * Learning-rate multiplier of the user/item prompt vectors (PeplerConfig.promptLrScale; reference 1). In
     * the quick budget each prompt is updated a handful of times: at 1 they stay near their random init and
     * PEPLER's explanations barely depend on the pair (USR 0.065); at 30, USR 0.515 and BLEU-4 0.48 → 0.80.
     */
    readonly promptLrScale: number;
    /** PEPLER-D feature-prompt token budget (reference 20). */
    readonly promptTokens: number;
    /** Updates per epoch cap (0 = whole split): a fixed compute budget for the quick profile. */
    readonly maxBatchesPerEpoch: number;
  };
  /** The stories260K run: explanation budget in tok512 pieces (~2.5x shorter than BPE tokens), update cap. */
  readonly stories: { readonly words: number; readonly maxBatchesPerEpoch: number };
  /** Method ids run by default (`all`: every registered method). */
  readonly methods: 'all' | readonly string[];
}

export const PROFILES: Readonly<Record<BenchProfile['name'], BenchProfile>> = {
  smoke: {
    name: 'smoke',
    splits: 1,
    seeds: 1,
    maxTrain: 240,
    maxValidation: 40,
    maxTest: 40,
    tokenizerVocab: 400,
    lm: { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, contextLength: 64, dropout: 0 },
    pretrain: { epochs: 1, lr: 3e-3, batchSize: 64, patience: 0 },
    pepler: { batchSize: 64, epochs: 1, stage1Epochs: 1, patience: 0, discreteLr: 0, lr: 0, lr2: 0, promptLrScale: 30, promptTokens: 20, maxBatchesPerEpoch: 0 },
    stories: { words: 40, maxBatchesPerEpoch: 0 },
    methods: 'all',
  },
  quick: {
    name: 'quick',
    splits: 1,
    seeds: 1,
    maxTrain: 0,
    maxValidation: 0,
    maxTest: 0,
    tokenizerVocab: 2000,
    lm: { dModel: 64, nLayers: 2, nHeads: 4, dFF: 256, contextLength: 64, dropout: 0.1 },
    pretrain: { epochs: 4, lr: 3e-3, batchSize: 64, patience: 2 },
    pepler: { batchSize: 128, epochs: 2, stage1Epochs: 1, patience: 2, discreteLr: 1e-3, lr: 0, lr2: 0, promptLrScale: 30, promptTokens: 8, maxBatchesPerEpoch: 50 },
    stories: { words: 32, maxBatchesPerEpoch: 30 },
    methods: 'all',
  },
  full: {
    name: 'full',
    splits: 5,
    seeds: 3,
    maxTrain: 0,
    maxValidation: 0,
    maxTest: 0,
    tokenizerVocab: 8000,
    lm: { dModel: 128, nLayers: 4, nHeads: 4, dFF: 512, contextLength: 64, dropout: 0.1 },
    pretrain: { epochs: 20, lr: 1e-3, batchSize: 64, patience: 3 },
    pepler: { batchSize: 128, epochs: 100, stage1Epochs: 100, patience: 5, discreteLr: 0, lr: 0, lr2: 0, promptLrScale: 1, promptTokens: 20, maxBatchesPerEpoch: 0 },
    stories: { words: 40, maxBatchesPerEpoch: 0 },
    methods: ['retrieval', 'pepler-d', 'pepler', 'pepler-lora', 'pepler-mf', 'pepler-mlp', 'pepler-stories', 'pepler-splitlm', 'pepler-nopretrain'],
  },
};

export function getProfile(name: string): BenchProfile {
  if (name === 'smoke' || name === 'quick' || name === 'full') return PROFILES[name];
  throw new ConfigError(`bench explain: --profile must be smoke, quick or full, got '${name}'`);
}

