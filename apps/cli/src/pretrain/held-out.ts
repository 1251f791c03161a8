/**
 * What the model cards measure against: per corpus source, the held-out documents as one token stream
 * (`<bos> doc <eos>` each), and unigram counts over the training documents (the baseline every card compares
 * a model's held-out loss with). Causal LMs count the `<eos>` that ends each training document; masked LMs
 * never predict it, so they leave it out.
 */
import { type Progress } from '@xrec/core';
import { listCorpusSources, readCorpusDocuments } from '@xrec/data';
import type { Tokenizer } from '@xrec/tokenizer';

export interface HeldOut {
  /** Token counts over the training documents, by id. */
  readonly counts: Float64Array;
  readonly sources: { readonly name: string; readonly docs: number; readonly stream: number[] }[];
}

export async function readHeldOut(tok: Tokenizer, corpus: string, progress: Progress, o: { countEos: boolean }): Promise<HeldOut> {
  const bos = tok.bosId!;
  const eos = tok.eosId!;
  const counts = new Float64Array(tok.vocabSize);
  const sources: HeldOut['sources'] = [];
  const list = listCorpusSources(corpus);
  const task = progress.start('model card: reading the corpus', list.length);
  for (const s of list) {
    const stream: number[] = [];
    let docs = 0;
    for await (const d of readCorpusDocuments(s)) {
      const ids = tok.encode(d.text);
      if (d.split === 'val') {
        stream.push(bos, ...ids, eos);
        docs++;
      } else {
        for (const id of ids) counts[id]! += 1;
        if (o.countEos) counts[eos]! += 1;
      }
    }
    sources.push({ name: s.name, docs, stream });
    task.tick(1, { source: s.name });
  }
  task.finish();
  return { counts, sources };
}
