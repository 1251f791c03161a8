/** Test helpers: a word-level tokenizer and a small synthetic explanation dataset with learnable structure. */
import type { TextCodec } from '@xrec/tokenizer';
import type { PeplerRecord } from '../src/index.js';

export class WordTokenizer implements TextCodec {
  readonly words: string[];
  private readonly index: Map<string, number>;
  readonly bosId = 0;
  readonly eosId = 1;
  readonly padId = 2;
  constructor(corpus: readonly string[]) {
    const set = new Set<string>();
    for (const t of corpus) for (const w of t.split(/\s+/)) if (w) set.add(w);
    this.words = ['<bos>', '<eos>', '<pad>', '<unk>', ...[...set].sort()];
    this.index = new Map(this.words.map((w, i) => [w, i]));
  }
  get vocabSize(): number {
    return this.words.length;
  }
  encode(text: string): number[] {
    return text.split(/\s+/).filter(Boolean).map((w) => this.index.get(w) ?? 3);
  }
  decode(ids: readonly number[]): string {
    return Array.from(ids, (i) => this.words[i] ?? '<unk>').join(' ');
  }
  tokenToId(t: string): number | undefined {
    return this.index.get(t);
  }
}

const FEATURES = ['sound', 'price', 'strings', 'cable', 'tuner', 'pedal'];
const OPINIONS = ['great', 'cheap', 'solid', 'noisy', 'bright', 'warm'];

/** Users like an opinion, items have a feature: sentence = "the <feature> is <opinion>". */
export function syntheticRecords(nUsers = 12, nItems = 10, perUser = 8): { records: PeplerRecord[]; train: number[]; validation: number[]; test: number[] } {
  const records: PeplerRecord[] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let j = 0; j < perUser; j++) {
      const i = (u * 3 + j * 7) % nItems;
      const feature = FEATURES[i % FEATURES.length]!;
      const opinion = OPINIONS[u % OPINIONS.length]!;
      records.push({ user: `u${u}`, item: `i${i}`, rating: 1 + ((u + i) % 5), feature, sentence: `the ${feature} is ${opinion}` });
    }
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  records.forEach((_, r) => (r % 8 === 6 ? validation : r % 8 === 7 ? test : train).push(r));
  return { records, train, validation, test };
}
