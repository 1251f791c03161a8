/**
 * The parameter inventory of each architecture, with Hugging Face names, compute-layout shapes and
 * initialisers. One list drives random init, checkpoint loading (shape checks) and saving.
 *
 * GPT-2 (GPT2LMHeadModel):                          Llama (LlamaForCausalLM):
 *   transformer.wte.weight        [V, d]              model.embed_tokens.weight                 [V, d]
 *   transformer.wpe.weight        [ctx, d]            model.layers.i.input_layernorm.weight     [d]
 *   transformer.h.i.ln_1.{weight,bias}  [d]           model.layers.i.self_attn.{q,o}_proj       [d, d]
 *   transformer.h.i.attn.c_attn   [d, 3d] (+ bias)    model.layers.i.self_attn.{k,v}_proj       [d, kvDim]
 *   transformer.h.i.attn.c_proj   [d, d]  (+ bias)    model.layers.i.post_attention_layernorm   [d]
 *   transformer.h.i.ln_2.{weight,bias}  [d]           model.layers.i.mlp.{gate,up}_proj         [d, dFF]
 *   transformer.h.i.mlp.c_fc      [d, dFF] (+ bias)   model.layers.i.mlp.down_proj              [dFF, d]
 *   transformer.h.i.mlp.c_proj    [dFF, d] (+ bias)   model.norm.weight                         [d]
 *   transformer.ln_f.{weight,bias} [d]                lm_head.weight [d, V] (untied only)
 *   lm_head.weight [d, V] (untied only)
 *
 * Linear weights are listed in compute layout [in, out]; `layout: 'linear'` ones are stored [out, in] by HF.
 */
import type { TransformerConfig } from './config.js';

export interface ParamSpec {
  /** HF parameter name. */
  readonly name: string;
  /** Shape in compute layout. */
  readonly shape: readonly number[];
  readonly init: 'normal' | 'zeros' | 'ones';
  readonly std: number;
  /** For weights of linear layers: the HF module name and storage layout. */
  readonly linear?: { readonly module: string; readonly layout: 'conv1d' | 'linear' };
}

/** Std of GPT-2 / Llama random init. */
export const INIT_STD = 0.02;

export function parameterSpecs(c: TransformerConfig): ParamSpec[] {
  const d = c.dModel;
  const hd = d / c.nHeads;
  const kvDim = hd * c.nKvHeads;
  const out: ParamSpec[] = [];
  const projStd = INIT_STD / Math.sqrt(2 * c.nLayers);
  const lin = (module: string, inF: number, outF: number, layout: 'conv1d' | 'linear', bias: boolean, std = INIT_STD): void => {
    out.push({ name: `${module}.weight`, shape: [inF, outF], init: 'normal', std, linear: { module, layout } });
    if (bias) out.push({ name: `${module}.bias`, shape: [outF], init: 'zeros', std: 0 });
  };
  const norm = (prefix: string, bias: boolean): void => {
    out.push({ name: `${prefix}.weight`, shape: [d], init: 'ones', std: 0 });
    if (bias) out.push({ name: `${prefix}.bias`, shape: [d], init: 'zeros', std: 0 });
  };
  if (c.arch === 'gpt2') {
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
  } else {
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
  }
  if (!c.tieEmbeddings) lin('lm_head', d, c.vocabSize, 'linear', false);
  return out;
}

/** Name of the token-embedding matrix [V, d]. */
export function embeddingName(c: TransformerConfig): string {
  return c.arch === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
}
