/**
 * The trainer's per-epoch checkpoint: everything needed to continue a killed run exactly.
 *
 * A checkpoint directory holds
 *   - `trainer-state.json`  — format name + version, epoch, step, RNG state, best validation loss,
 *                              patience counter, epoch logs, the schedule's total steps, and the names of
 *                              the two tensor files below. Writing it (temp file + rename) is the commit
 *                              point: a run killed at any moment leaves the previous checkpoint intact.
 *   - `train-e<k>.safetensors` — `param/<name>`, `adam_m/<name>`, `adam_v/<name>` for every variable.
 *   - `best-e<k>.safetensors`  — `best/<name>`: the weights of the best validation epoch (when tracked).
 * Files no longer named by the state are deleted after the commit.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { endianness } from 'node:os';
import {
  CheckpointError,
  checkFormat,
  float32ToTensor,
  loadSafetensors,
  saveSafetensors,
  tensorToFloat32,
  writeFileAtomic,
  type RngState,
  type SafeTensor,
} from '@xrec/core';
import type { AdamSlotValues } from './optim.js';

export const TRAIN_CHECKPOINT_FORMAT = 'xrec-train-checkpoint';
export const TRAIN_CHECKPOINT_VERSION = 1;
export const TRAIN_STATE_FILE = 'trainer-state.json';

/** One finished epoch, as logged and returned by the trainer. */
export interface EpochLog {
  /** 0-based epoch index. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches (weighted by tokens, else by batch size). */
  readonly trainLoss: number;
  readonly valLoss?: number;
  /** The validation metric of the epoch (runs with `valMetric`). */
  readonly metric?: number;
  /** Optimizer updates done after this epoch (global). */
  readonly step: number;
  /** Learning rate of the epoch's last update. */
  readonly lr: number;
  readonly tokens: number;
  /** Time spent in training steps of this epoch (excludes validation and checkpointing). */
  readonly seconds: number;
  readonly tokensPerSecond: number;
}

/** The JSON state file of a checkpoint. */
export interface TrainState {
  readonly format: string;
  readonly format_version: number;
  /** Last completed epoch (0-based). */
  readonly epoch: number;
  /** Optimizer updates done so far. */
  readonly step: number;
  /** The schedule's total number of updates for the whole run. */
  readonly totalSteps: number;
  /** The trainer RNG after this epoch. */
  readonly rng: RngState;
  readonly bestValLoss: number | null;
  readonly bestEpoch: number | null;
  /** Epochs since the last improvement of the validation loss. */
  readonly patienceCounter: number;
  readonly stoppedEarly: boolean;
  readonly epochs: readonly EpochLog[];
  /** Variable names and shapes, checked against the trainable set on resume. */
  readonly variables: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly weightsFile: string;
  readonly bestFile: string | null;
  /** The resolved trainer config of the run (compared on resume, see `configChanges` in trainer.ts). */
  readonly config: Record<string, unknown>;
  /** The caller's run settings (data, batch, model shape...), compared on resume; absent in older checkpoints. */
  readonly run?: Record<string, unknown>;
  /** With several update rules: AdamW's step count per rule (one rule: `step`). */
  readonly optimizerSteps?: Readonly<Record<string, number>>;
  /** With a validation metric: its best value so far. */
  readonly bestMetric?: number | null;
}

/** What a loaded checkpoint provides. */
export interface LoadedTrainCheckpoint {
  readonly state: TrainState;
  readonly params: Map<string, Float32Array>;
  readonly slots: Map<string, AdamSlotValues>;
  readonly best: Map<string, Float32Array> | undefined;
}

const LE = endianness() === 'LE';

function f32Tensor(values: Float32Array, shape: readonly number[]): SafeTensor {
  if (LE) return { dtype: 'F32', shape: [...shape], data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  return float32ToTensor(values, shape, 'F32');
}

/** Read a variable or tensor's values as float32. */
async function valuesOf(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/**
 * Write a checkpoint: tensor files first, then the state file (the commit), then remove stale files.
 * `best` (if given and `writeBest`) is written to `best-e<bestEpoch>.safetensors`.
 */
export async function saveTrainCheckpoint(
  dir: string,
  opts: {
    variables: ReadonlyMap<string, tf.Variable>;
    slots: ReadonlyMap<string, AdamSlotValues>;
    best?: ReadonlyMap<string, tf.Tensor>;
    /** Whether `best` changed since the last checkpoint (else the existing best file is kept). */
    writeBest: boolean;
    state: Omit<TrainState, 'format' | 'format_version' | 'weightsFile' | 'bestFile' | 'variables'>;
    previousBestFile: string | null;
  },
): Promise<TrainState> {
  const meta = { format: TRAIN_CHECKPOINT_FORMAT, format_version: String(TRAIN_CHECKPOINT_VERSION) };
  const tensors: [string, SafeTensor][] = [];
  const variables: { name: string; shape: number[] }[] = [];
  for (const [name, v] of opts.variables) {
    const s = opts.slots.get(name);
    if (!s) throw new CheckpointError(`saveTrainCheckpoint: no optimizer slots for variable '${name}'`);
    tensors.push([`param/${name}`, f32Tensor(await valuesOf(v), v.shape)]);
    tensors.push([`adam_m/${name}`, f32Tensor(s.m, v.shape)]);
    tensors.push([`adam_v/${name}`, f32Tensor(s.v, v.shape)]);
    variables.push({ name, shape: [...v.shape] });
  }
  const weightsFile = `train-e${opts.state.epoch}.safetensors`;
  await saveSafetensors(join(dir, weightsFile), tensors, meta);
  let bestFile = opts.previousBestFile;
  if (opts.best && opts.writeBest) {
    const bt: [string, SafeTensor][] = [];
    for (const [name, t] of opts.best) bt.push([`best/${name}`, f32Tensor(await valuesOf(t), t.shape)]);
    bestFile = `best-e${opts.state.bestEpoch ?? opts.state.epoch}.safetensors`;
    await saveSafetensors(join(dir, bestFile), bt, meta);
  }
  const state: TrainState = {
    format: TRAIN_CHECKPOINT_FORMAT,
    format_version: TRAIN_CHECKPOINT_VERSION,
    ...opts.state,
    variables,
    weightsFile,
    bestFile,
  };
  await writeFileAtomic(join(dir, TRAIN_STATE_FILE), `${JSON.stringify(state, null, 1)}\n`);
  // Committed: drop tensor files the new state no longer names (and temp files of killed writes).
  for (const f of readdirSync(dir)) {
    const stale = /^(train|best)-e\d+\.safetensors$/.test(f) && f !== weightsFile && f !== bestFile;
    const tmp = /^\.(train|best)-e\d+\.safetensors\.tmp-/.test(f);
    if (stale || tmp) rmSync(join(dir, f), { force: true });
  }
  return state;
}

/** Whether `dir` holds a committed trainer checkpoint. */
export function hasTrainCheckpoint(dir: string): boolean {
  return existsSync(join(dir, TRAIN_STATE_FILE));
}

/** Read the state file only (format checked). */
export function readTrainState(dir: string): TrainState {
  const path = join(dir, TRAIN_STATE_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read trainer state (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (typeof json !== 'object' || json === null) throw new CheckpointError(`${path}: trainer state must be a JSON object`);
  const s = json as TrainState;
  checkFormat(path, s, { format: TRAIN_CHECKPOINT_FORMAT, maxVersion: TRAIN_CHECKPOINT_VERSION }, (m) => new CheckpointError(m));
  for (const k of ['epoch', 'step', 'totalSteps', 'patienceCounter'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 0) throw new CheckpointError(`${path}: field '${k}' must be a non-negative integer, got ${JSON.stringify(s[k])}`);
  }
  if (!s.rng || !Array.isArray(s.rng.state)) throw new CheckpointError(`${path}: field 'rng' must hold {seed, state}`);
  if (!Array.isArray(s.variables)) throw new CheckpointError(`${path}: field 'variables' must be a list`);
  if (typeof s.weightsFile !== 'string') throw new CheckpointError(`${path}: field 'weightsFile' must be a string`);
  return s;
}

/** Load a committed checkpoint (state + tensors), checking format and that every tensor is present. */
export async function loadTrainCheckpoint(dir: string): Promise<LoadedTrainCheckpoint> {
  const state = readTrainState(dir);
  const wPath = join(dir, state.weightsFile);
  const file = await loadSafetensors(wPath);
  checkFormat(wPath, file.metadata, { format: TRAIN_CHECKPOINT_FORMAT, maxVersion: TRAIN_CHECKPOINT_VERSION }, (m) => new CheckpointError(m));
  const params = new Map<string, Float32Array>();
  const slots = new Map<string, AdamSlotValues>();
  const get = (key: string, shape: readonly number[]): Float32Array => {
    const t = file.tensors.get(key);
    if (!t) throw new CheckpointError(`${wPath}: tensor '${key}' is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`${wPath}: tensor '${key}' has shape [${t.shape.join(', ')}], the state file says [${shape.join(', ')}]`);
    }
    return tensorToFloat32(t, key);
  };
  for (const { name, shape } of state.variables) {
    params.set(name, get(`param/${name}`, shape));
    slots.set(name, { m: get(`adam_m/${name}`, shape), v: get(`adam_v/${name}`, shape) });
  }
  let best: Map<string, Float32Array> | undefined;
  if (state.bestFile) {
    const bPath = join(dir, state.bestFile);
    const bf = await loadSafetensors(bPath);
    checkFormat(bPath, bf.metadata, { format: TRAIN_CHECKPOINT_FORMAT, maxVersion: TRAIN_CHECKPOINT_VERSION }, (m) => new CheckpointError(m));
    best = new Map();
    for (const { name, shape } of state.variables) {
      const t = bf.tensors.get(`best/${name}`);
      if (!t) throw new CheckpointError(`${bPath}: tensor 'best/${name}' is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new CheckpointError(`${bPath}: tensor 'best/${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
      }
      best.set(name, tensorToFloat32(t, `best/${name}`));
    }
  }
  return { state, params, slots, best };
}

/**
 * Check that a checkpoint's variables are exactly the trainable set (names and shapes); the error lists
 * what differs. A different set means a different training stage: use another checkpoint directory.
 */
export function checkCheckpointVariables(dir: string, state: TrainState, variables: ReadonlyMap<string, tf.Variable>): void {
  const saved = new Map(state.variables.map((v) => [v.name, v.shape]));
  const missing = [...variables.keys()].filter((n) => !saved.has(n));
  const extra = [...saved.keys()].filter((n) => !variables.has(n));
  if (missing.length > 0 || extra.length > 0) {
    const list = (a: string[]) => (a.length > 5 ? `${a.slice(0, 5).join(', ')} ... (${a.length})` : a.join(', '));
    throw new CheckpointError(
      `${join(dir, TRAIN_STATE_FILE)}: the checkpoint's variables differ from the trainable set` +
        `${missing.length ? `; not in checkpoint: ${list(missing)}` : ''}${extra.length ? `; only in checkpoint: ${list(extra)}` : ''}` +
        ` (a different trainable set is a new stage: give it its own checkpointDir)`,
    );
  }
  for (const [name, v] of variables) {
    const shape = saved.get(name)!;
    if (shape.length !== v.shape.length || shape.some((d, i) => d !== v.shape[i])) {
      throw new CheckpointError(`${join(dir, TRAIN_STATE_FILE)}: variable '${name}' has shape [${shape.join(', ')}] in the checkpoint, [${v.shape.join(', ')}] in the model`);
    }
  }
}
