/**
 * Autoregressive generation for {@link TransformerLM}: greedy decoding or seeded sampling with temperature,
 * top-k and top-p (nucleus, Holtzman et al. 2020), a key-value cache, batches of prompts of different lengths
 * (left-padded; positions follow the padding mask so each row decodes as if alone), optional prefix
 * embeddings, and stopping at an end-of-sequence id or a token limit.
 *
 * Sequence layout per row: [prefix (P)] [padding] [prompt] [generated ...].
 * With the cache, step 0 runs the whole prompt once; each later step runs one position per row and appends
 * its keys/values. Without the cache every step recomputes the whole sequence (same tokens, slower).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, ShapeError } from '@xrec/core';
import { DECODER, type HasDecoder, type KvCache } from './decoder.js';
import { prefixAsPast, prefixKvLength, type PrefixKV } from './prefix-kv.js';

export interface GenerateOptions {
  /** Token ids per batch row (may differ in length: left-padded internally). */
  prompts: number[][];
  /** [B, P, d] soft prompts placed before each prompt. */
  prefix?: tf.Tensor3D;
  /** Per-layer key/value prefixes (prefix tuning), attended by every position; tokens are positioned after them. */
  prefixKV?: PrefixKV;
  maxNewTokens: number;
  /** Stop a row when it produces this id, or any of these ids (the stop id itself is not returned). */
  eosId?: number | readonly number[];
  /** Argmax decoding. Default: true unless temperature, topK or topP is given. */
  greedy?: boolean;
  /** Softmax temperature (> 0), default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (0 < p ≤ 1). */
  topP?: number;
  /** Seed of the sampler (default 0). */
  seed?: number;
  /** KV cache (default true). */
  useCache?: boolean;
}

interface Sampler {
  greedy: boolean;
  temperature: number;
  topK: number | undefined;
  topP: number | undefined;
  rng: Rng;
}

function resolveSampler(o: GenerateOptions): Sampler {
  const sampling = o.temperature !== undefined || o.topK !== undefined || o.topP !== undefined;
  const greedy = o.greedy ?? !sampling;
  const temperature = o.temperature ?? 1;
  if (!greedy && !(Number.isFinite(temperature) && temperature > 0)) {
    throw new ConfigError(`generate: temperature must be > 0 (use greedy for argmax), got ${temperature}`);
  }
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 1)) {
    throw new ConfigError(`generate: topK must be an integer >= 1, got ${o.topK}`);
  }
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) {
    throw new ConfigError(`generate: topP must be in (0, 1], got ${o.topP}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ConfigError(`generate: seed must be an integer, got ${seed}`);
  return { greedy, temperature, topK: o.topK, topP: o.topP, rng: new Rng(seed) };
}

/** Index of the largest value (first on ties, as llama2.c's argmax). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  let bv = v[0]!;
  for (let i = 1; i < v.length; i++) {
    if (v[i]! > bv) {
      bv = v[i]!;
      best = i;
    }
  }
  return best;
}

/**
 * Draw one token from logits: softmax(z / T), restricted to the top-k tokens and then to the top-p nucleus,
 * renormalised, sampled with `rng`.
 */
export function sampleToken(logits: ArrayLike<number>, s: Pick<Sampler, 'temperature' | 'topK' | 'topP' | 'rng'>): number {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.exp((logits[i]! - max) / s.temperature);
    probs[i] = p;
    sum += p;
  }
  for (let i = 0; i < n; i++) probs[i]! /= sum;
  let order: number[] | undefined;
  let keep = n;
  if (s.topK !== undefined || s.topP !== undefined) {
    order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
    if (s.topK !== undefined) keep = Math.min(keep, s.topK);
    if (s.topP !== undefined) {
      let cum = 0;
      for (let i = 0; i < keep; i++) {
        cum += probs[order[i]!]!;
        if (cum >= s.topP) {
          keep = i + 1;
          break;
        }
      }
    }
  }
  let total = 0;
  for (let i = 0; i < keep; i++) total += probs[order ? order[i]! : i]!;
  const r = s.rng.float() * total;
  let acc = 0;
  for (let i = 0; i < keep; i++) {
    const id = order ? order[i]! : i;
    acc += probs[id]!;
    if (r < acc) return id;
  }
  return order ? order[keep - 1]! : keep - 1;
}

/** Implementation of {@link TransformerLM.generate}. */
export function generateTokens(owner: HasDecoder, opts: GenerateOptions): number[][] {
  const model = owner[DECODER]();
  const c = model.config;
  const sampler = resolveSampler(opts);
  const { prompts, prefix } = opts;
  if (c.attention !== 'causal') throw new ConfigError(`generate: the model attends bidirectionally (attention '${c.attention}'); only causal models generate text`);
  if (!Array.isArray(prompts) || prompts.length === 0) throw new ShapeError('generate: prompts must be a non-empty array of token-id arrays');
  const B = prompts.length;
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) {
    throw new ConfigError(`generate: maxNewTokens must be an integer >= 0, got ${opts.maxNewTokens}`);
  }
  if (prefix && (prefix.rank !== 3 || prefix.shape[0] !== B || prefix.shape[2] !== c.dModel)) {
    throw new ShapeError(`generate: prefix must be [${B}, P, ${c.dModel}] (one row per prompt), got [${prefix.shape.join(', ')}]`);
  }
  prompts.forEach((p, b) =>
    p.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) {
        throw new ShapeError(`generate: prompt ${b} token ${i} is ${id}, outside the vocabulary [0, ${c.vocabSize})`);
      }
    }),
  );
  const P = prefix ? prefix.shape[1] : 0;
  const Pk = prefixKvLength(opts.prefixKV, c, B, 'generate');
  const L = Math.max(...prompts.map((p) => p.length));
  const start = Pk + P + L;
  if (P + L === 0) throw new ShapeError('generate: empty prompts and no prefix: nothing to condition on (give at least a BOS token)');
  if (start > c.contextLength) {
    throw new ShapeError(
      `generate: prompt length ${start} (${Pk ? `key/value prefix ${Pk} + ` : ''}prefix ${P} + longest prompt ${L}) exceeds contextLength ${c.contextLength}`,
    );
  }
  // The last generated token is never fed back, so a full context yields contextLength - start + 1 tokens.
  const limit = Math.min(opts.maxNewTokens, c.contextLength - start + 1);
  const useCache = opts.useCache ?? true;
  const stop = new Set<number>(opts.eosId === undefined ? [] : typeof opts.eosId === 'number' ? [opts.eosId] : opts.eosId);
  const out: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  if (limit === 0) return out;

  // Per-row state: token ids of the (padded) sequence after the prefix, key validity, next position.
  const ids: number[][] = prompts.map((p) => [...new Array<number>(L - p.length).fill(0), ...p]);
  // key validity per row over [key/value prefix (Pk)] [soft prefix (P)] [padding] [prompt] [generated ...]
  const valid: number[][] = prompts.map((p) => [...new Array<number>(Pk + P).fill(1), ...new Array<number>(L - p.length).fill(0), ...p.map(() => 1)]);

  const pick = (logits: Float32Array): number[] => {
    const V = c.vocabSize;
    const next: number[] = [];
    for (let b = 0; b < B; b++) {
      const row = logits.subarray(b * V, (b + 1) * V);
      next.push(sampler.greedy ? argmax(row) : sampleToken(row, sampler));
    }
    return next;
  };
  // positions of the sequence indices [from, to) of a row (indices count the key/value prefix)
  const positionsOf = (b: number, from: number, to: number): number[] => {
    const v = valid[b]!;
    let cnt = 0;
    for (let j = 0; j < from; j++) cnt += v[j]!;
    const res: number[] = [];
    for (let j = from; j < to; j++) {
      cnt += v[j]!;
      res.push(Math.max(0, cnt - 1));
    }
    return res;
  };
  const prefixPast = Pk > 0 ? prefixAsPast(opts.prefixKV!, B) : undefined;

  let cache: KvCache | undefined;
  const head = model.outputProjector();
  try {
    for (let step = 0; step < limit; step++) {
      const total = Pk + P + ids[0]!.length; // current sequence length, key/value prefix included (same for every row)
      const from = useCache && step > 0 ? total - 1 : Pk; // first position to run (the key/value prefix is never run)
      const S = total - from;
      const positions = new Int32Array(B * S);
      const keyValid = new Uint8Array(B * total);
      for (let b = 0; b < B; b++) {
        positions.set(positionsOf(b, from, total), b * S);
        keyValid.set(valid[b]!, b * total);
      }
      const result = tf.tidy(() => {
        let x: tf.Tensor2D;
        if (from === Pk) {
          const idT = ids[0]!.length > 0 ? tf.tensor2d(ids.flat(), [B, ids[0]!.length], 'int32') : undefined;
          x = model.inputEmbeddings2d(idT, prefix, B, S);
        } else {
          x = model.inputEmbeddings2d(tf.tensor2d(ids.map((r) => r[r.length - 1]!), [B, 1], 'int32'), undefined, B, 1);
        }
        const past = from > Pk ? cache : prefixPast;
        const { hidden, cache: next } = model.runStack({ x, batch: B, seq: S, positions, keyValid, ...(past ? { past } : {}), training: false });
        const lastRows = tf.tensor1d(Array.from({ length: B }, (_, b) => b * S + S - 1), 'int32');
        const logits = head.logits(tf.gather(hidden, lastRows) as tf.Tensor2D); // [B, V]
        return { logits, k: useCache ? next.k : [], v: useCache ? next.v : [] };
      });
      const old = cache;
      cache = useCache ? { k: result.k, v: result.v } : undefined;
      if (old) tf.dispose([...old.k, ...old.v]);
      const logits = result.logits.dataSync() as Float32Array;
      result.logits.dispose();
      const next = pick(logits);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        if (stop.has(next[b]!)) done[b] = true;
        else out[b]!.push(next[b]!);
      }
      if (done.every(Boolean) || step === limit - 1) break;
      for (let b = 0; b < B; b++) {
        ids[b]!.push(done[b] ? 0 : next[b]!);
        valid[b]!.push(1);
      }
    }
  } finally {
    if (cache) tf.dispose([...cache.k, ...cache.v]);
    if (prefixPast) tf.dispose([...prefixPast.k, ...prefixPast.v].filter((t) => !opts.prefixKV!.k.includes(t) && !opts.prefixKV!.v.includes(t)));
    head.dispose();
  }
  return out;
}
