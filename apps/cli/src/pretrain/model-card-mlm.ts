/** The model card (README.md) of a masked-LM base model trained by `xrec pretrain --objective mlm`. */
import type { MlmEvaluation } from './evaluate-mlm.js';
import { trainingSections, type CardExtras } from './model-card.js';
import type { PretrainSummary } from './run-pretrain.js';

const f = (x: number, d = 3): string => x.toFixed(d);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');

export function renderMlmCard(s: PretrainSummary, e: MlmEvaluation, x: CardExtras): string {
  const c = s.config;
  const alibi = c.positionBias === 'alibi';
  const L: string[] = [];
  L.push(`# ${x.name}`, '');
  L.push(
    `A BERT-style masked language model (${int(s.parameters)} parameters: ${c.layers} post-LayerNorm encoder layers, width ${c.dModel}, ${c.heads} heads, context ${c.seq} tokens, ${alibi ? 'learned absolute positions plus ALiBi distance biases in the attention, ' : ''}tied embeddings with the MLM head's bias) ` +
      `pre-trained by xrec itself (\`xrec pretrain --objective mlm\`) on the public pre-training corpus of reviews and general English, with xrec-base's tokenizer plus \`<mask>\`. ` +
      "It is PromptRec's masked-LM base model (`xrec bench run coldstart`). The folder is self-contained in Hugging Face's layout (config.json with `model_type: bert`, model.safetensors, tokenizer.json, tokenizer_config.json and special_tokens_map.json with the mask token; no absolute paths) and loads with `TransformerLM.load`.",
    '',
  );
  L.push(
    'Objective: of every window of 128 tokens, 15% of the non-special tokens are chosen (at least one per window) and replaced by `<mask>` (80%), a random token (10%) or kept (10%); the loss is the cross-entropy at the chosen positions (Devlin et al. 2019). Every input is token type 0; the MLP uses the tanh GELU (Hugging Face\'s `gelu_new`).' +
      (alibi
        ? ` Head h of the ${c.heads} adds −m_h·|i − j| to its attention scores, m_h = 2^(−8h/${c.heads}) (ALiBi, Press et al. 2022, symmetric for an encoder; \`--position-bias alibi\`, \`"xrec_position_bias": "alibi"\` in config.json — Hugging Face's BERT has no such field, so other BERT loaders would drop it): the heads see their neighbours from the first update, which is what took this model off the bag-of-words plateau the first version ended on.`
        : ''),
    '',
  );
  L.push(...trainingSections(s, x));
  L.push('## Held-out masked-LM loss per source', '');
  L.push(`Mean cross-entropy (nats) at the masked positions of held-out windows of ${c.seq} tokens (fixed masks, as in pre-training's validation); a unigram model of the same tokenizer (fitted on the training documents, add-one smoothing) scores the same masked tokens; top-1 = the most likely token is the original.`, '');
  L.push('| source | held-out docs | masked tokens | loss | perplexity | top-1 | unigram loss | unigram perplexity |', '|---|---|---|---|---|---|---|---|');
  for (const r of e.sources) L.push(`| ${r.source} | ${int(r.valDocuments)} | ${int(r.tokens)} | ${f(r.loss)} | ${f(r.perplexity, 1)} | ${f(100 * r.accuracy, 1)}% | ${f(r.unigramLoss)} | ${f(r.unigramPerplexity, 1)} |`);
  const tok = e.sources.reduce((a, r) => a + r.tokens, 0);
  const w = (g: (r: MlmEvaluation['sources'][number]) => number): number => e.sources.reduce((a, r) => a + g(r) * r.tokens, 0) / Math.max(1, tok);
  L.push(`| **all** | | ${int(tok)} | ${f(w((r) => r.loss))} | ${f(Math.exp(w((r) => r.loss)), 1)} | ${f(100 * w((r) => r.accuracy), 1)}% | ${f(w((r) => r.unigramLoss))} | ${f(Math.exp(w((r) => r.unigramLoss)), 1)} |`, '');
  L.push('## Fill-mask', '');
  L.push('The five most likely tokens at `<mask>` (special tokens left out), with their probabilities:', '');
  L.push('| sentence | top 5 |', '|---|---|');
  const esc = (t: string): string => t.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  for (const m of e.fillMask) L.push(`| ${esc(m.sentence)} | ${m.top.map((t) => `${esc(t.token || '␣')} (${f(t.p, 2)})`).join(', ')} |`);
  L.push('');
  L.push('## Files', '', '| file | bytes |', '|---|---|', ...x.files.map((fl) => `| ${fl.name} | ${int(fl.bytes)} |`), '');
  L.push('## Limits', '');
  L.push('- A few million parameters and tens of millions of tokens (BERT-base: 110 M and 3.3 G words): it fills frequent review words and syntax, not facts.');
  L.push('- The corpus is mostly movie reviews (IMDb) and older English books; several sources state no license — the weights are released with the project, the texts are not.', '');
  return L.join('\n');
}
