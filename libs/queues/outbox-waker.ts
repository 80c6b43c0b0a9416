import { OUTBOX_CHANNEL, OUTBOX_LINGER_MS } from './events';

/**
 * Wakes the outbox relay after a commit that wrote outbox rows, with a NOTIFY sent outside that
 * transaction. A NOTIFY inside the transition's own transaction takes PostgreSQL's global notify
 * lock through the commit's WAL flush, so concurrent transitions commit one at a time: the P1
 * benchmark measured the same write at 869 tps with it and 1,579 without. Here the first wake is
 * sent at once (after the commits that completed in the same turn of the event loop); wakes
 * within `windowMs` of a NOTIFY fold into one more at the end of that window, and at most one is
 * in flight per process. So a quiet system tells the relay of a commit at once, and PostgreSQL
 * sees at most ~1000/windowMs NOTIFYs a second from each process however busy it is. The window
 * is the relay's linger between batches (OUTBOX_LINGER_MS): while commits keep coming the relay
 * reads again on its own that often, so more frequent wakes would tell it nothing. If the process
 * dies before the NOTIFY, the relay's short poll finds the rows (QUALITY.md R5).
 */
export class OutboxWaker {
  private scheduled = false;
  private inFlight = false;
  private pending = false;
  private lastSentAt = -Infinity;

  constructor(
    private readonly notify: (sql: string) => Promise<unknown>,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly windowMs = OUTBOX_LINGER_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  wake(): void {
    if (this.scheduled) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.scheduled = true;
    const wait = this.lastSentAt + this.windowMs - this.now();
    if (wait <= 0) setImmediate(() => this.send());
    else setTimeout(() => this.send(), wait).unref();
  }

  private send(): void {
    this.scheduled = false;
    this.inFlight = true;
    this.lastSentAt = this.now();
    // Its own transaction, committed without waiting for the WAL flush: a wake-up has nothing to
    // keep (a lost one costs a poll), and the flush would delay it and cost the disk a write.
    this.notify(`SELECT set_config('synchronous_commit', 'off', true), pg_notify('${OUTBOX_CHANNEL}', '')`)
      .catch(this.onError)
      .finally(() => {
        this.inFlight = false;
        if (this.pending) {
          this.pending = false;
          this.wake();
        }
      });
  }
}
