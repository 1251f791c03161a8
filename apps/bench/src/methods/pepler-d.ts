/** PEPLER-D (discrete.py): the pair's feature words as a token prompt, xrec-base fine-tuned. */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerDMethod = peplerMethod({
  id: 'pepler-d',
  label: 'PEPLER-D',
  baseModel: 'xrec-base',
  role: 'variant',
  ratingHead: false,
  usrGoal: true,
  cost: 5,
  workUnits: 8,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'discrete', promptTokens: p.pepler.promptTokens, ...(p.pepler.discreteLr > 0 ? { lr: p.pepler.discreteLr } : { lr: undefined }) }),
});
