/**
 * Recompute a fairness run's attacker AUCs from what it saved — every row's user representations
 * (`representations.safetensors`), the attacker user splits and settings (`representations.json`) — and set
 * them beside the AUCs in its report.json, with the task's own attack ({@link attackRow}). Agreement shows the
 * report's figures come from those representations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, loadSafetensors, tensorToFloat32 } from '@xrec/core';
import { attackRow, type AttackerSettings, type AttackerSplit } from './fairness-attack.js';

export interface AuditRow {
  readonly method: string;
  readonly attribute: string;
  readonly reported: number;
  readonly recomputed: number;
}

interface RepsMeta {
  format: string;
  users: string[];
  methods: string[];
  dModel: number;
  attacker: AttackerSettings;
  splits: Record<string, AttackerSplit>;
}

export async function auditFairnessRun(dir: string): Promise<AuditRow[]> {
  const metaPath = join(dir, 'representations.json');
  const reportPath = join(dir, 'report.json');
  for (const p of [metaPath, reportPath]) if (!existsSync(p)) throw new CheckpointError(`${p} not found: ${dir} is not the output of \`xrec bench fairness\``);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as RepsMeta;
  if (meta.format !== 'xrec-fairness-representations') throw new CheckpointError(`${metaPath} is not an xrec fairness representations file`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { rows: { method: string; auc: Record<string, number> }[] };
  const file = await loadSafetensors(join(dir, 'representations.safetensors'));
  const d = meta.dModel;
  const at = new Map(meta.users.map((u, i) => [u, i]));
  const out: AuditRow[] = [];
  meta.methods.forEach((method, r) => {
    const t = file.tensors.get(`row${r}`);
    if (!t) throw new CheckpointError(`${join(dir, 'representations.safetensors')} has no tensor 'row${r}'`);
    const row = report.rows.find((x) => x.method === method);
    for (const [a, res] of Object.entries(attackRow(tensorToFloat32(t, `row${r}`), at, d, meta.splits, meta.attacker))) {
      out.push({ method, attribute: a, reported: row?.auc[a] ?? Number.NaN, recomputed: res.auc });
    }
  });
  return out;
}
