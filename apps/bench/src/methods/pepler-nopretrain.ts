/** Ablation: PEPLER on xrec-base's architecture and tokenizer with random weights (no pre-training at all). */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerNoPretrainMethod = peplerMethod({
  id: 'pepler-nopretrain',
  label: 'PEPLER, no pre-training',
  baseModel: 'random-init',
  role: 'random-init',
  ratingHead: false,
  usrGoal: false,
  cost: 4,
  workUnits: 10,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'continuous' }),
});
