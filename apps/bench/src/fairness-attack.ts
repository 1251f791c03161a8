/**
 * The fairness task's attack on one row — a fresh attacker per attribute, trained on the attacker-training
 * users' representations and scored on the attacker-test users' — written once for the task and for
 * `xrec up5 audit`, which repeats it on the saved representations.
 */
import { attackerAuc, type AttackerResult } from '@xrec/up5';

/** An attribute's attacker users: [user, class] pairs. */
export interface AttackerSplit {
  readonly train: readonly (readonly [string, number])[];
  readonly test: readonly (readonly [string, number])[];
}

export interface AttackerSettings {
  readonly epochs: number;
  readonly lr: number;
  readonly seed: number;
}

/** An attribute's class count from its labels (at least 2: binary attributes are one logit). */
export function attributeClasses(labels: Iterable<number>): number {
  return Math.max(2, ...[...labels].map((v) => v + 1));
}

/** The rows of `users` ([user, class] pairs) from representations `all` ([users, d], user `u` at row `index.get(u)`). */
export function pickUsers(all: Float32Array, index: ReadonlyMap<string, number>, d: number, users: AttackerSplit['train']): Float32Array {
  const o = new Float32Array(users.length * d);
  users.forEach(([u], i) => o.set(all.subarray(index.get(u)! * d, (index.get(u)! + 1) * d), i * d));
  return o;
}

/**
 * One fresh attacker per attribute on a row's representations `all` ([users, d], user `u` at row `index.get(u)`).
 * `keep(a)`: return attribute `a`'s trained attacker (the caller disposes it).
 */
export function attackRow(all: Float32Array, index: ReadonlyMap<string, number>, d: number, splits: Readonly<Record<string, AttackerSplit>>, s: AttackerSettings, keep: (attribute: string) => boolean = () => false): Record<string, AttackerResult> {
  const pick = (users: AttackerSplit['train']) => pickUsers(all, index, d, users);
  return Object.fromEntries(
    Object.entries(splits).map(([a, sp]) => [
      a,
      attackerAuc(
        { reps: pick(sp.train), labels: sp.train.map(([, v]) => v) },
        { reps: pick(sp.test), labels: sp.test.map(([, v]) => v) },
        { dModel: d, classes: attributeClasses([...sp.train, ...sp.test].map(([, v]) => v)), epochs: s.epochs, lr: s.lr, seed: s.seed, keep: keep(a) },
      ),
    ]),
  );
}
