/**
 * The language-model surface PEPLER uses — the `TransformerLM` contract of `@xrec/transformer`
 * (forward with prefix embeddings, loss with ignore index, generate with a prefix, named parameters, save).
 * Written structurally so a test double or another backbone with the same shape fits.
 */
import type * as tf from '@tensorflow/tfjs';

export interface PeplerLMConfig {
  readonly arch: string;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
}

export interface PeplerLM {
  readonly config: PeplerLMConfig;
  loss(input: { ids?: tf.Tensor2D; prefix?: tf.Tensor3D; attentionMask?: tf.Tensor2D; training?: boolean; dropoutSeed?: number; labels: tf.Tensor2D; ignoreIndex?: number }): tf.Scalar;
  parameters(): Map<string, tf.Variable>;
  generate(opts: {
    prompts: number[][];
    prefix?: tf.Tensor3D;
    maxNewTokens: number;
    eosId?: number;
    greedy?: boolean;
    useCache?: boolean;
  }): Promise<number[][]> | number[][]; // the new tokens of each row, <eos> not included
  save(dir: string, extraMetadata?: Record<string, string>): Promise<void>;
  dispose(): void;
}
