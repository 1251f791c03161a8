/** PEPLER-MLP (reg.py): continuous prompts plus an MLP rating head. */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerMlpMethod = peplerMethod({
  id: 'pepler-mlp',
  label: 'PEPLER-MLP',
  baseModel: 'xrec-base',
  role: 'variant',
  ratingHead: true,
  usrGoal: false,
  cost: 3,
  workUnits: 8,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'mlp' }),
});
