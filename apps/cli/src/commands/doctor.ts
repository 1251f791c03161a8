import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { resolveDataDir, XREC_VERSION } from '@xrec/core';
import { initBackend, describeBackend } from '@xrec/transformer';

/** Datasets xrec knows how to find in the data directory. */
export const KNOWN_DATASETS = ['movielens-100k', 'movielens-1m', 'insurance-fairness', 'amazon-musical-instruments-5core', 'xrec-explanations'];

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('report the tensor backend in use, tfjs and Node versions, the data directory and the datasets found there')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ dataDir?: string }>();
      const report = await initBackend();
      const dataDir = resolveDataDir(globals.dataDir);
      const present = existsSync(dataDir.path) ? readdirSync(dataDir.path) : [];
      const datasets = KNOWN_DATASETS.map((name) => ({ name, found: present.includes(name) }));
      const out = {
        xrec: XREC_VERSION,
        node: process.version,
        tfjs: report.tfjsVersion,
        backend: report.choice,
        tfBackend: report.tfBackend,
        backendNotes: report.notes,
        dataDir: dataDir.path,
        dataDirSource: dataDir.source,
        dataDirExists: existsSync(dataDir.path),
        datasets,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = [
        `xrec      ${out.xrec}`,
        `node      ${out.node}`,
        `tfjs      ${out.tfjs}`,
        `backend   ${describeBackend(report)}`,
        ...report.notes.map((n) => `          (${n})`),
        `data dir  ${out.dataDir} (from ${out.dataDirSource}${out.dataDirExists ? '' : ', does not exist'})`,
        ...datasets.map((d) => `  ${d.found ? '[found]  ' : '[missing]'} ${d.name}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
