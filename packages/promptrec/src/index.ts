/**
 * @xrec/promptrec (L3) — PromptRec (Wu et al., "Towards Personalized Cold-Start Recommendation with Prompts";
 * code: JacksonWuxs/PromptRec): profiles become a sentence through a verbalizer and a template, and a language
 * model answers "will this user like this item?" through label words — no interactions needed.
 */
export * from './verbalizer.js';
export * from './zip-states.js';
export * from './template.js';
export * from './movielens.js';
export * from './scorer.js';
export * from './protocol.js';
export * from './evaluate.js';
export * from './prompt-tune.js';
export * from './coupons.js';
export * from './tppt.js';
export * from './profile-model.js';
export * from './schema.js';
export * from './schemas.js';
export * from './cosine.js';
export * from './explain.js';
export * from './prompt-init.js';
export * from './tune-loss.js';
export * from './tune-replica.js';
