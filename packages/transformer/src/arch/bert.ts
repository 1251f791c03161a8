/**
 * BERT (BertForMaskedLM) and RoBERTa (RobertaForMaskedLM): learned absolute and token-type embeddings summed
 * and LayerNorm-ed, post-LayerNorm blocks with q/k/v projections, GELU MLP, biases everywhere, and the
 * masked-LM head (dense → GELU → LayerNorm → tied embedding + bias); linear weights stored [out, in]
 * (nn.Linear) as in Hugging Face's files.
 *
 *   bert.embeddings.{word,position,token_type}_embeddings.weight, bert.embeddings.LayerNorm {weight, bias}
 *   bert.encoder.layer.i.attention.self.{query,key,value} [d, d] (+ bias), attention.output.dense (+ bias)
 *   bert.encoder.layer.i.attention.output.LayerNorm, intermediate.dense [d, dFF], output.dense [dFF, d],
 *   output.LayerNorm; cls.predictions.transform.{dense, LayerNorm}, cls.predictions.bias [V]
 *
 * RoBERTa renames `bert.` to `roberta.` and `cls.predictions.transform.dense` / `.LayerNorm` / `.bias` to
 * `lm_head.dense` / `lm_head.layer_norm` / `lm_head.bias`. Poolers, next-sentence heads, `position_ids`
 * buffers and the tied decoder's aliases in HF files are skipped on load.
 */
import { INIT_STD, paramList, type ArchSpec } from './spec.js';

interface Names {
  readonly root: 'bert' | 'roberta';
  readonly head: { readonly dense: string; readonly norm: string; readonly bias: string; readonly decoder: string };
}

function encoderSpec(n: Names): ArchSpec {
  const r = n.root;
  const emb = `${r}.embeddings`;
  return {
    name: r,
    embedding: `${emb}.word_embeddings.weight`,
    positions: `${emb}.position_embeddings.weight`,
    tokenTypes: `${emb}.token_type_embeddings.weight`,
    embeddingNorm: [`${emb}.LayerNorm.weight`, `${emb}.LayerNorm.bias`],
    prefix: `${r}.`,
    norm: 'layer',
    mlp: 'gelu',
    rope: false,
    placement: 'post',
    finalNorm: undefined,
    mlmHead: { dense: n.head.dense, norm: [`${n.head.norm}.weight`, `${n.head.norm}.bias`], bias: n.head.bias },
    outputModule: n.head.decoder,
    skipOnLoad: [/(^|\.)position_ids$/, /(^|\.)pooler\./, /^cls\.seq_relationship\./, new RegExp(`^${n.head.decoder.replace(/\./g, '\\.')}\\.bias$`)],
    block: (i) => {
      const p = `${r}.encoder.layer.${i}`;
      return {
        norm1: [`${p}.attention.output.LayerNorm.weight`, `${p}.attention.output.LayerNorm.bias`],
        norm2: [`${p}.output.LayerNorm.weight`, `${p}.output.LayerNorm.bias`],
        qkv: [`${p}.attention.self.query`, `${p}.attention.self.key`, `${p}.attention.self.value`],
        out: `${p}.attention.output.dense`,
        mlpIn: [`${p}.intermediate.dense`],
        mlpOut: `${p}.output.dense`,
      };
    },
    params(c) {
      const d = c.dModel;
      const { out, lin, norm } = paramList(c);
      out.push({ name: `${emb}.word_embeddings.weight`, shape: [c.vocabSize, d], init: 'normal', std: INIT_STD });
      out.push({ name: `${emb}.position_embeddings.weight`, shape: [c.contextLength, d], init: 'normal', std: INIT_STD });
      out.push({ name: `${emb}.token_type_embeddings.weight`, shape: [c.typeVocabSize, d], init: 'normal', std: INIT_STD });
      norm(`${emb}.LayerNorm`, true);
      for (let i = 0; i < c.nLayers; i++) {
        const p = `${r}.encoder.layer.${i}`;
        for (const m of ['query', 'key', 'value']) lin(`${p}.attention.self.${m}`, d, d, 'linear', true);
        lin(`${p}.attention.output.dense`, d, d, 'linear', true);
        norm(`${p}.attention.output.LayerNorm`, true);
        lin(`${p}.intermediate.dense`, d, c.dFF, 'linear', true);
        lin(`${p}.output.dense`, c.dFF, d, 'linear', true);
        norm(`${p}.output.LayerNorm`, true);
      }
      lin(n.head.dense, d, d, 'linear', true);
      norm(n.head.norm, true);
      out.push({ name: n.head.bias, shape: [c.vocabSize], init: 'zeros', std: 0 });
      if (!c.tieEmbeddings) lin(n.head.decoder, d, c.vocabSize, 'linear', false);
      return out;
    },
  };
}

export const BERT: ArchSpec = encoderSpec({
  root: 'bert',
  head: { dense: 'cls.predictions.transform.dense', norm: 'cls.predictions.transform.LayerNorm', bias: 'cls.predictions.bias', decoder: 'cls.predictions.decoder' },
});

export const ROBERTA: ArchSpec = encoderSpec({
  root: 'roberta',
  head: { dense: 'lm_head.dense', norm: 'lm_head.layer_norm', bias: 'lm_head.bias', decoder: 'lm_head.decoder' },
});
