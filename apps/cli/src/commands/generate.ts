/**
 * `xrec generate`: continue a prompt with a saved language model.
 *
 *   xrec generate --checkpoint PATH [--tokenizer PATH] --prompt TEXT [--max-tokens N]
 *                 [--greedy | --temperature T --top-k K --top-p P --seed S] [--no-cache] [--json]
 *
 * PATH is an xrec / Hugging Face model directory (config.json + model.safetensors) or a llama2.c `.bin`
 * (then --tokenizer is its `tok512.bin` / `tokenizer.bin`). With a llama2.c vocabulary the prompt is encoded
 * like run.c (BOS first), generation stops at BOS or EOS like run.c, and the default of 256 new tokens is
 * run.c's default step count, so `--prompt "" --greedy` prints exactly what `./run model.bin -t 0` prints.
 * Without --greedy and sampling flags it samples like run.c's defaults (temperature 1, top-p 0.9, seed 0).
 */
import type { Command } from 'commander';
import { cliFloat, cliInt, cliSeed } from '../args.js';
import { loadModelAt, modelTokenizer } from '../model-files.js';
import { resolve } from 'node:path';
import { ConfigError } from '@xrec/core';
import { describeBackend, initBackend } from '@xrec/transformer';
import { loadAdapter, mergeAndUnload } from '@xrec/lora';

interface GenerateCliOptions {
  checkpoint: string;
  tokenizer?: string;
  prompt: string;
  maxTokens: number;
  greedy?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed: number;
  cache: boolean;
  json?: boolean;
  adapter?: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('continue a prompt with a saved model (xrec / Hugging Face directory or llama2.c .bin)')
    .requiredOption('--checkpoint <path>', 'model directory (config.json + model.safetensors) or llama2.c .bin')
    .option('--tokenizer <path>', 'tokenizer (tokenizer.json, GPT-2 directory or llama2.c .bin; default: found beside the checkpoint)')
    .requiredOption('--prompt <text>', 'text to continue (may be empty)')
    .option('--max-tokens <n>', 'new tokens at most (256 = llama2.c run.c steps)', cliInt('--max-tokens', 0), 256)
    .option('--greedy', 'argmax decoding')
    .option('--temperature <t>', 'sampling temperature (> 0; default 1)', cliFloat('--temperature', 0))
    .option('--top-k <k>', 'sample among the k most likely tokens', cliInt('--top-k', 1))
    .option('--top-p <p>', 'nucleus sampling mass (0 < p <= 1; default 0.9 when sampling)', cliFloat('--top-p', 0))
    .option('--seed <n>', 'sampling seed', cliSeed, 0)
    .option('--no-cache', 'decode without the key-value cache (slower; same tokens)')
    .option('--json', 'print one JSON object (tokens, text, timing) instead of the text')
    .option('--adapter <dir>', 'peft LoRA adapter directory (adapter_config.json + adapter_model.safetensors), merged into the checkpoint')
    .action(async (o: GenerateCliOptions) => {
      const sampling = o.temperature !== undefined || o.topK !== undefined || o.topP !== undefined;
      if (o.greedy && sampling) throw new ConfigError('--greedy cannot be combined with --temperature / --top-k / --top-p');
      const backend = await initBackend();
      const model = await loadModelAt(o.checkpoint, '--checkpoint');
      if (o.adapter !== undefined) mergeAndUnload(await loadAdapter(model, resolve(o.adapter)));
      const tok = await modelTokenizer(o.checkpoint, model, o.tokenizer, (s) => process.stderr.write(`${s}\n`));
      const llama2c = tok.kind === 'llama2c';
      let prompt = tok.encode(o.prompt, { addBos: llama2c });
      if (prompt.length === 0) {
        const start = tok.bosId ?? tok.eosId;
        if (start === undefined) throw new ConfigError('--prompt is empty and the tokenizer has no BOS/EOS token to start from');
        prompt = [start];
      }
      if (prompt.length + o.maxTokens > model.config.contextLength) {
        const room = Math.max(0, model.config.contextLength - prompt.length);
        process.stderr.write(`note: --max-tokens ${o.maxTokens} with a ${prompt.length}-token prompt exceeds the model's context of ${model.config.contextLength}; generating at most ${room} tokens\n`);
      }
      const stop = [...new Set([tok.eosId, llama2c ? tok.bosId : undefined].filter((x): x is number => x !== undefined))];
      const t0 = performance.now();
      const [tokens] = model.generate({
        prompts: [prompt],
        maxNewTokens: o.maxTokens,
        eosId: stop,
        useCache: o.cache,
        seed: o.seed,
        ...(o.greedy ? { greedy: true } : { greedy: false, temperature: o.temperature ?? 1, topP: o.topP ?? (o.topK === undefined ? 0.9 : undefined), topK: o.topK }),
      });
      const ms = performance.now() - t0;
      const text = tok.decode([...prompt, ...tokens!], { skipSpecialTokens: true });
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ backend: describeBackend(backend), prompt: o.prompt, promptTokens: prompt, tokens, text, ms: Math.round(ms), tokensPerS: tokens!.length / (ms / 1000) })}\n`,
        );
      } else {
        process.stdout.write(`${text}\n`);
      }
      model.dispose();
    });
}
