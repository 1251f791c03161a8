/**
 * Sentence splitting, part-of-speech tags, lemmas, negation scope and a word-polarity lexicon, all from
 * wink-nlp with its English lite model (no hand-written tagger). The model is loaded once per process.
 */
import winkNLP, { type ItemSentence, type ItemToken } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** One token of a tagged sentence. */
export interface TaggedToken {
  /** Lower-cased surface form. */
  readonly w: string;
  /** Lower-cased lemma. */
  readonly l: string;
  /** Universal POS tag (NOUN, ADJ, ...). */
  readonly p: string;
  /** Inside the scope of a negation ("not bad"). */
  readonly neg: boolean;
  /** A word or number (not punctuation, symbol, emoji, ...). */
  readonly word: boolean;
}

export interface TaggedSentence {
  /** The sentence text, whitespace collapsed. */
  readonly text: string;
  readonly tokens: readonly TaggedToken[];
  /** Number of word/number tokens. */
  readonly wordCount: number;
}

type Nlp = ReturnType<typeof winkNLP>;

/**
 * A tagger with its own wink-nlp instance. wink-nlp grows its vocabulary with every text it reads, and
 * tags of later texts can depend on it, so every build uses a fresh tagger: one input, one output.
 */
export interface Tagger {
  /** Split `text` into sentences of tagged tokens. */
  tag(text: string): TaggedSentence[];
  /** wink-nlp's sentiment score of a single word, in [-1, 1] (0 when its lexicon does not know it). */
  polarity(word: string): number;
}

/** A fresh tagger (loads the English lite model into a new wink-nlp instance). */
export function createTagger(): Tagger {
  const n = winkNLP(model);
  const cache = new Map<string, number>();
  return {
    tag: (text) => tagWith(n, text),
    polarity(word) {
      let v = cache.get(word);
      if (v === undefined) {
        v = Number(n.readDoc(word).out(n.its.sentiment));
        cache.set(word, v);
      }
      return v;
    },
  };
}

function tagWith(n: Nlp, text: string): TaggedSentence[] {
  const its = n.its;
  const out: TaggedSentence[] = [];
  n.readDoc(text)
    .sentences()
    .each((s: ItemSentence) => {
      const tokens: TaggedToken[] = [];
      let wordCount = 0;
      s.tokens().each((t: ItemToken) => {
        const type = t.out(its.type);
        const word = type === 'word' || type === 'number';
        if (word) wordCount += 1;
        tokens.push({
          w: t.out().toLowerCase(),
          // wink-nlp's typings reject its.lemma (an addon helper); it works at run time.
          l: String(t.out(its.lemma as unknown as typeof its.pos)).toLowerCase(),
          p: t.out(its.pos),
          neg: Boolean(t.out(its.negationFlag)),
          word,
        });
      });
      out.push({ text: s.out().replace(/\s+/g, ' ').trim(), tokens, wordCount });
    });
  return out;
}

/** Tag one text with a fresh tagger (convenience; a build uses one {@link createTagger} for all texts). */
export function tagText(text: string): TaggedSentence[] {
  return createTagger().tag(text);
}
