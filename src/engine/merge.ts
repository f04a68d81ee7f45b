/**
 * Runs up to `limit` async sources at once and yields their items as they come. Sources are
 * started lazily from the iterable, so a thousand partitions cost nothing until their turn;
 * each source is at most one item ahead of the consumer, so memory stays bounded.
 *
 * A source's next item is asked for before the current one is handed over, so its failure can
 * arrive while the consumer is busy, or after it stopped: every pull is observed at once (the
 * race below still sees the failure), and closing waits for each source to finish its pull.
 */
export async function* merge<T>(sources: Iterable<AsyncIterable<T>>, limit: number): AsyncGenerator<T> {
  const queue = sources[Symbol.iterator]();
  const running = new Map<AsyncIterator<T>, Promise<{ source: AsyncIterator<T>; result: IteratorResult<T> }>>();
  const pull = (source: AsyncIterator<T>): void => {
    const pending = source.next().then((result) => ({ source, result }));
    pending.catch(() => undefined);
    running.set(source, pending);
  };
  const fill = (): void => {
    while (running.size < Math.max(1, limit)) {
      const next = queue.next();
      if (next.done) return;
      pull(next.value[Symbol.asyncIterator]());
    }
  };
  fill();
  try {
    while (running.size > 0) {
      const { source, result } = await Promise.race(running.values());
      if (result.done) {
        running.delete(source);
        fill();
        continue;
      }
      pull(source);
      yield result.value;
    }
  } finally {
    const left = [...running.keys()];
    running.clear();
    // A source's return() waits for its pull in flight; a source that already threw has none.
    await Promise.allSettled(left.map((source) => source.return?.()));
  }
}

/**
 * Maps items with at most `limit` promises in flight, yielding results in input order. Items are
 * pulled from the async source while earlier ones are still being mapped, so work from the source's next batch starts before the current one is done.
 */
export async function* mapOrderedAsync<I, O>(source: AsyncIterable<I>, limit: number, fn: (item: I) => Promise<O>): AsyncGenerator<O> {
  const iterator = source[Symbol.asyncIterator]();
  const window: Promise<O>[] = [];
  let exhausted = false;
  const top = async (): Promise<void> => {
    while (!exhausted && window.length < Math.max(1, limit)) {
      const next = await iterator.next();
      if (next.done) exhausted = true;
      else {
        const promise = fn(next.value);
        promise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
        window.push(promise);
      }
    }
  };
  try {
    await top();
    while (window.length > 0) {
      const value = await (window.shift() as Promise<O>);
      await top();
      yield value;
    }
  } finally {
    await iterator.return?.();
  }
}
