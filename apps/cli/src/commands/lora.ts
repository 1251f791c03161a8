/**
 * `xrec train lora`: LoRA fine-tuning (Hu et al. 2022) of a saved model on new plain text (one document per
 * line), with the shared trainer. Writes a peft adapter directory (`adapter_config.json` +
 * `adapter_model.safetensors`), the training log and a summary; `--merge` also writes the merged model.
 *
 * The base is an xrec / Hugging Face model directory (config.json + model.safetensors) or a llama2.c `.bin`.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ConfigError, writeFileAtomic } from '@xrec/core';
import { autoWorkers, batchWindows, describeBackend, initBackend, lmLoss, train, type LmBatch } from '@xrec/transformer';
import { injectLora, loraDataParallel, resolveLoraConfig, saveAdapter, type LoraBias, type LoraConfigInput } from '@xrec/lora';
import { terminalProgress } from '../progress.js';
import { saveHfModelDir } from '../hf-dir.js';
import { cliFloat, cliInt, cliWorkers } from '../args.js';
import { loadModelAt, modelTokenizer } from '../model-files.js';
import { addTrainFlags, checkTrainFlags, readTextWindows, runSettings, trainerConfigFromFlags, type TrainFlags } from './train.js';

interface TrainLoraOptions extends TrainFlags {
  base: string;
  text: string;
  tokenizer?: string;
  out: string;
  r: number;
  alpha: number;
  dropout: number;
  target?: string;
  bias: string;
  rslora?: boolean;
  modulesToSave?: string;
  merge?: boolean;
  json?: boolean;
  workers: number | 'auto';
}

/** `--target`: comma-separated module names, `all-linear`, or `re:<regex>`; omitted = peft's default for the architecture. */
export function parseTargets(v: string | undefined): LoraConfigInput['targetModules'] {
  if (v === undefined) return null;
  if (v === 'all-linear') return v;
  if (v.startsWith('re:')) return v.slice(3);
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const FLAG_OF: Record<string, string> = {
  r: '--r',
  loraAlpha: '--alpha',
  loraDropout: '--dropout',
  targetModules: '--target',
  bias: '--bias',
  useRslora: '--rslora',
  modulesToSave: '--modules-to-save',
};

/** Run `f`; a ConfigError about `LoraConfig.<field>` is re-thrown naming the command-line flag too. */
export function withFlagNames<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const m = e instanceof ConfigError ? /^LoraConfig\.([A-Za-z]+)/.exec(e.message) : null;
    const flag = m ? FLAG_OF[m[1]!] : undefined;
    if (flag) throw new ConfigError(`${flag}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    throw e;
  }
}

export function registerLora(program: Command): void {
  const trainCmd = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train models');
  const cmd = trainCmd
    .command('lora')
    .description('LoRA fine-tuning of a saved model on plain text (one document per line); writes a peft adapter directory')
    .requiredOption('--base <path>', 'base model: directory (config.json + model.safetensors) or llama2.c .bin')
    .requiredOption('--text <file>', 'plain-text corpus, one document per line')
    .requiredOption('--out <dir>', 'output directory: adapter_config.json, adapter_model.safetensors, train-log.jsonl, train-summary.json')
    .option('--tokenizer <path>', 'tokenizer (default: BASE/tokenizer.json or the one recorded by xrec train lm)')
    .option('--r <n>', 'LoRA rank', cliInt('--r'), 8)
    .option('--alpha <x>', 'LoRA alpha (scale alpha/r)', cliFloat('--alpha'), 16)
    .option('--dropout <p>', 'dropout on the adapter input', cliFloat('--dropout'), 0)
    .option('--target <list>', "modules: comma-separated names (q_proj,v_proj), 'all-linear', or 're:<regex>' (default: peft's per-architecture default)")
    .option('--bias <kind>', 'none, all or lora_only', 'none')
    .option('--rslora', 'scale alpha/sqrt(r) (rsLoRA)')
    .option('--modules-to-save <list>', 'comma-separated modules trained in full and saved with the adapter')
    .option('--merge', 'also write the merged model (mergeAndUnload) to OUT/merged, with its tokenizer (Hugging Face layout)')
    .option('--json', 'print the training summary as one JSON object on stdout (progress stays on stderr)')
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (each loads the base model; auto: by size, batch and backend)', cliWorkers, 'auto' as const);
  addTrainFlags(cmd, { epochs: 3, lr: 5e-3, weightDecay: 0, warmup: 10, valFraction: 0.1, seedHelp: 'seed for adapter init, shuffling, split and dropout' });
  cmd.action(async (o: TrainLoraOptions) => {
    await trainLora(o);
  });
}

async function trainLora(o: TrainLoraOptions): Promise<void> {
  checkTrainFlags(o);
  const loraConfig = withFlagNames(() => resolveLoraConfig({
    r: o.r,
    loraAlpha: o.alpha,
    loraDropout: o.dropout,
    targetModules: parseTargets(o.target),
    bias: o.bias as LoraBias,
    useRslora: Boolean(o.rslora),
    modulesToSave: o.modulesToSave ? o.modulesToSave.split(',').map((s) => s.trim()).filter((s) => s !== '') : null,
  }));
  const progress = terminalProgress();
  const backend = await initBackend();
  progress.log(`backend: ${describeBackend(backend)}`);
  const model = await loadModelAt(o.base, '--base');
  try {
    const tokenizer = await modelTokenizer(o.base, model, o.tokenizer, (m) => progress.log(m));
    const data = readTextWindows(o.text, tokenizer, o);
    const { textPath, windows, trainIdx, valIdx, maxId } = data;
    if (maxId >= model.config.vocabSize) {
      throw new ConfigError(`--tokenizer: produced id ${maxId} but the base model has only ${model.config.vocabSize} embeddings (wrong tokenizer for this model?)`);
    }
    if (o.seq > model.config.contextLength) throw new ConfigError(`--seq ${o.seq} exceeds the base model's contextLength ${model.config.contextLength}`);
    const valBatches = () => batchWindows(windows, valIdx, o.batch, o.seq);
    const meanLoss = (bs: LmBatch[]) => {
      let s = 0;
      let n = 0;
      for (const b of bs) {
        const l = lmLoss(model, b, false);
        s += l.dataSync()[0]! * b.tokens!;
        n += b.tokens!;
        l.dispose();
      }
      return n > 0 ? s / n : undefined;
    };
    const baseValLoss = valIdx.length > 0 ? meanLoss(valBatches()) : undefined;

    const lm = withFlagNames(() => injectLora(model, loraConfig, { seed: o.seed }));
    const targets = lm.adapter().layers;
    progress.log(`LoRA on ${lm.adapter().layers.length} layers (${JSON.stringify(lm.adapter().config.targetModules)}): ${lm.trainableParametersText()}`);
    progress.log(`data: ${data.documents} documents, ${data.tokens} tokens, ${trainIdx.length} train / ${valIdx.length} val windows of ${o.seq}`);
    const out = resolve(o.out);
    // the compute per update is the base model's (the exchange, adapters only, is smaller)
    const workers = o.workers === 'auto' ? autoWorkers({ parameters: model.numParameters(), batchRows: o.batch, tokensPerStep: o.batch * o.seq, native: backend.native.active }) : o.workers;
    const result = await train<LmBatch>({
      variables: lm.trainableVariables(),
      lossFn: (b, training, ctx) => {
        lm.reseedDropout(ctx.seed); // LoRA dropout, and lmLoss reseeds the base model's
        return lmLoss(model, b, training, ctx.seed);
      },
      trainBatches: (_epoch, rng) => batchWindows(windows, rng.shuffle([...trainIdx]), o.batch, o.seq),
      ...(valIdx.length > 0 ? { valBatches } : {}),
      config: trainerConfigFromFlags(o, out),
      run: runSettings(o, ['base', 'text', 'tokenizer', 'r', 'alpha', 'dropout', 'target', 'bias', 'rslora', 'modulesToSave', 'batch', 'seq', 'valFraction', 'maxDocs'], ['base', 'text', 'tokenizer']),
      forceConfig: Boolean(o.forceConfig),
      ...(workers > 0 ? { parallel: loraDataParallel({ base: resolve(o.base), config: lm.adapter().config, seed: o.seed }, workers) } : {}),
      progress,
      label: 'train lora',
    });
    await saveAdapter(lm, out, { baseModelNameOrPath: resolve(o.base) });
    const report = lm.parameterReport();
    if (o.merge) {
      const merged = lm.mergeAndUnload();
      await saveHfModelDir(join(out, 'merged'), merged, tokenizer, { trained_by: 'xrec train lora --merge' });
    }
    const summary = {
      out,
      backend: backend.choice,
      base: resolve(o.base),
      lora: loraConfig,
      targets,
      parameters: report,
      baseValLoss,
      epochs: result.epochs,
      bestValLoss: result.bestValLoss,
      steps: result.steps,
      tokensPerSecond: result.tokensPerSecond,
      data: { text: textPath, documents: data.documents, tokens: data.tokens, trainWindows: trainIdx.length, valWindows: valIdx.length, seq: o.seq, batch: o.batch },
    };
    await writeFileAtomic(join(out, 'train-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    const last = result.epochs[result.epochs.length - 1];
    progress.log(
      `done: ${result.epochs.length} epochs, train loss ${last?.trainLoss.toFixed(4)}` +
        (baseValLoss !== undefined && last?.valLoss !== undefined ? `, val loss ${baseValLoss.toFixed(4)} (base) -> ${last.valLoss.toFixed(4)}` : '') +
        `, ${Math.round(result.tokensPerSecond)} tokens/s; adapter written to ${out}${o.merge ? ` (merged model in ${join(out, 'merged')})` : ''}`,
    );
  } finally {
    model.dispose();
  }
}
