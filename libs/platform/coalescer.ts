/**
 * Runs one batch at a time and gathers what arrives meanwhile into the next one: each `submit`
 * resolves once a batch holding its item has finished (or rejects with that batch's error). Items
 * submitted in the same turn of the event loop (the events of one job) start together. Used where
 * many jobs arriving together are cheaper to serve in one transaction than each in its own.
 *
 * Without `lingerMs` a batch starts at once when none runs, and nothing waits on a timer. With it,
 * a batch starts no sooner than `lingerMs` after its first item arrived, so that what arrives
 * meanwhile shares it: for work whose cost is mostly per batch and whose result nobody waits for
 * to the millisecond.
 */
export class Coalescer<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private busy = false;
  private starting = false;
  /** When the first of the waiting items arrived (performance.now()). */
  private firstArrival = 0;

  private readonly lingerMs: number;

  constructor(
    private readonly handle: (items: T[]) => Promise<void>,
    { lingerMs = 0 }: { lingerMs?: number } = {},
  ) {
    this.lingerMs = lingerMs;
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.waiting.length === 0) this.firstArrival = performance.now();
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
        const wait = this.firstArrival + this.lingerMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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
