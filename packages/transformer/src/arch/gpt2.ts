/**
 * GPT-2 (GPT2LMHeadModel): learned positions, pre-LayerNorm with biases, one fused c_attn, GELU MLP; linear
 * weights stored [in, out] (Conv1D) as in Hugging Face's files.
 *
 *   transformer.wte.weight [V, d], transformer.wpe.weight [ctx, d]
 *   transformer.h.i.ln_1 / ln_2 {weight, bias} [d]
 *   transformer.h.i.attn.c_attn [d, 3d] (+ bias), attn.c_proj [d, d] (+ bias)
 *   transformer.h.i.mlp.c_fc [d, dFF] (+ bias), mlp.c_proj [dFF, d] (+ bias)
 *   transformer.ln_f {weight, bias} [d]; lm_head.weight [d, V] (untied only)
 */
import { INIT_STD, paramList, type ArchSpec } from './spec.js';

export const GPT2: ArchSpec = {
  name: 'gpt2',
  embedding: 'transformer.wte.weight',
  positions: 'transformer.wpe.weight',
  prefix: 'transformer.',
  norm: 'layer',
  mlp: 'gelu',
  rope: false,
  placement: 'pre',
  outputModule: 'lm_head',
  finalNorm: ['transformer.ln_f.weight', 'transformer.ln_f.bias'],
  block: (i) => {
    const p = `transformer.h.${i}`;
    return {
      norm1: [`${p}.ln_1.weight`, `${p}.ln_1.bias`],
      norm2: [`${p}.ln_2.weight`, `${p}.ln_2.bias`],
      qkv: [`${p}.attn.c_attn`],
      out: `${p}.attn.c_proj`,
      mlpIn: [`${p}.mlp.c_fc`],
      mlpOut: `${p}.mlp.c_proj`,
    };
  },
  params(c) {
    const d = c.dModel;
    const { out, lin, norm, projStd } = paramList(c);
    out.push({ name: 'transformer.wte.weight', shape: [c.vocabSize, d], init: 'normal', std: INIT_STD });
    out.push({ name: 'transformer.wpe.weight', shape: [c.contextLength, d], init: 'normal', std: 0.01 });
    for (let i = 0; i < c.nLayers; i++) {
      const p = `transformer.h.${i}`;
      norm(`${p}.ln_1`, true);
      lin(`${p}.attn.c_attn`, d, 3 * d, 'conv1d', true);
      lin(`${p}.attn.c_proj`, d, d, 'conv1d', true, projStd);
      norm(`${p}.ln_2`, true);
      lin(`${p}.mlp.c_fc`, d, c.dFF, 'conv1d', true);
      lin(`${p}.mlp.c_proj`, c.dFF, d, 'conv1d', true, projStd);
    }
    norm('transformer.ln_f', true);
    if (!c.tieEmbeddings) lin('lm_head', d, c.vocabSize, 'linear', false);
    return out;
  },
};
