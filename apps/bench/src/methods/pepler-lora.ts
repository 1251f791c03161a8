/** PEPLER with LoRA adapters instead of full fine-tuning in stage 2 (xrec's extension). */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerLoraMethod = peplerMethod({
  id: 'pepler-lora',
  label: 'PEPLER (LoRA stage 2, xrec ext.)',
  baseModel: 'xrec-base',
  role: 'variant',
  ratingHead: false,
  usrGoal: false,
  cost: 4,
  workUnits: 10,
  config: (p, seed) => ({ ...commonPeplerConfig(p, seed), variant: 'continuous', stage2: 'lora' }),
});
