/**
 * Runs batches of what is submitted, at most `inFlight` at a time, and gathers what arrives while
 * they all run into the next one: each `submit` resolves once a batch holding its item has finished
 * (or rejects with that batch's error). Items submitted in the same turn of the event loop (the
 * events of one job) start together, at once when a slot is free; nothing waits on a timer. Used where many jobs arriving together are cheaper to serve in one
 * transaction than each in its own.
 */
export class Coalescer<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private running = 0;
  private starting = false;

  constructor(
    private readonly handle: (items: T[]) => Promise<void>,
    private readonly inFlight = 1,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.starting) return;
      this.starting = true;
      queueMicrotask(() => {
        this.starting = false;
        this.startBatches();
      });
    });
  }

  private startBatches(): void {
    while (this.running < this.inFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      this.running += 1;
      void this.run(batch);
    }
  }

  private async run(batch: typeof this.waiting): Promise<void> {
    try {
      await this.handle(batch.map((entry) => entry.item));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.running -= 1;
      this.startBatches();
    }
  }
}
