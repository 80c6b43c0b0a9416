import { Coalescer } from './coalescer';

/** A handler whose batches finish only when the test says so. */
function controlledHandler() {
  const batches: { items: number[]; finish: (error?: Error) => void }[] = [];
  const handle = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push({ items, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { batches, handle };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('starts the first item at once and gathers what arrives meanwhile into one next batch', async () => {
    const { batches, handle } = controlledHandler();
    const coalescer = new Coalescer(handle);
    const done: number[] = [];
    const submit = (n: number) => coalescer.submit(n).then(() => done.push(n));

    const first = submit(1);
    await settled();
    expect(batches.map((b) => b.items)).toEqual([[1]]);

    const later = [submit(2), submit(3), submit(4)];
    await settled();
    expect(batches).toHaveLength(1); // one batch at a time

    batches[0].finish();
    await first;
    await settled();
    expect(done).toEqual([1]);
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);

    batches[1].finish();
    await Promise.all(later);
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it('rejects the items of a failed batch only, and goes on with the next', async () => {
    const { batches, handle } = controlledHandler();
    const coalescer = new Coalescer(handle);
    const failed = coalescer.submit(1);
    await settled();
    const next = coalescer.submit(2);
    batches[0].finish(new Error('database away'));
    await expect(failed).rejects.toThrow('database away');
    await settled();
    expect(batches[1].items).toEqual([2]);
    batches[1].finish();
    await expect(next).resolves.toBeUndefined();
  });

  it('is idle again after a batch, so a later item starts its own', async () => {
    const seen: number[][] = [];
    const coalescer = new Coalescer(async (items: number[]) => {
      seen.push(items);
    });
    await coalescer.submit(1);
    await coalescer.submit(2);
    expect(seen).toEqual([[1], [2]]);
  });

  it('puts the items submitted in the same turn in one batch', async () => {
    const { batches, handle } = controlledHandler();
    const coalescer = new Coalescer(handle);
    const all = [1, 2, 3].map((n) => coalescer.submit(n));
    await settled();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    batches[0].finish();
    await Promise.all(all);
  });

  describe('with a linger', () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('holds a first item for the linger, and what arrives meanwhile joins its batch', async () => {
      const started: { items: number[]; at: number }[] = [];
      const coalescer = new Coalescer(
        async (items: number[]) => {
          started.push({ items, at: performance.now() });
        },
        { lingerMs: 60 },
      );
      const from = performance.now();
      const first = coalescer.submit(1);
      await sleep(20);
      expect(started).toHaveLength(0);
      const second = coalescer.submit(2);
      await Promise.all([first, second]);
      expect(started.map((b) => b.items)).toEqual([[1, 2]]);
      expect(started[0].at - from).toBeGreaterThanOrEqual(55);
    });

    it('starts a batch as soon as the one before it ends once its first item has waited the linger', async () => {
      const { batches, handle } = controlledHandler();
      const coalescer = new Coalescer(handle, { lingerMs: 30 });
      const first = coalescer.submit(1);
      await sleep(45);
      expect(batches.map((b) => b.items)).toEqual([[1]]);
      const second = coalescer.submit(2);
      await sleep(45); // the second has waited longer than the linger while the first batch ran
      batches[0].finish();
      await first;
      await settled();
      expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
      batches[1].finish();
      await second;
    });
  });
});
