import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '@koryu/platform';

/**
 * How long the records of delivered events are kept: longer than a failed job is kept for a retry
 * from /admin/queues (30 days, WorkerModule), so any event that can still be delivered again
 * finds its consumers' idempotency records.
 */
export const EVENT_RECORD_RETENTION_DAYS = 45;
const EVERY_MS = 60 * 60 * 1000;
const FIRST_AFTER_MS = 60 * 1000;
const BATCH = 5_000;

/** What is pruned: sent outbox rows (unsent ones wait for the relay however old) and idempotency records. */
const TABLES = [
  { table: 'outbox', old: `created_at < $1 AND sent_at IS NOT NULL` },
  { table: 'processed_event', old: `processed_at < $1` },
] as const;

/**
 * Deletes the records of events delivered more than EVENT_RECORD_RETENTION_DAYS ago, hourly, in
 * batches: without it the outbox and the consumers' idempotency records (two per event) would grow
 * for ever. The history of each case (case_history) is the record people read and is never
 * pruned. Replicas prune side by side: each batch skips the rows another one holds.
 */
@Injectable()
export class EventRecordPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRecordPruner.name);
  private readonly periodic = new PeriodicTask(() => this.pruneAndLog(), { everyMs: EVERY_MS, logger: this.logger, failure: 'pruning old event records failed, retrying in an hour' });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.periodic.start(FIRST_AFTER_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  private async pruneAndLog(): Promise<void> {
    const deleted = await this.prune();
    if (deleted.outbox + deleted.processed_event > 0) {
      this.logger.log(`pruned the records of events delivered over ${EVENT_RECORD_RETENTION_DAYS} days ago: ${deleted.outbox} outbox rows, ${deleted.processed_event} idempotency records`);
    }
  }

  /** Deletes every record older than the retention before `now`, `batch` rows a statement; answers how many of each. */
  async prune(now = new Date(), batch = BATCH): Promise<Record<(typeof TABLES)[number]['table'], number>> {
    const before = new Date(now.getTime() - EVENT_RECORD_RETENTION_DAYS * 86_400_000);
    const deleted = { outbox: 0, processed_event: 0 };
    for (const { table, old } of TABLES) {
      for (;;) {
        // Found through the BRIN index on the time, deleted by their tuple ids (a TID scan): a join
        // on the key made the planner hash the whole table. Neither table's old rows are updated.
        const [, count] = (await this.dataSource.query(
          `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${old} LIMIT ${batch} FOR UPDATE SKIP LOCKED))`,
          [before],
        )) as [unknown, number];
        deleted[table] += count;
        if (count < batch || this.periodic.stopping) break;
      }
    }
    return deleted;
  }
}
