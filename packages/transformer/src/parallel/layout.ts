/** The flat float32 layout of a named variable set in a SharedArrayBuffer (same order in every replica). */
import type * as tf from '@tensorflow/tfjs';
import { hashString } from '@xrec/core';
import { ConfigError } from '@xrec/core';

export interface VariableSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export interface FlatLayout {
  readonly slots: readonly VariableSlot[];
  /** Total floats. */
  readonly size: number;
}

export function flatLayout(variables: ReadonlyMap<string, tf.Variable>): FlatLayout {
  const slots: VariableSlot[] = [];
  let offset = 0;
  for (const [name, v] of variables) {
    slots.push({ name, shape: [...v.shape], offset, size: v.size });
    offset += v.size;
  }
  return { slots, size: offset };
}

/** A replica's variables must match the trainer's layout name for name and shape. */
export function checkLayout(layout: FlatLayout, variables: ReadonlyMap<string, tf.Variable>, where: string): tf.Variable[] {
  if (variables.size !== layout.slots.length) {
    throw new ConfigError(`${where}: the replica has ${variables.size} trainable variables, the trainer ${layout.slots.length}`);
  }
  return layout.slots.map((s) => {
    const v = variables.get(s.name);
    if (!v) throw new ConfigError(`${where}: the replica has no variable '${s.name}'`);
    if (v.shape.join(',') !== s.shape.join(',')) {
      throw new ConfigError(`${where}: variable '${s.name}' is [${v.shape.join(', ')}] in the replica, [${s.shape.join(', ')}] in the trainer`);
    }
    return v;
  });
}

/** A checksum of the exact float32 bits of the variables, in order (equal iff the replicas hold the same weights, up to hash collisions). */
export function weightsChecksum(vars: readonly tf.Variable[]): string {
  const parts: string[] = [];
  for (const v of vars) {
    const bits = new Uint32Array((v.dataSync() as Float32Array).slice().buffer);
    let h = 0x811c9dc5;
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i]!, 0x01000193) >>> 0;
    parts.push(h.toString(16));
  }
  return hashString(parts.join(':')).toString(16);
}
