import { type Context, context } from "@opentelemetry/api";

export interface BatcherOptions<I, O> {
  /**
   * Does the work for several items at once (one transaction, one batch RPC) and gives one
   * result per item, in order. Throwing fails every item of the batch (but see `isolate`).
   */
  run(items: I[]): Promise<O[]>;
  /**
   * Most items one run takes. Default 500: enough to carry a burst of hundreds of concurrent
   * requests in a few runs, small enough that one run's statements stay short.
   */
  maxBatch?: number;
  /**
   * Runs at once. Default 2: while one run waits on its commit or its answer the next is
   * already on its way; more only adds contention between runs.
   */
  maxInFlight?: number;
  /**
   * Whether a failed run of several items was about an item rather than the run (a value the
   * database refused, say, where an outage is not). When true each item is run again alone, so
   * one bad item fails only its own request. Default never: the failure is every item's.
   */
  isolate?: (error: unknown) => boolean;
}

export interface Batcher<I, O> {
  /** The item's result, once the run that took it is done. */
  submit(item: I): Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  context: Context;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit for any work: an item submitted while nothing runs is run at once, alone, so a
 * quiet system adds no latency; items submitted while runs are in flight wait and go together in
 * the next run. Under load a run then takes as many items as arrived during the one before it,
 * so the cost per item (a commit, a round trip, an RPC) falls as the load rises.
 *
 * A run happens in the trace of its first item; what it does for each item (an event, say)
 * should carry that item's own trace context, captured before it was submitted.
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const maxBatch = options.maxBatch ?? 500;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  const settle = async (batch: Waiting<I, O>[]) => {
    try {
      // In the trace of the run's first item: its spans (a batch RPC, say) have one parent.
      const results = await context.with(batch[0]!.context, () => options.run(batch.map((waiting) => waiting.item)));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} items gave ${results.length} results`);
      batch.forEach((waiting, i) => {
        waiting.resolve(results[i]!);
      });
    } catch (error) {
      if (batch.length > 1 && options.isolate?.(error) === true) {
        await Promise.all(batch.map((waiting) => settle([waiting])));
        return;
      }
      for (const waiting of batch) waiting.reject(error);
    }
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void settle(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, context: context.active(), resolve, reject });
        pump();
      });
    },
  };
}
