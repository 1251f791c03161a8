/**
 * The preprocessed Insurance fairness data (Chen, Chen & Zhao, ACM TORS 2025; used by UP5): a TSV with a
 * header `uid iid label u_gender u_marital_status u_occupation u_activity` (all positives, label 1).
 * Interactions → INTERACTION_SCHEMA (rating = label); user attributes → USER_ATTRIBUTE_SCHEMA, one row per
 * user and attribute (attribute names without the `u_` prefix). A user whose attributes differ between
 * lines is a DataError.
 */
import type { Table } from 'apache-arrow';
import { DataError, INTERACTION_SCHEMA, USER_ATTRIBUTE_SCHEMA } from '@xrec/core';
import { tableFromColumns } from './arrow-table.js';
import { numberField, readTextLines, splitFields } from './delimited.js';

export interface InsuranceData {
  readonly interactions: Table;
  readonly userAttributes: Table;
  /** Attribute names in column order, e.g. ['gender', 'marital_status', 'occupation', 'activity']. */
  readonly attributes: readonly string[];
}

/** Read one insurance TSV (`insurance.all.tsv`, `.train`, `.validation`, `.test`). */
export function loadInsuranceTsv(path: string): InsuranceData {
  const lines = readTextLines(path, 'loadInsuranceTsv');
  const header = lines[0];
  if (!header) throw new DataError(`${path}: empty file, expected a header 'uid iid label u_...'`);
  const cols = header.line.split('\t');
  const need = ['uid', 'iid', 'label'];
  need.forEach((c, i) => {
    if (cols[i] !== c) throw new DataError(`${path}:1: header column ${i + 1} must be '${c}', got '${cols[i] ?? ''}'`);
  });
  const attrCols = cols.slice(3);
  for (const c of attrCols) if (!c.startsWith('u_')) throw new DataError(`${path}:1: attribute column '${c}' must start with 'u_'`);
  const attributes = attrCols.map((c) => c.slice(2));
  const users: string[] = [];
  const items: string[] = [];
  const labels: number[] = [];
  const attrsOf = new Map<string, string[]>();
  for (const { line, lineNo } of lines.slice(1)) {
    const where = `${path}:${lineNo}`;
    const f = splitFields(line, '\t', cols.length, where);
    const uid = f[0] as string;
    users.push(uid);
    items.push(f[1] as string);
    labels.push(numberField(f[2] as string, where, 'label'));
    const vals = f.slice(3);
    const prev = attrsOf.get(uid);
    if (!prev) attrsOf.set(uid, vals);
    else {
      vals.forEach((v, i) => {
        if (prev[i] !== v) throw new DataError(`${where}: user ${uid} has ${attrCols[i]}=${v}, but ${prev[i]} on an earlier line`);
      });
    }
  }
  const au: string[] = [];
  const aa: string[] = [];
  const av: string[] = [];
  for (const [uid, vals] of attrsOf) {
    vals.forEach((v, i) => {
      au.push(uid);
      aa.push(attributes[i] as string);
      av.push(v);
    });
  }
  return {
    interactions: tableFromColumns(INTERACTION_SCHEMA, { user: users, item: items, rating: labels }, users.length),
    userAttributes: tableFromColumns(USER_ATTRIBUTE_SCHEMA, { user: au, attribute: aa, value: av }, au.length),
    attributes,
  };
}

/**
 * One attacker split of the Insurance fairness files (`insurance_u_<attribute>.attacker.{train,test}.tsv`):
 * header `uid u_<attribute>`, then one user and class per line. Returns user → class (an integer ≥ 0); a bad
 * header, a non-integer class or a repeated user is a DataError naming the line.
 */
export function loadInsuranceAttackerSplit(path: string, attribute: string): Map<string, number> {
  const lines = readTextLines(path, 'loadInsuranceAttackerSplit');
  const header = lines[0]?.line;
  if (header !== `uid\tu_${attribute}`) throw new DataError(`${path}:1: expected the header 'uid<TAB>u_${attribute}', got '${header ?? ''}'`);
  const out = new Map<string, number>();
  for (const { line, lineNo } of lines.slice(1)) {
    const where = `${path}:${lineNo}`;
    const [uid, v] = splitFields(line, '\t', 2, where) as [string, string];
    const cls = numberField(v, where, `u_${attribute}`, true);
    if (cls < 0) throw new DataError(`${where}: u_${attribute} must be a class index ≥ 0, got ${cls}`);
    if (out.has(uid)) throw new DataError(`${where}: user ${uid} appears twice`);
    out.set(uid, cls);
  }
  return out;
}
