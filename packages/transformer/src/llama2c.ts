/**
 * Reader for llama2.c's legacy ("version 0") float32 checkpoints (Karpathy, github.com/karpathy/llama2.c):
 *
 *   header: 7 × int32 LE — dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
 *           (vocab_size < 0 means the output classifier is stored separately, i.e. untied)
 *   then float32 LE, row-major: token_embedding[V,d]; rms_att[L,d]; wq[L,d,d]; wk[L,kv,d]; wv[L,kv,d];
 *   wo[L,d,d]; rms_ffn[L,d]; w1[L,h,d]; w2[L,d,h]; w3[L,h,d]; rms_final[d];
 *   freq_cis_real[seq,hd/2]; freq_cis_imag[seq,hd/2]; (wcls[V,d] when untied)
 *
 * Matrices are [out, in] (y = W x); they become [in, out] here. llama2.c rotates adjacent pairs
 * (x₂ᵢ, x₂ᵢ₊₁) while the HF layout used by {@link TransformerLM} rotates halves, so the rows of wq and wk
 * are permuted within each head (pair i, member m -> index m·hd/2 + i) — the same permutation
 * llama2.c's and transformers' conversion scripts apply. RMSNorm eps is 1e-5, RoPE base 10000.
 */
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '@xrec/core';
import { resolveTransformerConfig, type TransformerConfig } from './config.js';
import { TransformerLM, type WeightMap } from './model.js';
import { checkFinite, transpose2d } from './checkpoint.js';

export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedWeights: boolean;
}

/** Permute the rows of a [rows = nHeads·hd, cols] matrix from interleaved-pair to rotate-half RoPE order. */
export function permuteRopeRows(w: Float32Array, nHeads: number, hd: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = hd / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let m = 0; m < 2; m++) {
        const src = (h * hd + 2 * i + m) * cols;
        const dst = (h * hd + m * half + i) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/** Parse the 28-byte header. */
export function readLlama2cHeader(bytes: Uint8Array, where = 'llama2.c checkpoint'): Llama2cHeader {
  if (bytes.byteLength < 28) throw new CheckpointError(`${where}: ${bytes.byteLength} bytes, too short for the 28-byte llama2.c header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 28);
  const f = (i: number): number => dv.getInt32(i * 4, true);
  const h = { dim: f(0), hiddenDim: f(1), nLayers: f(2), nHeads: f(3), nKvHeads: f(4), vocabSize: Math.abs(f(5)), seqLen: f(6), sharedWeights: f(5) > 0 };
  for (const [k, v] of Object.entries(h)) {
    if (typeof v === 'number' && !(v > 0 && v < 1 << 24)) {
      throw new CheckpointError(`${where}: header field ${k} = ${v} is not a plausible size (is this a legacy float32 llama2.c .bin?)`);
    }
  }
  if (h.dim % h.nHeads !== 0 || h.nHeads % h.nKvHeads !== 0) {
    throw new CheckpointError(`${where}: header dim ${h.dim}, n_heads ${h.nHeads}, n_kv_heads ${h.nKvHeads} are inconsistent`);
  }
  return h;
}

/** Config of a llama2.c header. */
export function llama2cConfig(h: Llama2cHeader): TransformerConfig {
  return resolveTransformerConfig({
    arch: 'llama',
    vocabSize: h.vocabSize,
    contextLength: h.seqLen,
    dModel: h.dim,
    nLayers: h.nLayers,
    nHeads: h.nHeads,
    nKvHeads: h.nKvHeads,
    dFF: h.hiddenDim,
    dropout: 0,
    normEps: 1e-5,
    ropeTheta: 10000,
    tieEmbeddings: h.sharedWeights,
  });
}

/** Parse a whole legacy llama2.c checkpoint into a config and compute-layout weights with HF names. */
export function parseLlama2c(bytes: Uint8Array, where = 'llama2.c checkpoint'): { config: TransformerConfig; weights: WeightMap } {
  const h = readLlama2cHeader(bytes, where);
  const config = llama2cConfig(h);
  const { dim: d, hiddenDim: hid, nLayers: L, nHeads: H, nKvHeads: Hkv, vocabSize: V, seqLen } = h;
  const hd = d / H;
  const kv = Hkv * hd;
  const sizes = [V * d, L * d, L * d * d, L * kv * d, L * kv * d, L * d * d, L * d, L * hid * d, L * d * hid, L * hid * d, d, seqLen * (hd / 2), seqLen * (hd / 2)];
  if (!h.sharedWeights) sizes.push(V * d);
  const floats = sizes.reduce((a, b) => a + b, 0);
  const expected = 28 + 4 * floats;
  if (bytes.byteLength !== expected) {
    throw new CheckpointError(
      `${where}: file is ${bytes.byteLength} bytes but its header (dim ${d}, hidden ${hid}, layers ${L}, heads ${H}/${Hkv}, vocab ${V}, seq ${seqLen}) needs ${expected}`,
    );
  }
  const all = new Float32Array(floats);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + 28, floats * 4);
  for (let i = 0; i < floats; i++) all[i] = dv.getFloat32(i * 4, true);
  checkFinite(all, `${where}: weights`);
  let off = 0;
  const take = (n: number): Float32Array => {
    const a = all.subarray(off, off + n);
    off += n;
    return a;
  };
  const tokEmb = take(V * d);
  const rmsAtt = take(L * d);
  const wq = take(L * d * d);
  const wk = take(L * kv * d);
  const wv = take(L * kv * d);
  const wo = take(L * d * d);
  const rmsFfn = take(L * d);
  const w1 = take(L * hid * d);
  const w2 = take(L * d * hid);
  const w3 = take(L * hid * d);
  const rmsFinal = take(d);
  take(seqLen * (hd / 2) * 2); // freq_cis tables (recomputed)
  const wcls = h.sharedWeights ? undefined : take(V * d);

  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[], values: Float32Array): void => {
    weights.set(name, { shape, values: new Float32Array(values) });
  };
  // [out, in] -> [in, out]
  const lin = (name: string, w: Float32Array, outF: number, inF: number): void => {
    weights.set(name, { shape: [inF, outF], values: transpose2d(w, outF, inF) });
  };
  put('model.embed_tokens.weight', [V, d], tokEmb);
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    put(`${p}.input_layernorm.weight`, [d], rmsAtt.subarray(l * d, (l + 1) * d));
    lin(`${p}.self_attn.q_proj.weight`, permuteRopeRows(wq.subarray(l * d * d, (l + 1) * d * d), H, hd, d), d, d);
    lin(`${p}.self_attn.k_proj.weight`, permuteRopeRows(wk.subarray(l * kv * d, (l + 1) * kv * d), Hkv, hd, d), kv, d);
    lin(`${p}.self_attn.v_proj.weight`, wv.subarray(l * kv * d, (l + 1) * kv * d), kv, d);
    lin(`${p}.self_attn.o_proj.weight`, wo.subarray(l * d * d, (l + 1) * d * d), d, d);
    put(`${p}.post_attention_layernorm.weight`, [d], rmsFfn.subarray(l * d, (l + 1) * d));
    lin(`${p}.mlp.gate_proj.weight`, w1.subarray(l * hid * d, (l + 1) * hid * d), hid, d);
    lin(`${p}.mlp.down_proj.weight`, w2.subarray(l * d * hid, (l + 1) * d * hid), d, hid);
    lin(`${p}.mlp.up_proj.weight`, w3.subarray(l * hid * d, (l + 1) * hid * d), hid, d);
  }
  put('model.norm.weight', [d], rmsFinal);
  if (wcls) lin('lm_head.weight', wcls, V, d);
  return { config, weights };
}

/** Load a legacy float32 llama2.c `.bin` checkpoint (e.g. stories260K.bin) as a Llama {@link TransformerLM}. */
export async function loadLlama2c(path: string): Promise<TransformerLM> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read llama2.c checkpoint`, { cause: e });
  }
  const { config, weights } = parseLlama2c(bytes, path);
  return TransformerLM.fromWeights(config, weights, path);
}
