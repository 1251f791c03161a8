/**
 * Shared types of `xrec bench explain`: the split context every run gets, one run's result, the whole
 * report. Kept apart from the scheduler (run-explain.ts), the report writer and the worker pool, so that
 * none of them imports another for its types.
 */
import type { ExplanationRecord } from '@xrec/core';
import type { ExplanationDataset } from '@xrec/data';
import type { ExplanationMetrics } from '@xrec/metrics';
import type { PeplerEpochLog, PeplerStageReport } from '@xrec/pepler';
import type { Tokenizer } from '@xrec/tokenizer';
import type { TransformerConfig } from '@xrec/transformer';
import type { PretrainReport } from './pretrain.js';
import type { BenchProfile } from './profiles.js';
import type { BenchEnvironment } from './environment.js';
import type { SplitRows } from './split-data.js';

/** A method's id in the registry (methods/registry.ts), e.g. `pepler-d`. */
export type MethodId = string;

/**
 * The language model a method starts from:
 * - `xrec-base`: the shipped pre-trained model (models/xrec-base) with its own tokenizer;
 * - `split-lm`: base model (a), a small GPT-2-style model pre-trained on the split's training text only;
 * - `random-init`: xrec-base's architecture and tokenizer with random weights (the no-pre-training ablation);
 * - `stories260K`: karpathy's llama2.c model with tok512;
 * - `none`: no language model (retrieval).
 */
export type BaseModelId = 'none' | 'xrec-base' | 'split-lm' | 'random-init' | 'stories260K';

/** Metrics of a run split by item popularity and user activity (head = top 20% by training records); empty groups absent. */
export type GroupMetrics = Partial<Record<'itemHead' | 'itemTail' | 'userActive' | 'userInactive', ExplanationMetrics>>;

export interface RunResult {
  readonly method: MethodId;
  readonly baseModel: BaseModelId;
  readonly split: number;
  readonly seed: number;
  readonly fingerprint: string;
  readonly config: Record<string, unknown>;
  readonly metrics: ExplanationMetrics;
  /** Share of explanations in which one token repeats 4 or more times in a row. */
  readonly repetition: number;
  readonly groups?: GroupMetrics;
  /** Wall seconds, and CPU seconds of the process (user + system): the time it needs on an idle core. */
  readonly timings: {
    readonly trainSeconds: number;
    readonly generateSeconds: number;
    readonly totalSeconds: number;
    readonly cpuSeconds: number;
    /**
     * Invocations the run took when it was interrupted and resumed from its checkpoint (absent: one). The times
     * then sum the segments, each counted up to its last finished epoch.
     */
    readonly segments?: number;
  };
  /** Training tokens per second (scored tokens); 0 for the retrieval baseline. */
  readonly tokensPerSecond: number;
  readonly epochs: readonly PeplerEpochLog[];
  readonly stages: readonly PeplerStageReport[];
  readonly testRows: number;
  /** Path of generated.jsonl relative to the output directory. */
  readonly generated: string;
  readonly model?: string;
  readonly finishedAt: string;
}

/** One (method, split, seed) run. */
export interface RunJob {
  readonly method: MethodId;
  readonly seed: number;
}

/** One `bench explain` call on an output directory: when, how long, how many runs it computed or reused. */
export interface Invocation {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly runsComputed: number;
  readonly runsReused: number;
  readonly concurrency: number;
  /** Data-parallel worker threads per PEPLER run, when asked for (`--workers`). */
  readonly workers?: number | 'auto';
  readonly command?: string;
}

export interface SplitInfo {
  readonly split: number;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly dropped: SplitRows['dropped'];
  readonly pretrain?: PretrainReport & { readonly config: TransformerConfig; readonly reused: boolean; readonly cpuSeconds?: number };
}

/** Everything a run of one split needs, prepared once (and cached on disk) by `prepareSplit`. */
export interface SplitContext {
  readonly ds: ExplanationDataset;
  readonly splitNo: number;
  readonly rows: SplitRows;
  readonly tokenizer: Tokenizer;
  readonly tokFile: string;
  /** Row -> explanation cut to 20 tokens of the split's BPE tokenizer. */
  readonly canonical: ReadonlyMap<number, string>;
  /** The records with train/validation/test sentences replaced by their cut text. */
  readonly trainRecords: readonly ExplanationRecord[];
  readonly lmConfig: TransformerConfig;
  /** Directory of base model (a), pre-trained on the split's training text. */
  readonly baseDir: string;
  readonly info: SplitInfo;
  readonly dsKey: { readonly name: string; readonly source: string; readonly records: number };
}

export interface BenchExplainResult {
  readonly dataset: { readonly name: string; readonly source: string; readonly records: number; readonly features: number; readonly ratingRange: readonly [number, number] };
  readonly profile: BenchProfile;
  readonly methods: MethodId[];
  readonly seeds: number;
  readonly concurrency: number;
  readonly splits: SplitInfo[];
  readonly runs: RunResult[];
  readonly skipped: { readonly method: MethodId; readonly reason: string }[];
  readonly environment: BenchEnvironment;
  readonly wallSeconds: number;
  /** Every invocation on this output directory (from invocations.jsonl), this one last. */
  readonly invocations: readonly Invocation[];
  /** The shared base model used by the xrec-base rows. */
  readonly baseModel?: { readonly dir: string; readonly parameters: number; readonly fingerprint: string };
  readonly command?: string;
  readonly reportFiles: string[];
}
