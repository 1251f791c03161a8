#!/usr/bin/env node
// Experiment (not a test): can a small P5 trained from scratch learn which users like which items from their
// ids alone, and what does dropout do to that? A synthetic yes/no task: 300 users and 200 items, each with one
// of 4 hidden groups; "Will user_u likely to interact with item_i ?" is yes when the groups match. Every user
// and item is one token (userTokens, itemTokens), so the answer can only come from learning the ids. The
// score is the ROC-AUC of p(yes) over (user, item) pairs of 100 users x 40 items.
// Usage: node apps/bench/scripts/p5-id-dropout.mjs [--epochs 10] [--dropout 0,0.1] [--json]   (after `pnpm build`)
import { parseArgs } from 'node:util';
import { Rng } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { P5Recommender, scoreYesNo, trainP5, trainP5Tokenizer, yesNoPrompt } from '@xrec/p5';
import { initBackend } from '@xrec/transformer';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '10' }, dropout: { type: 'string', default: '0,0.1' }, json: { type: 'boolean', default: false } } });
const epochs = Number(values.epochs);
const dropouts = values.dropout.split(',').map(Number);
if (!Number.isInteger(epochs) || epochs < 1 || dropouts.some((p) => !(p >= 0 && p < 1))) {
  console.error('p5-id-dropout: --epochs must be a positive integer and --dropout a comma-separated list of numbers in [0, 1)');
  process.exit(2);
}

await initBackend();
const GROUPS = 4;
const users = Array.from({ length: 300 }, (_, k) => String(k + 1));
const items = Array.from({ length: 200 }, (_, k) => String(k + 1));
const rng = new Rng(1);
const userGroup = users.map(() => rng.int(0, GROUPS - 1));
const itemGroup = items.map(() => rng.int(0, GROUPS - 1));
const yesNo = [];
for (let u = 0; u < users.length; u++) {
  for (let k = 0; k < 40; k++) {
    const i = rng.int(0, items.length - 1);
    yesNo.push({ user: users[u], item: items[i], answer: userGroup[u] === itemGroup[i] ? 'yes' : 'no' });
  }
}
const tokenizer = trainP5Tokenizer(yesNo.slice(0, 2000).map((e) => `${yesNoPrompt(e.user, e.item, 'movie')} ${e.answer}`), 400);

/**
 * ROC-AUC of p(yes) over the (matching, non-matching) item pairs of each of the first 100 users on the first
 * 40 items, pooled over users: each user's {@link rocAuc} weighted by their number of such pairs (ties count half).
 */
function auc(rec) {
  const probe = items.slice(0, 40);
  let sum = 0;
  let pairs = 0;
  for (let u = 0; u < 100; u++) {
    const labels = probe.map((_, k) => userGroup[u] === itemGroup[k]);
    const pos = labels.filter(Boolean).length;
    const n = pos * (labels.length - pos);
    if (n === 0) continue; // every probe item in (or out of) the user's group: no pair to order
    sum += n * rocAuc(scoreYesNo(rec, { user: users[u], history: [], target: probe[0], candidates: probe }, probe), labels);
    pairs += n;
  }
  return sum / pairs;
}

const rows = [];
for (const dropout of dropouts) {
  const rec = P5Recommender.create(tokenizer, items, { task: 'direct', domain: 'movie', itemTokens: true, userTokens: true }, { dModel: 64, nHeads: 4, nLayers: 2, dFF: 256, dropout }, 0, users);
  const t0 = performance.now();
  await trainP5(rec, { train: [], yesNo, batchSize: 64, embeddingLrScale: 10, config: { epochs, lr: 3e-3, warmupSteps: 100, schedule: 'linear', seed: 0 } });
  const row = { dropout, epochs, examples: yesNo.length, trainSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)), auc: Number(auc(rec).toFixed(4)) };
  rec.dispose();
  rows.push(row);
  if (!values.json) console.log(`dropout ${dropout}: AUC ${row.auc.toFixed(4)} after ${epochs} epoch(s) of ${row.examples} yes/no prompts (${row.trainSeconds} s)`);
}
if (values.json) console.log(JSON.stringify(rows));
