/** PEPLER on stories260K (llama2.c, tok512): a tiny model pre-trained on children's stories, for reference. */
import { commonPeplerConfig, peplerMethod } from './pepler-method.js';

export const peplerStoriesMethod = peplerMethod({
  id: 'pepler-stories',
  label: 'PEPLER on stories260K',
  baseModel: 'stories260K',
  role: 'reference',
  ratingHead: false,
  usrGoal: false,
  cost: 6,
  workUnits: 19,
  config: (p, seed) => ({
    ...commonPeplerConfig(p, seed),
    variant: 'continuous',
    lr: 1e-3,
    lr2: 1e-3,
    words: p.stories.words,
    maxNewTokens: p.stories.words,
    maxBatchesPerEpoch: p.stories.maxBatchesPerEpoch,
  }),
});
