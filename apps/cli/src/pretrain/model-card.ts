/** The model card (README.md) of a base model trained by `xrec pretrain`, from its summary and evaluation. */
import type { BaseEvaluation } from './evaluate-base.js';
import type { PretrainSummary } from './run-pretrain.js';

export interface CardExtras {
  readonly name: string;
  /** The command that reproduces the model. */
  readonly command: string;
  /** Process CPU seconds of the run(s), when recorded. */
  readonly cpuSeconds?: number;
  /** Wall seconds of the run(s) from start to the saved model, when recorded. */
  readonly wallSeconds?: number;
  readonly files: readonly { name: string; bytes: number }[];
  readonly embeddingParameters: number;
  /** The model's vocabulary (ids), when it differs from the summary's `vocab` flag. */
  readonly vocabSize?: number;
}

const f = (x: number, d = 3): string => x.toFixed(d);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');

export function renderModelCard(s: PretrainSummary, e: BaseEvaluation, x: CardExtras): string {
  const c = s.config;
  const L: string[] = [];
  L.push(`# ${x.name}`, '');
  L.push(
    `A GPT-2-style causal language model (${int(s.parameters)} parameters: ${c.layers} layers, width ${c.dModel}, ${c.heads} heads, context ${c.seq} tokens, tied embeddings) with its own byte-level BPE tokenizer (${int(c.vocab)} ids), ` +
      `pre-trained by xrec itself (\`xrec pretrain\`) on the public pre-training corpus of reviews and general English. It is the base model of PEPLER in \`xrec bench explain\`. ` +
      'The folder is self-contained in Hugging Face\'s layout (config.json with bos/eos/pad ids, model.safetensors, tokenizer.json, tokenizer_config.json, special_tokens_map.json, generation_config.json; no absolute paths).',
    '',
  );
  L.push('```sh', `pnpm xrec generate --checkpoint models/${x.name} --prompt "The battery" --greedy`, '```', '');
  L.push(...trainingSections(s, x));
  L.push('## Held-out loss per source', '');
  L.push(`Mean next-token loss (nats) on held-out windows of ${c.seq} tokens; a unigram model of the same tokenizer (fitted on the training documents, add-one smoothing) scores the same tokens.`, '');
  L.push('| source | held-out docs | scored tokens | loss | perplexity | unigram loss | unigram perplexity |', '|---|---|---|---|---|---|---|');
  for (const r of e.sources) L.push(`| ${r.source} | ${int(r.valDocuments)} | ${int(r.tokens)} | ${f(r.loss)} | ${f(r.perplexity, 1)} | ${f(r.unigramLoss)} | ${f(r.unigramPerplexity, 1)} |`);
  const tok = e.sources.reduce((a, r) => a + r.tokens, 0);
  const mean = e.sources.reduce((a, r) => a + r.loss * r.tokens, 0) / Math.max(1, tok);
  const uni = e.sources.reduce((a, r) => a + r.unigramLoss * r.tokens, 0) / Math.max(1, tok);
  L.push(`| **all** | | ${int(tok)} | ${f(mean)} | ${f(Math.exp(mean), 1)} | ${f(uni)} | ${f(Math.exp(uni), 1)} |`, '');
  if (e.zeroShot) {
    const z = e.zeroShot;
    L.push('## Zero-shot transfer', '');
    L.push(
      `Perplexity per word on ${z.dataset}: ${int(z.sentences)} sentences, ${int(z.words)} words, text xrec-base never saw (\`<bos> sentence <eos>\`, every token after \`<bos>\` scored; per-word = exp(total NLL / words), comparable across tokenizers). ` +
        `Base model (a) is the bench's quick-profile LM (${int(z.splitLm.parameters)} parameters) pre-trained on that dataset's own training split.`,
      '',
    );
    L.push('| model | scored tokens | per-token perplexity | per-word perplexity |', '|---|---|---|---|');
    L.push(`| xrec-base (zero-shot) | ${int(z.base.tokens)} | ${f(z.base.tokenPerplexity, 1)} | **${f(z.base.wordPerplexity, 1)}** |`);
    L.push(`| (a) trained on the split's training text | ${int(z.splitLm.tokens)} | ${f(z.splitLm.tokenPerplexity, 1)} | ${f(z.splitLm.wordPerplexity, 1)} |`, '');
    L.push(`${z.base.wordPerplexity < z.splitLm.wordPerplexity ? 'PASS' : 'FAIL'}: xrec-base's per-word perplexity is ${z.base.wordPerplexity < z.splitLm.wordPerplexity ? 'lower' : 'not lower'} than model (a)'s.`, '');
  }
  L.push('## Continuations', '');
  L.push('Greedy, and sampled (temperature 0.8, top-k 40, seed 1), 32 new tokens at most, after `<bos>` + the opening:', '');
  L.push('| opening | greedy | sampled |', '|---|---|---|');
  const esc = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const k of e.continuations) L.push(`| ${esc(k.prompt)} | ${esc(k.prompt + k.greedy)} | ${esc(k.prompt + k.sampled)} |`);
  L.push('');
  L.push('## Files', '', '| file | bytes |', '|---|---|', ...x.files.map((fl) => `| ${fl.name} | ${int(fl.bytes)} |`), '');
  L.push('## Limits', '');
  L.push('- A few million parameters and a few tens of millions of tokens: it writes plausible review English on familiar topics, not reliable facts; long continuations drift and repeat.');
  L.push('- The corpus is mostly movie reviews (IMDb) and older English books; product-review vocabulary outside it (e.g. instrument parts) is seen only in fine-tuning.');
  L.push('- Several corpus sources state no license; the model weights are released with the project, the texts are not.', '');
  return L.join('\n');
}

/** The Training and Data sections every base-model card shares (from the pre-training summary). */
export function trainingSections(s: PretrainSummary, x: CardExtras): string[] {
  const c = s.config;
  const L: string[] = [];
  const trainTokens = Object.values(s.corpus).reduce((a, v) => a + v.tokens.train, 0);
  L.push('## Training', '');
  L.push(`- Command (reproduces this checkpoint from its seed): \`${x.command}\``);
  L.push(`- Status: ${s.complete ? 'complete' : `stopped at step ${s.steps} of ${s.totalSteps}`}; ${int(s.steps)} AdamW updates of ${c.batch} windows × ${c.seq} tokens = **${int(s.tokensSeen)} tokens seen** (${f(s.tokensSeen / trainTokens, 2)} passes over the ${int(trainTokens)} training tokens).`);
  L.push(`- Optimiser: AdamW (β 0.9/0.999, weight decay ${c.weightDecay} on weight matrices), peak lr ${c.lr} after ${c.warmup} warm-up updates, cosine decay to ${c.minLr}, gradient clipping ${c.clip}, dropout 0, seed ${c.seed}.`);
  const times = [...(x.wallSeconds !== undefined ? [`${f(x.wallSeconds / 60, 1)} min wall`] : []), ...(x.cpuSeconds !== undefined ? [`${f(x.cpuSeconds / 60, 1)} CPU-min`] : [])];
  L.push(`- Time: ${times.length ? `${times.join(', ')}; ` : ''}training steps alone ${f(s.trainSeconds / 60, 1)} min (mean ${int(s.tokensSeen / s.trainSeconds)} tokens/s).`);
  L.push(`- Machine: ${s.machine.cpus} × ${s.machine.cpuModel}, ${s.machine.memoryGiB} GiB, Node ${s.machine.node}; backend ${s.machine.backend}.`);
  L.push(`- Tokenizer: ${c.tokenizer !== undefined ? `xrec-base's byte-level BPE with \`<mask>\` added for masked-LM training (${int(x.vocabSize ?? c.vocab)} ids);` : `byte-level BPE, ${int(c.vocab - 3)} learnt tokens + \`<bos>\` \`<eos>\` \`<pad>\`, trained on the corpus's training documents;`} **${f(s.tokensPerWord, 2)} tokens per word** on the training documents. The embedding matrix holds ${int(x.embeddingParameters)} of the ${int(s.parameters)} parameters (${f((100 * x.embeddingParameters) / s.parameters, 1)}%): a larger vocabulary would shorten sequences only a little (most review words are already one token) but would take most of the parameter budget at this width.`);
  L.push('');
  L.push('### Data', '');
  L.push('Every `<source>.txt.gz` of `$XREC_DATA_DIR/pretrain-corpus` (see its PROVENANCE.md; the texts are not in this repository). Documents with line index ≡ 0 (mod 100) are held out. Windows are drawn from each source with the weights below.', '');
  L.push('| source | train docs | train words | train tokens | weight | held-out docs |', '|---|---|---|---|---|---|');
  const wsum = Object.values(s.corpus).reduce((a, v) => a + v.weight, 0);
  for (const [name, v] of Object.entries(s.corpus)) L.push(`| ${name} | ${int(v.documents.train)} | ${int(v.words.train)} | ${int(v.tokens.train)} | ${f(v.weight / wsum, 3)} | ${int(v.documents.val)} |`);
  L.push('');
  L.push('The corpus holds no Amazon Musical Instruments or Beauty text, so the bundled benchmark does not leak into pre-training.', '');
  return L;
}
