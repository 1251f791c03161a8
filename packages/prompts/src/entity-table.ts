/**
 * Learned vectors per entity (PEPLER's user and item prompts, Li et al. TOIS 2023): one table [count, d] per
 * entity kind, looked up by index and stacked into a soft prefix [B, kinds, d] placed before the tokens.
 * Variables are named `<kind>_embeddings.weight` (the reference's module names).
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, type Rng } from '@xrec/core';
import { initValues, uniqueName, type PromptInit } from './init.js';

export interface EntityKind {
  readonly name: string;
  readonly count: number;
}

export class EntityPromptTable {
  private constructor(
    readonly kinds: readonly EntityKind[],
    readonly dim: number,
    private readonly tables: Map<string, tf.Variable>,
  ) {}

  /** New tables, initialised kind after kind from `rng`. */
  static create(kinds: readonly EntityKind[], dim: number, init: PromptInit, rng: Rng): EntityPromptTable {
    const where = 'EntityPromptTable';
    if (kinds.length === 0) throw new ConfigError(`${where}: at least one entity kind`);
    if (!Number.isInteger(dim) || dim < 1) throw new ConfigError(`${where}: dim must be a positive integer, got ${dim}`);
    const tables = new Map<string, tf.Variable>();
    for (const k of kinds) {
      if (!Number.isInteger(k.count) || k.count < 1) throw new ConfigError(`${where}: kind '${k.name}' needs a positive count, got ${k.count}`);
      if (tables.has(k.name)) throw new ConfigError(`${where}: kind '${k.name}' given twice`);
      tables.set(k.name, tf.tidy(() => tf.variable(tf.tensor2d(initValues(k.count, dim, init, rng, where), [k.count, dim]), true, uniqueName(`prompts.${k.name}_embeddings`))));
    }
    return new EntityPromptTable(kinds, dim, tables);
  }

  /** Tables from saved values (by variable name), checked against the kinds and width; `where` names the file. */
  static fromValues(kinds: readonly EntityKind[], dim: number, values: ReadonlyMap<string, { shape: readonly number[]; values: Float32Array }>, where: string): EntityPromptTable {
    const tables = new Map<string, tf.Variable>();
    for (const k of kinds) {
      const name = `${k.name}_embeddings.weight`;
      const t = values.get(name);
      if (!t) throw new CheckpointError(`${where}: missing tensor '${name}'`);
      if (t.shape.length !== 2 || t.shape[0] !== k.count || t.shape[1] !== dim) {
        throw new CheckpointError(`${where}: '${name}' is [${t.shape.join(', ')}], expected [${k.count}, ${dim}] (${k.count} ${k.name}s, width ${dim})`);
      }
      tables.set(k.name, tf.tidy(() => tf.variable(tf.tensor2d(t.values, [k.count, dim]), true, uniqueName(`prompts.${k.name}_embeddings`))));
    }
    return new EntityPromptTable(kinds, dim, tables);
  }

  /** The trainable tables by name (`user_embeddings.weight`, ...). */
  variables(): Map<string, tf.Variable> {
    return new Map([...this.tables].map(([kind, v]) => [`${kind}_embeddings.weight`, v]));
  }

  /** Rows of one kind's table: [B, d]. */
  lookup(kind: string, index: Int32Array): tf.Tensor2D {
    const t = this.tables.get(kind);
    if (!t) throw new ConfigError(`EntityPromptTable: no kind '${kind}' (kinds: ${this.kinds.map((k) => k.name).join(', ')})`);
    return tf.gather(t, tf.tensor1d(index, 'int32')) as tf.Tensor2D;
  }

  /** The soft prefix [B, kinds, d] of one index array per kind (in the kinds' order), with the rows per kind. */
  prefix(indices: readonly Int32Array[]): { prefix: tf.Tensor3D; parts: tf.Tensor2D[] } {
    if (indices.length !== this.kinds.length) throw new ConfigError(`EntityPromptTable.prefix: ${indices.length} index arrays for ${this.kinds.length} kinds`);
    const parts = this.kinds.map((k, i) => this.lookup(k.name, indices[i]!));
    return { prefix: tf.stack(parts, 1) as tf.Tensor3D, parts };
  }

  /** Current values by variable name, for saving. */
  values(): Map<string, { shape: number[]; values: Float32Array }> {
    return new Map([...this.variables()].map(([n, v]) => [n, { shape: [...v.shape], values: v.dataSync() as Float32Array }]));
  }

  dispose(): void {
    for (const v of this.tables.values()) v.dispose();
  }
}
