import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir, XREC_VERSION } from '@xrec/core';
import { findXrecBase } from '@xrec/bench';
import { listCorpusSources, verifyCorpus, verifyMovieLens100K } from '@xrec/data';
import { initBackend, describeBackend } from '@xrec/transformer';

/** Datasets xrec knows how to find in the data directory. */
export const KNOWN_DATASETS = ['movielens-100k', 'movielens-1m', 'insurance-fairness', 'amazon-musical-instruments-5core', 'xrec-explanations', 'pretrain-corpus', 'uci-in-vehicle-coupon'];

interface ShippedModel {
  readonly name: string;
  readonly dir: string;
  readonly parameters?: number;
  readonly tokensSeen?: number;
  readonly complete?: boolean;
}

/** The models shipped in the workspace's models/ folder (found beside xrec-base). */
function shippedModels(): ShippedModel[] {
  const base = findXrecBase().dir;
  if (!base) return [];
  const root = join(base, '..');
  return readdirSync(root)
    .filter((n) => statSync(join(root, n)).isDirectory() && existsSync(join(root, n, 'config.json')))
    .map((name) => {
      const dir = join(root, name);
      const summary = join(dir, 'pretrain-summary.json');
      if (!existsSync(summary)) return { name, dir };
      const s = JSON.parse(readFileSync(summary, 'utf8')) as { parameters?: number; tokensSeen?: number; complete?: boolean };
      return { name, dir, ...(s.parameters !== undefined ? { parameters: s.parameters } : {}), ...(s.tokensSeen !== undefined ? { tokensSeen: s.tokensSeen } : {}), ...(s.complete !== undefined ? { complete: s.complete } : {}) };
    });
}

/** Re-verify the checksums of the datasets xrec knows them for (imported ml-100k, the pre-training corpus). */
async function checkDataset(name: string, dir: string): Promise<{ checksums?: 'ok' | 'failed'; problems?: string[] }> {
  let problems: string[];
  if (name === 'movielens-100k') problems = verifyMovieLens100K(dir);
  else if (name === 'pretrain-corpus') {
    try {
      await verifyCorpus(listCorpusSources(dir));
      problems = [];
    } catch (e) {
      problems = [e instanceof Error ? e.message : String(e)];
    }
  } else return {};
  return problems.length === 0 ? { checksums: 'ok' } : { checksums: 'failed', problems };
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('report the tensor backend in use, tfjs and Node versions, native and wasm SIMD kernels, shipped models, the data directory and the datasets found there (re-verifying their checksums where xrec knows them)')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ dataDir?: string }>();
      const report = await initBackend();
      const dataDir = resolveDataDir(globals.dataDir);
      const present = existsSync(dataDir.path) ? readdirSync(dataDir.path) : [];
      const datasets = await Promise.all(KNOWN_DATASETS.map(async (name) => ({ name, found: present.includes(name), ...(present.includes(name) ? await checkDataset(name, join(dataDir.path, name)) : {}) })));
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
        native: report.native,
        simd: report.simd,
        models: shippedModels(),
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
        report.native.active
          ? `native    ${report.native.blas} (${report.native.threads} threads${report.native.blasConfig ? `; ${report.native.blasConfig}` : ''}); kernels: ${report.native.kernels.join(', ')}`
          : `native    off: ${report.native.reason ?? 'unknown'}`,
        report.simd.active ? `simd      wasm SIMD kernels: ${report.simd.kernels.join(', ')}` : `simd      off: ${report.simd.reason ?? 'unknown'}`,
        `models    ${out.models.length === 0 ? 'none found (models/xrec-base missing; set XREC_BASE_MODEL)' : ''}`,
        ...out.models.map((m) => `  ${m.name.padEnd(14)} ${m.dir}${m.parameters ? ` (${m.parameters.toLocaleString('en-US')} parameters${m.tokensSeen ? `, ${m.tokensSeen.toLocaleString('en-US')} tokens seen` : ''}${m.complete === false ? ', INCOMPLETE' : ''})` : ''}`),
        `data dir  ${out.dataDir} (from ${out.dataDirSource}${out.dataDirExists ? '' : ', does not exist'})`,
        ...datasets.map((d) => `  ${d.found ? '[found]  ' : '[missing]'} ${d.name}${d.checksums === 'ok' ? ' (checksums ok)' : d.checksums === 'failed' ? ` (CHECKSUMS FAILED: ${d.problems?.join('; ')})` : ''}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
