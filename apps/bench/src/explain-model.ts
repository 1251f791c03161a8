/** `xrec explain --model DIR --user U --item I`: load a saved PEPLER model and explain one pair. */
import { Pepler } from '@xrec/pepler';
import { loadTokenizer } from '@xrec/tokenizer';
import { TransformerLM, initBackend } from '@xrec/transformer';

export interface ExplainPairResult {
  readonly user: string;
  readonly item: string;
  readonly variant: string;
  readonly explanation: string;
  /** Predicted rating (clipped to the training range) for PEPLER-MF/MLP; undefined otherwise. */
  readonly rating?: number;
}

/** Load a model saved by `Pepler.save` (e.g. `<bench out>/runs/pepler-mf/split1-seed1/model`). */
export async function loadPeplerModel(dir: string): Promise<Pepler> {
  await initBackend();
  return Pepler.load(dir, { loadLM: (d) => TransformerLM.load(d), loadTokenizer: (p) => loadTokenizer(p) });
}

export async function explainPair(modelDir: string, user: string, item: string): Promise<ExplainPairResult> {
  const model = await loadPeplerModel(modelDir);
  try {
    const explanation = await model.explain(user, item);
    return {
      user,
      item,
      variant: model.variant,
      explanation,
      ...(model.hasRatingHead ? { rating: model.predictRating(user, item) } : {}),
    };
  } finally {
    model.dispose();
  }
}
