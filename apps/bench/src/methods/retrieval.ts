/** The retrieval baseline: the training explanation of the most similar known pair (see ../retrieval.ts). */
import { RetrievalBaseline } from '../retrieval.js';
import type { ExplainMethod } from './method.js';

export const retrievalMethod: ExplainMethod = {
  id: 'retrieval',
  label: 'Retrieval baseline',
  baseModel: 'none',
  role: 'baseline',
  ratingHead: false,
  usrGoal: false,
  cost: 0,
  workUnits: 1,
  config: () => ({}),
  run: async ({ ctx, pairs }) => {
    const ret = new RetrievalBaseline(ctx.rows.train.map((r) => ctx.trainRecords[r]!));
    const g0 = Date.now();
    const generated = pairs.map((p) => ret.explain(p.user, p.item));
    return { generated, trainSeconds: 0, generateSeconds: (Date.now() - g0) / 1000, tokensPerSecond: 0, epochs: [], stages: [], savedModel: false };
  },
};
