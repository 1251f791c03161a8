/**
 * `xrec model-card --model DIR`: evaluate a base model trained by `xrec pretrain` (held-out loss per source
 * against a unigram model; causal LMs: zero-shot perplexity on the bundled data against base model (a),
 * continuations; masked LMs: top-1 accuracy at the masks, fill-mask examples) and write DIR/README.md (the
 * model card) and DIR/evaluation.json.
 */
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError, resolveDataDir, writeFileAtomic } from '@xrec/core';
import { loadTokenizer } from '@xrec/tokenizer';
import { TransformerLM, initBackend } from '@xrec/transformer';
import { terminalProgress } from '../progress.js';
import { evaluateBase } from '../pretrain/evaluate-base.js';
import { evaluateMlm } from '../pretrain/evaluate-mlm.js';
import { renderModelCard } from '../pretrain/model-card.js';
import { renderMlmCard } from '../pretrain/model-card-mlm.js';
import type { PretrainSummary } from '../pretrain/run-pretrain.js';
import { cliInt } from '../args.js';

export function registerModelCard(program: Command): void {
  program
    .command('model-card')
    .description('evaluate a base model made by `xrec pretrain` and write its model card (README.md) and evaluation.json')
    .requiredOption('--model <dir>', 'model directory written by xrec pretrain (holds pretrain-summary.json)')
    .option('--corpus <dir>', 'pre-training corpus (default: <data dir>/pretrain-corpus)')
    .option('--windows <n>', 'held-out windows per source', cliInt('--windows'), 64)
    .option('--no-zero-shot', 'skip the zero-shot comparison with base model (a) on the bundled data')
    .option('--command <text>', 'the command that reproduced the model (recorded in the card)')
    .option('--cpu-seconds <x>', 'CPU seconds of the pre-training run, when measured outside it')
    .option('--wall-seconds <x>', 'wall seconds of the pre-training run, when measured outside it')
    .addHelpText('after', '\nExample:\n  xrec model-card --model models/xrec-base')
    .action(async (o: { model: string; corpus?: string; windows: number; zeroShot: boolean; command?: string; cpuSeconds?: string; wallSeconds?: string }, cmd: Command) => {
      const dir = resolve(o.model);
      const summaryPath = join(dir, 'pretrain-summary.json');
      if (!existsSync(summaryPath)) throw new ConfigError(`--model: ${dir} has no pretrain-summary.json (not a model written by xrec pretrain)`);
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as PretrainSummary;
      const dataDir = resolveDataDir((cmd.parent?.opts() as { dataDir?: string } | undefined)?.dataDir).path;
      const progress = terminalProgress();
      await initBackend();
      const model = await TransformerLM.load(dir);
      const tok = await loadTokenizer(join(dir, 'tokenizer.json'));
      try {
        const corpus = resolve(o.corpus ?? join(dataDir, 'pretrain-corpus'));
        const masked = model.config.attention === 'bidirectional';
        const evaluation = masked ? await evaluateMlm(model, tok, { corpus, windows: o.windows, progress }) : await evaluateBase(model, tok, { corpus, windows: o.windows, zeroShot: o.zeroShot, progress });
        await writeFileAtomic(join(dir, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
        const files = readdirSync(dir)
          .filter((f) => statSync(join(dir, f)).isFile() && f !== 'README.md')
          .sort()
          .map((name) => ({ name, bytes: statSync(join(dir, name)).size }));
        const extras = {
          name: basename(dir),
          command: o.command ?? (masked ? 'xrec pretrain --objective mlm --out models/xrec-base-mlm' : 'xrec pretrain --out models/xrec-base'),
          ...(o.cpuSeconds !== undefined ? { cpuSeconds: Number(o.cpuSeconds) } : {}),
          ...(o.wallSeconds !== undefined ? { wallSeconds: Number(o.wallSeconds) } : {}),
          files,
          embeddingParameters: model.config.vocabSize * model.config.dModel + model.config.contextLength * model.config.dModel,
          vocabSize: model.config.vocabSize,
        };
        const card = 'fillMask' in evaluation ? renderMlmCard(summary, evaluation, extras) : renderModelCard(summary, evaluation, extras);
        await writeFileAtomic(join(dir, 'README.md'), card);
        progress.log(`model card: wrote ${join(dir, 'README.md')} and evaluation.json`);
      } finally {
        model.dispose();
      }
    });
}
