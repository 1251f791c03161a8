/** PEPLER-MF (reg.py --use_mf): continuous prompts plus a matrix-factorisation rating head. */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerMfMethod = peplerMethod({
  id: 'pepler-mf',
  label: 'PEPLER-MF',
  baseModel: 'xrec-base',
  role: 'variant',
  ratingHead: true,
  usrGoal: false,
  cost: 3,
  workUnits: 7,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'mf' }),
});
