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
import { registerBenchRun } from './commands/bench-run.js';
import { registerBenchRec } from './commands/bench-rec.js';
import { registerBenchColdstart } from './commands/bench-coldstart.js';
import { registerBenchFairness } from './commands/bench-fairness.js';
import { registerTokenizer } from './commands/tokenizer.js';
import { registerGenerate } from './commands/generate.js';
import { registerPretrain } from './commands/pretrain.js';
import { registerModelCard } from './commands/model-card.js';
import { registerPromptrec } from './commands/promptrec.js';
import { registerUp5 } from './commands/up5.js';
import { registerServe } from './commands/serve.js';
import { applyConventions, EXIT } from './conventions.js';
import { CLI_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('xrec')
    .description('xrec: personalized and explainable recommendation with language models')
    .version(CLI_VERSION, '-V, --version', 'print the xrec version')
    .option('--data-dir <dir>', 'data directory for datasets xrec may not redistribute (default: $XREC_DATA_DIR or ~/.xrec/data)')
    .option('--verbose', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDoctor(program);
  registerData(program);
  registerMetrics(program);
  registerTrain(program);
  registerLora(program);
  registerBenchSpeed(program);
  registerBenchExplain(program);
  registerBenchRun(program);
  registerBenchRec(program);
  registerBenchColdstart(program);
  registerBenchFairness(program);
  registerTokenizer(program);
  registerGenerate(program);
  registerPretrain(program);
  registerModelCard(program);
  registerPromptrec(program);
  registerUp5(program);
  registerServe(program);
  applyConventions(program);
  program.addHelpText(
    'after',
    `
Exit codes: ${EXIT.ok} success, ${EXIT.xrecError} an xrec error (bad input, data, configuration or state; the message says what
and where), ${EXIT.usage} a usage error (unknown command or option, missing or malformed option), ${EXIT.failure} an unexpected
failure (run with --verbose for the stack trace).

Examples:
  xrec doctor
  xrec bench explain --profile quick --out runs/quick
  xrec generate --checkpoint models/xrec-base --prompt "The battery" --greedy
  xrec <command> --help`,
  );
  return program;
}

/**
 * Run the CLI; returns the exit code ({@link EXIT}). Errors from xrec packages print as one clear line;
 * anything else as an internal error; `--verbose` adds the stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const stack = verbose && e instanceof Error && e.stack ? `\n${e.stack}` : '';
    if (isXrecError(e)) {
      process.stderr.write(`xrec: ${e.name} [${e.code}]: ${e.message}${stack}\n`);
      return EXIT.xrecError;
    }
    process.stderr.write(`xrec: internal error: ${e instanceof Error ? e.message : String(e)}${stack || ' (run with --verbose for the stack trace)'}\n`);
    return EXIT.failure;
  }
}
