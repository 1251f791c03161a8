/**
 * The fairness task's report: the table of attacker AUCs and ranking metrics per row, the goal lines (attacker
 * AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5, per hidden attribute), the leak checks, and the
 * fairness–accuracy chart.
 */
import { REC_METRICS, type RecMetrics } from '@xrec/p5';
import type { AdversaryObjective, ConfusionTarget } from '@xrec/up5';
import { scatterChartSvg } from '../svg.js';
import { P5_EMBEDDING_LR_SCALE, type RecDataset } from './rec-data.js';
import { writeTaskReport } from './write-report.js';

export type RowKind = 'unfair' | 'prompt' | 'mixture' | 'concatenation' | 'adversarial fine-tuning' | 'linear projection';

export interface Row {
  readonly method: string;
  readonly kind: RowKind;
  /** The attributes the row hides (none for the unfair P5). */
  readonly hidden: readonly string[];
  readonly auc: Record<string, number>;
  readonly hardAuc: Record<string, number>;
  readonly metrics: RecMetrics;
  readonly trainSeconds?: number;
}

export interface ReportInput {
  readonly dataset: RecDataset;
  readonly profile: string;
  readonly seed: number;
  readonly lambda: number;
  /** The mixture's settings: λ, keep-term weight (× λ), start of its value and output maps, learning rate. */
  readonly mixtureLambda: number;
  readonly mixtureKeep: number;
  readonly mixtureInit: string;
  readonly mixtureLr: number;
  readonly tokens: number;
  readonly lr: number;
  readonly discriminatorLr: number;
  /** The P5's dropout in training. */
  readonly dropout: number;
  readonly adversary: AdversaryObjective;
  readonly confusionTarget: ConfusionTarget;
  readonly pretrain: number;
  readonly epochs: number;
  readonly examplesPerEpoch: number;
  readonly attributes: readonly string[];
  readonly classes: Record<string, number>;
  readonly rows: readonly Row[];
  readonly attackerUsers: Record<string, { train: number; test: number }>;
  readonly testExamples: number;
}

/** How a row names the attribute subset it hides: 'all' for the full set of three or more, else the attributes joined. */
export function subsetName(subset: readonly string[], attributes: readonly string[], joiner = ' + '): string {
  return subset.length === attributes.length && subset.length > 2 ? 'all' : subset.join(joiner);
}

/** The issue's target for one attribute a row hides: attacker AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5. */
function target(row: Row, unfair: Row, a: string) {
  const gap = Math.abs(row.auc[a]! - 0.5);
  const drop = 1 - row.metrics['hit@5'] / unfair.metrics['hit@5'];
  return { name: `${row.hidden.length > 1 || row.kind !== 'prompt' ? `${row.method}, ${a}` : a}: attacker AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5`, pass: gap <= 0.03 && drop <= 0.05, auc: row.auc[a]!, unfairAuc: unfair.auc[a]!, hitDrop: drop };
}

export async function writeFairnessReport(out: string, r: ReportInput) {
  const unfair = r.rows[0]!;
  const measure = (kinds: readonly RowKind[]) => r.rows.filter((row) => kinds.includes(row.kind)).flatMap((row) => row.hidden.map((a) => target(row, unfair, a)));
  const goals = measure(['prompt', 'mixture']);
  const baselines = measure(['concatenation', 'adversarial fine-tuning', 'linear projection']);
  // the leak must be real for the prompts to mean anything
  const leaks = r.attributes.map((a) => ({ name: `${a}: the unfair P5 leaks it (attacker AUC above 0.55)`, pass: Math.abs(unfair.auc[a]! - 0.5) > 0.05, auc: unfair.auc[a]! }));
  const f = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  const line = (kind: string, g: ReturnType<typeof target>) => {
    const outside = Math.abs(g.auc - 0.5) - 0.03;
    const why = g.pass ? '' : ` — ${[...(outside > 0 ? [`AUC ${outside.toFixed(4)} outside the band`] : []), ...(g.hitDrop > 0.05 ? [`hit@5 ${(100 * (g.hitDrop - 0.05)).toFixed(1)} points past the 5% drop`] : [])].join(', ')}`;
    return `${kind}: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}, unfair ${g.unfairAuc.toFixed(4)}; hit@5 ${g.hitDrop >= 0 ? 'down' : 'up'} ${(100 * Math.abs(g.hitDrop)).toFixed(1)}%${why}).`;
  };
  const name = r.dataset === 'insurance' ? 'Insurance, sequential' : 'MovieLens-100K, sequential (leave-one-out)';
  const md = [
    `# Fairness-aware recommendation (UP5): ${name} (${r.profile}, seed ${r.seed})`,
    '',
    `A P5 trained here (embedding tables' learning rate ×${P5_EMBEDDING_LR_SCALE[r.dataset]}, dropout ${r.dropout}; frozen afterwards); one counterfactually-fair prompt per attribute (${r.tokens} tokens in every encoder, decoder and cross-attention layer, λ = ${r.lambda}, adversary ${adversaryWords(r)}, then ${r.epochs} epoch(s) of ${r.examplesPerEpoch} examples, one prompt${r.adversary === 'mmd' ? '' : ' and one discriminator'} update per batch of 64, lr ${r.lr}${r.adversary === 'mmd' ? '' : `, the discriminator's ${r.discriminatorLr}`}); attackers: a fresh discriminator trained on the user representations of the attacker-training users, ROC-AUC (macro one-vs-one for multi-class) on the attacker-test users (${r.attributes.map((a) => `${a} (${r.classes[a]} classes): ${r.attackerUsers[a]!.train}/${r.attackerUsers[a]!.test}`).join(', ')}); 0.5 is fair. Ranking: ${r.testExamples} test users, 20 beams. Mixture rows: UP5's prompt mixture (learned attention over the frozen single prompts, trained once on random attribute subsets; λ = ${r.mixtureLambda}, lr ${r.mixtureLr}${r.mixtureKeep === 0 ? ', no keep terms' : r.mixtureKeep === 1 ? ", UP5's keep terms" : `, keep terms × ${r.mixtureKeep}`}, ${r.mixtureInit === 'identity' ? 'value and output maps started at the identity' : 'xavier start'}). Baselines: the same subsets' prompts concatenated along the prefix axis, untrained (UP5's concatenation); adversarial fine-tuning of every P5 weight on a copy (same objective and schedule, the P5 at lr 1e-3), and INLP — the attribute's linear classifier directions, fitted on the unfair representations of the attacker-training users, projected out of every encoder state.`,
    '',
    `| Method | ${r.attributes.map((a) => `AUC ${a}`).join(' | ')} | ${REC_METRICS.join(' | ')} | train s |`,
    `|---|${r.attributes.map(() => '---').join('|')}|${REC_METRICS.map(() => '---').join('|')}|---|`,
    ...r.rows.map((row) => `| ${row.method} | ${r.attributes.map((a) => f(row.auc[a])).join(' | ')} | ${REC_METRICS.map((k) => f(row.metrics[k])).join(' | ')} | ${row.trainSeconds?.toFixed(1) ?? ''} |`),
    '',
    ...(r.rows.some((row) => Object.keys(row.hardAuc).length)
      ? [`OtPrFairness' folded hard-prediction AUC (binary attributes): ${r.rows.map((row) => `${row.method}: ${Object.entries(row.hardAuc).map(([a, v]) => `${a} ${f(v)}`).join(', ')}`).join('; ')}.`, '']
      : []),
    ...leaks.map((g) => `Check: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}).`),
    ...goals.map((g) => line('Goal', g)),
    ...baselines.map((g) => line('Baseline', g)),
    '',
  ].join('\n');
  const reportFiles = await writeTaskReport(out, { md, json: { format: 'xrec-bench-fairness', version: 2, ...r, goals, baselines, leaks }, chart: { file: 'tradeoff.svg', svg: fairnessTradeoffSvg(r) } });
  return { reportFiles, summary: { auc: Object.fromEntries(r.rows.map((x) => [x.method, x.auc])), goal: goals.every((g) => g.pass) } };
}

/**
 * The fairness–accuracy trade-off of a fairness report (its report.json has every field used): per row and
 * hidden attribute, the attacker's AUC on that attribute against hit@5 (the unfair P5: every attribute), the
 * target AUC band shaded and the 5%-below-unfair hit@5 line dashed.
 */
export function fairnessTradeoffSvg(r: Pick<ReportInput, 'dataset' | 'attributes' | 'rows'>): string {
  const unfair = r.rows[0]!;
  const kinds: readonly RowKind[] = ['unfair', 'prompt', 'mixture', 'concatenation', 'adversarial fine-tuning', 'linear projection'];
  const series = kinds
    .map((k) => ({
      name: k === 'unfair' ? 'unfair P5' : k === 'prompt' ? 'CFP prompt' : k === 'mixture' ? 'prompt mixture' : k === 'concatenation' ? 'prompts concatenated' : k,
      points: r.rows.filter((row) => row.kind === k).flatMap((row) => (k === 'unfair' ? r.attributes : row.hidden).map((a) => [row.auc[a]!, row.metrics['hit@5'], k === 'mixture' || k === 'concatenation' ? `${a} (${subsetName(row.hidden, r.attributes, '+')})` : a] as const)),
    }))
    .filter((x) => x.points.length > 0);
  const name = r.dataset === 'insurance' ? 'Insurance, sequential' : 'MovieLens-100K, sequential (leave-one-out)';
  return scatterChartSvg(`${name}: fairness–accuracy trade-off`, 'attacker AUC on the hidden attribute (0.5 = fair; shaded: within 0.03)', 'hit@5', series, { band: [0.47, 0.53], hLine: { y: 0.95 * unfair.metrics['hit@5'], label: 'hit@5 5% below the unfair P5' } });
}

/** How the report names a run's adversary objective and its discriminator schedule. */
function adversaryWords(r: ReportInput): string {
  if (r.adversary === 'mmd') return 'none: a kernel MMD penalty between the classes’ representations in each batch (not UP5’s)';
  const what = r.adversary === 'negative-ce' ? "−L_disc (UP5's)" : `confusion (cross-entropy to ${r.confusionTarget === 'prior' ? "the class prior of the prompt's training examples" : 'uniform'})`;
  return `${what}, discriminator pre-trained for ${r.pretrain} epoch(s) on the unprompted representations`;
}
