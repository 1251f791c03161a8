/** PEPLER (main.py): user/item prompt vectors, sequential tuning (prompts only, then prompts + xrec-base). */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerContinuousMethod = peplerMethod({
  id: 'pepler',
  label: 'PEPLER',
  baseModel: 'xrec-base',
  role: 'variant',
  ratingHead: false,
  usrGoal: true,
  cost: 4,
  workUnits: 10,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'continuous' }),
});
