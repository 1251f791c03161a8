/**
 * A P5 tokenizer trained from scratch on the prompts (this machine trains small T5s from scratch; a user with
 * `t5-small` loads its own): byte-level BPE over the training prompts and targets, with `<pad>` and `<eos>`.
 * Ids stay sub-word pieces — a number or product code is split into the pieces BPE learnt.
 */
import { trainBpe, type BpeTokenizer } from '@xrec/tokenizer';

export function trainP5Tokenizer(texts: Iterable<string>, vocabSize = 1024): BpeTokenizer {
  return trainBpe(texts, { vocabSize, specialTokens: ['<pad>', '<eos>'], minFrequency: 2 });
}
