/** The `xrec` command: one subcommand per file under commands/, registered here. */
import { Command, CommanderError } from 'commander';
import { isXrecError } from '@xrec/core';
import { registerDoctor } from './commands/doctor.js';
import { registerData } from './commands/data.js';
import { registerMetrics } from './commands/metrics.js';
import { registerTrain } from './commands/train.js';
import { registerLora } from './commands/lora.js';
import { registerBenchSpeed } from './commands/bench-speed.js';
import { registerBenchExplain } from './commands/bench-explain.js';
import { registerTokenizer } from './commands/tokenizer.js';
import { registerGenerate } from './commands/generate.js';
import { registerPretrain } from './commands/pretrain.js';
import { registerModelCard } from './commands/model-card.js';
import { CLI_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('xrec')
    .description('xrec: personalized and explainable recommendation with language models')
    .version(CLI_VERSION, '-V, --version', 'print the xrec version')
    .option('--data-dir <dir>', 'data directory for datasets xrec may not redistribute (default: $XREC_DATA_DIR or ~/.xrec/data)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDoctor(program);
  registerData(program);
  registerMetrics(program);
  registerTrain(program);
  registerLora(program);
  registerBenchSpeed(program);
  registerBenchExplain(program);
  registerTokenizer(program);
  registerGenerate(program);
  registerPretrain(program);
  registerModelCard(program);
  return program;
}

/** Run the CLI; returns the exit code. Errors from xrec packages print as one clear line. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isXrecError(e)) {
      process.stderr.write(`xrec: ${e.name} [${e.code}]: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
