/**
 * Runs one batch at a time and gathers what arrives meanwhile into the next one: each `submit`
 * resolves once a batch holding its item has finished (or rejects with that batch's error). Items
 * submitted in the same turn of the event loop (the events of one job) start together, at once
 * when no batch runs; nothing waits on a timer. Used where many jobs arriving together are cheaper
 * to serve in one transaction than each in its own.
 */
export class Coalescer<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private busy = false;
  private starting = false;

  constructor(private readonly handle: (items: T[]) => Promise<void>) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.starting) return;
      this.starting = true;
      queueMicrotask(() => {
        this.starting = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        try {
          await this.handle(batch.map((entry) => entry.item));
          for (const entry of batch) entry.resolve();
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
