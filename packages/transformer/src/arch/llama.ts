/**
 * Llama (LlamaForCausalLM): RoPE (no position embeddings), RMSNorm without bias, q/k/v/o projections with
 * grouped-query attention, SwiGLU MLP; linear weights stored [out, in] (nn.Linear) as in Hugging Face's files.
 *
 *   model.embed_tokens.weight [V, d]
 *   model.layers.i.input_layernorm / post_attention_layernorm .weight [d]
 *   model.layers.i.self_attn.{q,o}_proj [d, d], {k,v}_proj [d, kvDim]
 *   model.layers.i.mlp.{gate,up}_proj [d, dFF], down_proj [dFF, d]
 *   model.norm.weight [d]; lm_head.weight [d, V] (untied only)
 */
import { INIT_STD, paramList, type ArchSpec } from './spec.js';

export const LLAMA: ArchSpec = {
  name: 'llama',
  embedding: 'model.embed_tokens.weight',
  positions: undefined,
  norm: 'rms',
  mlp: 'swiglu',
  rope: true,
  placement: 'pre',
  outputModule: 'lm_head',
  finalNorm: ['model.norm.weight', undefined],
  block: (i) => {
    const p = `model.layers.${i}`;
    return {
      norm1: [`${p}.input_layernorm.weight`, `${p}.input_layernorm.bias`],
      norm2: [`${p}.post_attention_layernorm.weight`, `${p}.post_attention_layernorm.bias`],
      qkv: [`${p}.self_attn.q_proj`, `${p}.self_attn.k_proj`, `${p}.self_attn.v_proj`],
      out: `${p}.self_attn.o_proj`,
      mlpIn: [`${p}.mlp.gate_proj`, `${p}.mlp.up_proj`],
      mlpOut: `${p}.mlp.down_proj`,
    };
  },
  params(c) {
    const d = c.dModel;
    const kvDim = (d / c.nHeads) * c.nKvHeads;
    const { out, lin, norm, projStd } = paramList(c);
    out.push({ name: 'model.embed_tokens.weight', shape: [c.vocabSize, d], init: 'normal', std: INIT_STD });
    for (let i = 0; i < c.nLayers; i++) {
      const p = `model.layers.${i}`;
      norm(`${p}.input_layernorm`, false);
      lin(`${p}.self_attn.q_proj`, d, d, 'linear', false);
      lin(`${p}.self_attn.k_proj`, d, kvDim, 'linear', false);
      lin(`${p}.self_attn.v_proj`, d, kvDim, 'linear', false);
      lin(`${p}.self_attn.o_proj`, d, d, 'linear', false, projStd);
      norm(`${p}.post_attention_layernorm`, false);
      lin(`${p}.mlp.gate_proj`, d, c.dFF, 'linear', false);
      lin(`${p}.mlp.up_proj`, d, c.dFF, 'linear', false);
      lin(`${p}.mlp.down_proj`, c.dFF, d, 'linear', false, projStd);
    }
    norm('model.norm', false);
    if (!c.tieEmbeddings) lin('lm_head', d, c.vocabSize, 'linear', false);
    return out;
  },
};
