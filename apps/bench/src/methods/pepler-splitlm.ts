/**
 * Ablation: PEPLER on base model (a), a small GPT-2-style model pre-trained on the split's training text only
 * (what xrec used before xrec-base) — shows what pre-training on the public corpus adds.
 */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerSplitLmMethod = peplerMethod({
  id: 'pepler-splitlm',
  label: 'PEPLER, LM pre-trained on the train split only',
  baseModel: 'split-lm',
  role: 'reference',
  ratingHead: false,
  usrGoal: false,
  cost: 2,
  workUnits: 4,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'continuous', lr: 1e-3, lr2: 1e-3 }),
});
