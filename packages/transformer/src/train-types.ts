/** The contracts between the trainer, the loss functions of methods and their data-parallel replicas. */

/** What a batch must tell the trainer: its number of examples and (for tokens/s) of target tokens. */
export interface TrainBatch {
  readonly size: number;
  readonly tokens?: number;
}

/** Per-update context handed to the loss function. */
export interface StepContext {
  readonly epoch: number;
  /** Global update index (0-based) of the update being computed (validation: updates done so far). */
  readonly step: number;
  /** A seed that depends only on (config.seed, step, phase): use it for dropout so resume is exact. */
  readonly seed: number;
}

/**
 * Where a worker thread finds the code that rebuilds a method's model and loss: an ES module (a file URL or a
 * package specifier resolvable from @xrec/transformer) and the name of its exported {@link ReplicaFactory},
 * called with `args` (structured-cloneable: configs, not tensors — the weights arrive from the trainer).
 */
export interface ReplicaSpec {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
}

/**
 * A model replica: the same named trainable variables as the trainer's, and the loss of a batch. With several
 * update rules (the trainer's `updates`), `rule` names the rule whose loss is asked for; one-rule trainings
 * pass `'main'`.
 */
export interface Replica<B extends TrainBatch> {
  readonly variables: ReadonlyMap<string, import('@tensorflow/tfjs').Variable>;
  lossFn(batch: B, training: boolean, ctx: StepContext, rule: string): import('@tensorflow/tfjs').Scalar;
}

export type ReplicaFactory<B extends TrainBatch> = (args: never) => Replica<B> | Promise<Replica<B>>;

/**
 * Data-parallel training: each update's batch is split into `workers + 1` shards; the trainer's thread and
 * `workers` worker threads (each holding a replica built from `replica`) compute the gradients of their shard,
 * which are combined weighted by shard tokens into the gradient of the whole batch; one optimizer update is
 * applied and the new weights are published to every replica before the next update.
 */
export interface DataParallel<B extends TrainBatch> {
  readonly replica: ReplicaSpec;
  /** Worker threads besides the trainer's own (0 = single-threaded). */
  readonly workers: number;
  /** Split a batch into at most `parts` non-empty shards (rows in order); the trainer computes the first. */
  split(batch: B, parts: number): B[];
  /** Verify every this many updates that all replicas hold the trainer's weights bit for bit (default: never). */
  readonly verifyEvery?: number;
}
