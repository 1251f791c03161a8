/**
 * Transformer language models (Vaswani et al. 2017) with Hugging Face parameter names: decoders in the GPT-2
 * (Radford et al. 2019) and Llama (Touvron et al. 2023) styles, and masked-LM encoders in the BERT (Devlin et
 * al. 2019) and RoBERTa (Liu et al. 2019) styles (`arch` in the config; see arch/).
 *
 *   x₀ = E[ids] (+ P[pos] for gpt2), with optional prefix embeddings prepended      [B, S, d]
 *   xₗ₊₁ = xₗ + Attn(Norm(xₗ));  xₗ₊₁ = xₗ₊₁ + MLP(Norm(xₗ₊₁))                       (pre-norm blocks)
 *   logits = Norm(x_L) Eᵀ (tied) or Norm(x_L) W_out                                  [B, S, V]
 *
 * Encoders: x₀ = LN(E[ids] + P[pos] + T[0]); xₗ₊₁ = LN(xₗ + Attn(xₗ)); xₗ₊₁ = LN(xₗ₊₁ + MLP(xₗ₊₁)) (post-norm);
 * logits = LN(GELU(x_L W + b)) Eᵀ + bias (the MLM head). `hiddenStates` is x_L (before any head).
 *
 * Everything between the embedding and the logits runs on 2-D `[B·S, d]` activations, so every linear layer
 * is one 2-D matmul (the fast path on wasm); only the attention scores use batched `[B·H, S, S]` matmuls.
 * Masks: causal (or bidirectional) combined with a padding mask; positions follow the padding mask
 * (`pos = cumsum(mask) - 1`), so left-padded rows behave like unpadded ones.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, Rng, ShapeError } from '@xrec/core';
import type { TransformerConfig } from './config.js';
import { resolveTransformerConfig } from './config.js';
import { Linear, type LinearLayer } from './linear.js';
import { geluErf, geluTanh, layerNorm, rmsNorm } from './ops.js';
import { archSpec } from './arch/index.js';
import { headLogits, headLogitsFor, headLoss, headProjector, type OutputHead } from './heads.js';
import { embeddingName, parameterSpecs, type ParamSpec } from './params.js';
import { generateTokens, type GenerateOptions } from './generate.js';
import { loadCheckpointDir, saveCheckpointDir } from './checkpoint.js';
import { runStack, type Block } from './stack.js';
import { DECODER, type AttentionMode, type DecoderInternals, type KvCache, type StackInput } from './decoder.js';
import { checkForwardInput, checkIds, type ForwardInput, type ForwardOutput } from './forward-input.js';
import { prefixAsPast, prefixKvLength } from './prefix-kv.js';

export type { GenerateOptions } from './generate.js';

export type { ForwardInput, ForwardOutput } from './forward-input.js';

/** Weights in compute layout, by HF name (what checkpoint readers hand to {@link TransformerLM.fromWeights}). */
export type WeightMap = Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;


function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class TransformerLM {
  readonly config: TransformerConfig;
  /** Source of dropout seeds between calls that give no `dropoutSeed`. */
  private dropoutRng: Rng;
  private attentionMode: AttentionMode = 'auto';
  private readonly params = new Map<string, tf.Variable>();
  private readonly linears: Linear[] = [];
  private readonly blocks: Block[] = [];
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable | undefined;
  private readonly finalNorm: [tf.Variable, tf.Variable | undefined] | undefined;
  private readonly typeEmb: tf.Variable | undefined;
  private readonly embNorm: [tf.Variable, tf.Variable | undefined] | undefined;
  private readonly mlm: { dense: Linear; norm: [tf.Variable, tf.Variable | undefined]; bias: tf.Variable } | undefined;
  private readonly lmHead: Linear | undefined;
  private disposed = false;

  private constructor(config: TransformerConfig, init: (spec: ParamSpec) => tf.Tensor, rng: Rng) {
    this.config = config;
    this.dropoutRng = rng.fork('dropout');
    const specs = parameterSpecs(config);
    const linearOf = new Map<string, Linear>();
    for (const spec of specs) {
      const t = init(spec);
      this.params.set(spec.name, tf.variable(t, true));
      t.dispose();
    }
    for (const spec of specs) {
      if (!spec.linear) continue;
      const m = spec.linear.module;
      const layer = new Linear(m, this.params.get(spec.name)!, this.params.get(`${m}.bias`), spec.linear.layout);
      linearOf.set(m, layer);
      this.linears.push(layer);
    }
    const P = (n: string): tf.Variable => this.params.get(n)!;
    const Po = (n: string): tf.Variable | undefined => this.params.get(n);
    const L = (m: string): Linear => linearOf.get(m)!;
    this.wte = P(embeddingName(config));
    const spec = archSpec(config.arch);
    this.wpe = spec.positions ? P(spec.positions) : undefined;
    const norm = ([w, b]: readonly [string, string | undefined]): [tf.Variable, tf.Variable | undefined] => [P(w), b ? Po(b) : undefined];
    for (let i = 0; i < config.nLayers; i++) {
      const n = spec.block(i);
      this.blocks.push({ norm1: norm(n.norm1), norm2: norm(n.norm2), qkv: n.qkv.map(L), out: L(n.out), mlpIn: n.mlpIn.map(L), mlpOut: L(n.mlpOut) });
    }
    this.finalNorm = spec.finalNorm ? norm(spec.finalNorm) : undefined;
    this.typeEmb = spec.tokenTypes ? P(spec.tokenTypes) : undefined;
    this.embNorm = spec.embeddingNorm ? norm(spec.embeddingNorm) : undefined;
    this.mlm = spec.mlmHead ? { dense: L(spec.mlmHead.dense), norm: norm(spec.mlmHead.norm), bias: P(spec.mlmHead.bias) } : undefined;
    this.lmHead = config.tieEmbeddings ? undefined : L(spec.outputModule);
  }

  /** A randomly initialised model: weights N(0, 0.02) (residual projections 0.02/√(2L)), norms 1, biases 0. */
  static create(config: TransformerConfig, rng: Rng): TransformerLM {
    const c = resolveTransformerConfig(config);
    const initRng = rng.fork('init');
    return new TransformerLM(
      c,
      (spec) => {
        if (spec.init === 'zeros') return tf.zeros(spec.shape as number[]);
        if (spec.init === 'ones') return tf.ones(spec.shape as number[]);
        return tf.randomNormal(spec.shape as number[], 0, spec.std, 'float32', initRng.nextSeed());
      },
      rng,
    );
  }

  /**
   * A model from weights in compute layout. Every parameter of the config must be present with its exact
   * shape, else a CheckpointError naming the tensor, the expected and the found shape (`where` names the source).
   */
  static fromWeights(config: TransformerConfig, weights: WeightMap, where = 'weights', rng: Rng = new Rng(0)): TransformerLM {
    const c = resolveTransformerConfig(config);
    for (const spec of parameterSpecs(c)) {
      const w = weights.get(spec.name);
      if (!w) throw new CheckpointError(`${where}: missing tensor '${spec.name}' (expected shape [${spec.shape.join(', ')}] for this config)`);
      const same = w.shape.length === spec.shape.length && w.shape.every((d, i) => d === spec.shape[i]);
      if (!same) {
        throw new CheckpointError(
          `${where}: tensor '${spec.name}' has shape [${w.shape.join(', ')}] but the config (arch ${c.arch}, vocabSize ${c.vocabSize}, ` +
            `dModel ${c.dModel}, dFF ${c.dFF}, contextLength ${c.contextLength}) expects [${spec.shape.join(', ')}] (compute layout)`,
        );
      }
      if (w.values.length !== numel(spec.shape)) {
        throw new CheckpointError(`${where}: tensor '${spec.name}' has ${w.values.length} values, shape needs ${numel(spec.shape)}`);
      }
    }
    return new TransformerLM(c, (spec) => tf.tensor(weights.get(spec.name)!.values, spec.shape as number[], 'float32'), rng);
  }

  // ---- parameters -------------------------------------------------------------------------------

  /** HF names -> variables (weights of LinearLayers in [in, out] compute layout). */
  parameters(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  linearLayers(): LinearLayer[] {
    return [...this.linears];
  }

  numParameters(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Freeze/unfreeze by HF name. */
  setTrainable(pred: (name: string) => boolean): void {
    for (const [name, v] of this.params) v.trainable = pred(name);
  }

  trainableVariables(): Map<string, tf.Variable> {
    return new Map([...this.params].filter(([, v]) => v.trainable));
  }

  /** Token embeddings [B, T, d] of int32 ids [B, T]. */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    checkIds(ids, 'embed');
    const [b, t] = ids.shape;
    return tf.tidy(() => tf.reshape(tf.gather(this.wte, tf.reshape(ids, [b * t])), [b, t, this.config.dModel]) as tf.Tensor3D);
  }

  // ---- forward ----------------------------------------------------------------------------------

  forward(input: ForwardInput): ForwardOutput {
    const { batch, seq } = this.checkInput(input, 'forward');
    return tf.tidy(() => {
      const hidden = this.hidden2d(input, batch, seq);
      const logits = this.logits2d(hidden, input.training ?? false);
      return {
        logits: tf.reshape(logits, [batch, seq, this.config.vocabSize]) as tf.Tensor3D,
        hidden: tf.reshape(hidden, [batch, seq, this.config.dModel]) as tf.Tensor3D,
      };
    });
  }

  /**
   * Mean cross-entropy over positions whose label != ignoreIndex (-100). labels: int32 [B, P+T] aligned to the
   * outputs (already shifted: labels[:, t] is the target predicted at position t). Only kept positions go
   * through the output layer.
   */
  loss(input: ForwardInput & { labels: tf.Tensor2D; ignoreIndex?: number }): tf.Scalar {
    const { batch, seq } = this.checkInput(input, 'loss');
    const { labels } = input;
    const ignore = input.ignoreIndex ?? -100;
    if (labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== seq) {
      throw new ShapeError(`loss: labels must be [${batch}, ${seq}] (batch, prefix+tokens), got [${labels.shape.join(', ')}]`);
    }
    const lab = labels.dataSync();
    const keep: number[] = [];
    for (let i = 0; i < lab.length; i++) if (lab[i] !== ignore) keep.push(i);
    return tf.tidy(() => {
      const hidden = this.hidden2d(input, batch, seq); // [B·S, d]
      if (keep.length === 0) return tf.mul(tf.sum(hidden), 0) as tf.Scalar;
      const all = keep.length === lab.length;
      const kept = all ? hidden : (tf.gather(hidden, tf.tensor1d(keep, 'int32')) as tf.Tensor2D); // [K, d]
      const keptLabels = all ? (lab as Int32Array) : keep.map((i) => lab[i]!);
      return this.outputLoss(kept, keptLabels, ignore, input.training ?? false);
    });
  }

  /** Final hidden states [B·S, d] for a checked input (no cache). */
  private hidden2d(input: ForwardInput, batch: number, seq: number): tf.Tensor2D {
    if (input.dropoutSeed !== undefined) this.dropoutRng = new Rng(input.dropoutSeed);
    const P = prefixKvLength(input.prefixKV, this.config, batch, 'forward');
    const maskVals = input.attentionMask ? input.attentionMask.dataSync() : undefined;
    const keys = P + seq;
    const keyValid = new Uint8Array(batch * keys);
    const positions = new Int32Array(batch * seq);
    for (let b = 0; b < batch; b++) {
      keyValid.fill(1, b * keys, b * keys + P); // the prefix is always attended
      let c = 0;
      for (let s = 0; s < seq; s++) {
        const i = b * seq + s;
        const valid = maskVals ? maskVals[i] !== 0 : true;
        keyValid[b * keys + P + s] = valid ? 1 : 0;
        if (valid) c += 1;
        positions[i] = P + Math.max(0, c - 1);
      }
    }
    const x = this.inputEmbeddings2d(input.ids, input.prefix, batch, seq);
    const past = P > 0 ? prefixAsPast(input.prefixKV!, batch) : undefined;
    return this.runStack({ x, batch, seq, positions, keyValid, ...(past ? { past } : {}), training: input.training ?? false }).hidden;
  }

  /** Prefix and token embeddings concatenated: [B·S, d]. */
  private inputEmbeddings2d(ids: tf.Tensor2D | undefined, prefix: tf.Tensor3D | undefined, batch: number, seq: number): tf.Tensor2D {
    const d = this.config.dModel;
    const parts: tf.Tensor3D[] = [];
    if (prefix) parts.push(prefix);
    if (ids && ids.shape[1] > 0) {
      const t = ids.shape[1];
      parts.push(tf.reshape(tf.gather(this.wte, tf.reshape(ids, [batch * t])), [batch, t, d]) as tf.Tensor3D);
    }
    const x = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    return tf.reshape(x, [batch * seq, d]) as tf.Tensor2D;
  }

  /** Mean CE of the output layer on hidden states [N, d] (fused output-layer + CE unless lm_head has an adapter). */
  private outputLoss(hidden: tf.Tensor2D, labels: ArrayLike<number>, ignore: number, training: boolean): tf.Scalar {
    return headLoss(this.head(), hidden, labels, ignore, training);
  }

  private outputProjector(): { logits(hidden: tf.Tensor2D): tf.Tensor2D; dispose(): void } {
    return headProjector(this.head());
  }

  /** The output layer: the tied embedding, or lm_head (heads.ts); with the MLM head's transform and bias for encoders. */
  private head(): OutputHead {
    const mlm = this.mlm;
    if (!mlm) return { wte: this.wte, lmHead: this.lmHead };
    const act = this.config.hiddenAct === 'gelu' ? geluErf : geluTanh;
    return { wte: this.wte, lmHead: this.lmHead, bias: mlm.bias, transform: (h, training) => this.norm(act(mlm.dense.apply(h, training)), mlm.norm) };
  }

  /** Final hidden states [B, S, d] (decoders: after the final norm; encoders: the last block's output) without any head. */
  hiddenStates(input: ForwardInput): tf.Tensor3D {
    const { batch, seq } = this.checkInput(input, 'hiddenStates');
    return tf.tidy(() => tf.reshape(this.hidden2d(input, batch, seq), [batch, seq, this.config.dModel]) as tf.Tensor3D);
  }

  /**
   * Logits of chosen vocabulary entries only: hidden [N, d] → [N, ids.length], through the output rows of
   * those ids (no [N, V] product) — label words of a verbalizer, candidate item tokens.
   */
  logitsFor(hidden: tf.Tensor2D, vocabIds: readonly number[]): tf.Tensor2D {
    return headLogitsFor(this.head(), this.config.vocabSize, hidden, vocabIds);
  }

  /** Logits [N, V] of hidden states [N, d] (`training` reaches an adapter on lm_head). */
  private logits2d(hidden: tf.Tensor2D, training = false): tf.Tensor2D {
    return headLogits(this.head(), hidden, training);
  }


  /** LayerNorm (gpt2) or RMSNorm (llama) over the feature axis of [N, d]. */
  private norm(x: tf.Tensor2D, [w, b]: [tf.Variable, tf.Variable | undefined]): tf.Tensor2D {
    const eps = this.config.normEps;
    const w1 = w as unknown as tf.Tensor1D;
    const b1 = b as unknown as tf.Tensor1D | undefined;
    return archSpec(this.config.arch).norm === 'layer' ? layerNorm(x, w1, b1, eps) : rmsNorm(x, w1, eps);
  }

  private dropout<T extends tf.Tensor>(x: T, training: boolean): T {
    const p = this.config.dropout;
    if (!training || p === 0) return x;
    return tf.dropout(x, p, undefined, this.dropoutRng.nextSeed()) as T;
  }

  /** The transformer stack on 2-D activations (stack.ts). */
  private runStack(inp: StackInput): { hidden: tf.Tensor2D; cache: KvCache } {
    return runStack(
      {
        config: this.config,
        blocks: this.blocks,
        wpe: this.wpe,
        typeEmb: this.typeEmb,
        embNorm: this.embNorm,
        finalNorm: this.finalNorm,
        attentionMode: this.attentionMode,
        norm: (x, w) => this.norm(x, w),
        dropout: (x, training) => this.dropout(x, training),
      },
      inp,
    );
  }

  private checkInput(input: ForwardInput, where: string): { batch: number; seq: number } {
    if (this.disposed) throw new ConfigError(`${where}: the model has been disposed`);
    return checkForwardInput(input, this.config, where);
  }

  // ---- generation, checkpoints -------------------------------------------------------------------

  /** The decoder internals (see decoder.ts; not exported by the package index). */
  [DECODER](): DecoderInternals {
    return {
      config: this.config,
      runStack: (inp) => this.runStack(inp),
      inputEmbeddings2d: (ids, prefix, batch, seq) => this.inputEmbeddings2d(ids, prefix, batch, seq),
      outputProjector: () => this.outputProjector(),
      logits2d: (h, training) => this.logits2d(h, training),
      setAttentionMode: (mode) => {
        this.attentionMode = mode;
      },
    };
  }

  /** Greedy or seeded sampling with a KV cache; returns the new tokens of each row (EOS not included). */
  generate(opts: GenerateOptions): number[][] {
    if (this.disposed) throw new ConfigError('generate: the model has been disposed');
    return generateTokens(this, opts);
  }

  /** Write `model.safetensors` + `config.json` (HF names and layouts) atomically into `dir`. */
  async save(dir: string, extraMetadata: Record<string, string> = {}): Promise<void> {
    const weights: WeightMap = new Map();
    for (const [name, v] of this.params) weights.set(name, { shape: v.shape, values: v.dataSync() as Float32Array });
    await saveCheckpointDir(dir, this.config, weights, extraMetadata);
  }

  /** Load an xrec or Hugging Face GPT-2 / Llama / BERT / RoBERTa directory (config.json + model.safetensors). */
  static async load(dir: string): Promise<TransformerLM> {
    const { config, weights } = await loadCheckpointDir(dir);
    return TransformerLM.fromWeights(config, weights, `${dir}/model.safetensors`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }
}
