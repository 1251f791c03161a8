/**
 * Recompute a fairness run's attacker AUCs from what it saved — every row's user representations
 * (`representations.safetensors`), the attacker user splits and settings (`representations.json`) — and set
 * them beside the AUCs in its report.json. Agreement shows the report's figures come from those representations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, loadSafetensors } from '@xrec/core';
import { attackerAuc } from '@xrec/up5';

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
  attacker: { epochs: number; lr: number; seed: number };
  splits: Record<string, { train: [string, number][]; test: [string, number][] }>;
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
    const all = new Float32Array(new Uint8Array(t.data).buffer);
    const pick = (users: readonly [string, number][]) => {
      const o = new Float32Array(users.length * d);
      users.forEach(([u], i) => o.set(all.subarray(at.get(u)! * d, (at.get(u)! + 1) * d), i * d));
      return o;
    };
    const row = report.rows.find((x) => x.method === method);
    for (const [a, s] of Object.entries(meta.splits)) {
      const res = attackerAuc(
        { reps: pick(s.train), labels: s.train.map(([, v]) => v) },
        { reps: pick(s.test), labels: s.test.map(([, v]) => v) },
        { dModel: d, classes: Math.max(2, ...s.train.map(([, v]) => v + 1)), epochs: meta.attacker.epochs, lr: meta.attacker.lr, seed: meta.attacker.seed },
      );
      out.push({ method, attribute: a, reported: row?.auc[a] ?? Number.NaN, recomputed: res.auc });
    }
  });
  return out;
}
