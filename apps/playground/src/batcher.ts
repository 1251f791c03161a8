/**
 * Micro-batching for model calls: requests that arrive while the model is busy (or in the same turn of the
 * event loop) are answered by one batched call of at most `maxBatch` inputs, in arrival order.
 */
export class Batcher<I, O> {
  private queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  /** Sizes of the batches run so far (for tests and the load check). */
  readonly batchSizes: number[] = [];

  constructor(private readonly run: (inputs: readonly I[]) => Promise<readonly O[]>, private readonly maxBatch = 16) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.batchSizes.push(batch.length);
        try {
          const out = await this.run(batch.map((b) => b.input));
          batch.forEach((b, i) => b.resolve(out[i]!));
        } catch (e) {
          // one bad input must not fail its neighbours: retry them one by one
          if (batch.length === 1) batch[0]!.reject(e);
          else for (const b of batch) await this.run([b.input]).then((o) => b.resolve(o[0]!), b.reject);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
