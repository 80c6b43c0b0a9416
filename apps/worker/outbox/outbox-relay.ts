import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG } from '@koryu/platform';
import { type DomainEvent, type DomainEventType, OUTBOX_CHANNEL, QUEUES } from '@koryu/queues';

const BATCH_SIZE = 500;
const POLL_MS = 1000;
/** One relay publishes at a time (per-case order); other replicas stand by on this lock. */
const RELAY_LOCK = 47112027;

interface OutboxRow {
  id: string;
  event_id: string;
  case_id: string | null;
  type: DomainEventType;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Failure points for the R5 reliability test: a crash after publishing, before marking sent. */
export interface RelayFaults {
  afterPublish?: () => void;
}

/**
 * Moves committed outbox rows to the `events` queue. Rows are claimed with FOR UPDATE SKIP LOCKED
 * in id order (a "last id seen" cursor would skip rows whose transaction commits late), published
 * with one addBulk per batch using the event id as job id, and marked sent in the same transaction.
 * A crash between publish and commit publishes the batch again: delivery is at least once, and
 * the consumers are idempotent by event id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private running = false;
  private wakeSleeper?: () => void;
  private woken = false;
  private loop?: Promise<void>;
  faults: RelayFaults = {};

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.events) private readonly events: Queue,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Publishes every unsent row now; returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.relayBatch();
      total += published;
      if (published < BATCH_SIZE) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.holdLeadership())) {
          await this.sleep(5 * POLL_MS);
          continue;
        }
        await this.drain();
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay: batch failed; retrying');
        await this.dropListener();
      }
      await this.sleep(POLL_MS);
    }
    await this.dropListener();
  }

  /** A session that LISTENs for new rows and holds the relay lock while it lives. */
  private async holdLeadership(): Promise<boolean> {
    if (this.listener) return true;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'koryu-outbox-relay' });
    client.on('error', () => void this.dropListener());
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK]);
    if (!rows[0].locked) {
      await client.end();
      return false;
    }
    client.on('notification', () => this.wake());
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
    return true;
  }

  private async dropListener(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * Waits `ms`, or less when woken. A wake that arrives while a batch is being relayed is kept, so
   * the next sleep returns at once: a NOTIFY is never lost to the poll interval under load.
   */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleeper = undefined;
        resolve();
      }, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
    });
  }

  private wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.woken = true;
  }

  private async relayBatch(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const rows: OutboxRow[] = await runner.query(
        `SELECT id, event_id, case_id, type, payload, created_at FROM outbox
          WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      await this.events.addBulk(
        rows.map((row) => {
          const event: DomainEvent = { eventId: row.event_id, type: row.type, caseId: row.case_id, occurredAt: row.created_at.toISOString(), payload: row.payload };
          return { name: row.type, data: event, opts: { jobId: row.event_id } };
        }),
      );
      this.faults.afterPublish?.();
      await runner.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      await runner.commitTransaction();
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
