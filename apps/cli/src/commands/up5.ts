/**
 * `xrec up5 recommend`: top-k for one user from a fairness run's model with and without the fair prompts of
 * the attributes to hide, and each attribute's attacker probabilities (UP5, Hua et al. 2023).
 */
import type { Command } from 'commander';
import { ConfigError, DataError } from '@xrec/core';
import { auditFairnessRun, loadFairnessModel } from '@xrec/bench';
import { initBackend } from '@xrec/transformer';

export function registerUp5(program: Command): void {
  const up5 = program.command('up5').description('UP5: fairness-aware recommendation with counterfactually-fair prompts');
  up5
    .command('recommend')
    .description('top-k with and without the prompts that hide the given attributes, and the attackers’ probabilities')
    .requiredOption('--model <dir>', 'output folder of `xrec bench fairness` (p5/, up5.json, up5.safetensors, users.json)')
    .requiredOption('--user <id>', 'user id (one of the run’s users, or any id with --history)')
    .option('--hide <list>', 'comma-separated attributes to hide (empty: none)', '')
    .option('--k <n>', 'list length', '5')
    .option('--history <items>', 'comma-separated purchase history (overrides the user’s own; needed for a new user)')
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench fairness --profile quick --out out/fairness
  xrec up5 recommend --model out/fairness --user 1 --hide marital_status
  xrec up5 recommend --model out/fairness --user new --history RVSZ,AHXO --hide gender,occupation --json

Several hidden attributes use their prompts side by side (concatenated), not UP5's trained mixture.`,
    )
    .action(async (o: { model: string; user: string; hide: string; k: string; history?: string; json?: boolean }) => {
      if (!/^\d+$/.test(o.k) || Number(o.k) < 1) throw new ConfigError(`--k must be a positive integer, got '${o.k}'`);
      const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
      await initBackend();
      const m = await loadFairnessModel(o.model);
      try {
        const r = m.recommend(o.user, list(o.hide), Number(o.k), o.history === undefined ? undefined : list(o.history));
        if (o.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        const lines = [`user ${r.user}; history: ${r.history.join(', ') || '(none)'}; hidden: ${r.hidden.join(', ') || '(nothing)'}`, '', 'rank  without prompts                    with prompts'];
        r.plain.forEach((x, i) => lines.push(`${String(i + 1).padStart(4)}  ${x.item.padEnd(32)} ${r.fair[i]?.item ?? ''}`));
        lines.push('', 'attacker: probability of each class (without → with prompts)' + (Object.keys(r.attributes).length ? '; the user’s true class in brackets' : ''));
        for (const [a, p] of Object.entries(r.attacker)) {
          const truth = r.attributes[a];
          lines.push(`  ${a}${truth === undefined ? '' : ` [${truth}]`}: ${p.without.map((v, c) => `${c}: ${v.toFixed(3)} → ${p.with[c]!.toFixed(3)}`).join('; ')}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        m.dispose();
      }
    });
  up5
    .command('audit')
    .description("recompute a fairness run's attacker AUCs from its saved user representations and compare them with its report")
    .requiredOption('--model <dir>', 'output folder of `xrec bench fairness` (representations.safetensors/.json, report.json)')
    .option('--json', 'print the rows as one JSON array')
    .addHelpText('after', `
Examples:
  xrec up5 audit --model out/fairness

Exit code 2 when a recomputed AUC differs from the report's by more than 1e-6.`)
    .action(async (o: { model: string; json?: boolean }) => {
      await initBackend();
      const rows = await auditFairnessRun(o.model);
      if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) process.stdout.write(`${r.method.padEnd(40)} ${r.attribute.padEnd(16)} report ${r.reported.toFixed(6)}  recomputed ${r.recomputed.toFixed(6)}\n`);
      const off = rows.filter((r) => !(Math.abs(r.reported - r.recomputed) <= 1e-6));
      if (off.length) throw new DataError(`up5 audit: ${off.length} of ${rows.length} AUCs differ from the report (first: ${off[0]!.method}, ${off[0]!.attribute}: ${off[0]!.reported} vs ${off[0]!.recomputed})`);
    });
}
