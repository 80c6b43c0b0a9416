import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { KoryuConfig } from '@koryu/config';
import { preparedQuery } from '@koryu/persistence';
import { KORYU_CONFIG, RepeatingWarning } from '@koryu/platform';
import { type DomainEvent, type DomainEventType, type EventBatch, EVENTS_PER_JOB, OUTBOX_CHANNEL, OUTBOX_LINGER_MS, QUEUES } from '@koryu/queues';

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
 * Moves committed outbox rows to the `events` queue. One relay runs at a time: the one whose
 * session holds the relay lock, and it relays on that session. A batch reads the unsent rows in
 * id order (every committed one, each time: a "last id seen" cursor would skip rows whose
 * transaction commits late), publishes them with one addBulk as jobs of up to EVENTS_PER_JOB
 * events (EventBatch), then marks them sent on another connection while it reads the next batch
 * (which skips the rows being marked): no transaction, as nothing else publishes. A crash between
 * publishing and marking publishes the rows again: delivery is at least once, and the consumers
 * are idempotent by event id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  /** A relay that cannot reach PostgreSQL or Redis fails every second: one line per half minute. */
  private readonly failing = new RepeatingWarning(this.logger);
  private listener?: Client;
  private running = false;
  private wakeSleeper?: () => void;
  private woken = false;
  private loop?: Promise<void>;
  /** Each marking in flight (on a pooled connection, while the next batch is read) with the ids of its rows. */
  private readonly marking = new Map<Promise<void>, string[]>();
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
    await Promise.all(this.marking.keys());
  }

  /**
   * Publishes unsent rows on the leader's session until a read finds none: while transitions keep
   * committing, each batch is followed by the next (the rows committed meanwhile) OUTBOX_LINGER_MS
   * after it began, without waiting for their NOTIFY; the relay sleeps only once it has caught up.
   */
  private drain(session: Client): Promise<void> {
    return drainSpaced(() => this.relayBatch(session), OUTBOX_LINGER_MS, () => this.running);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const session = await this.holdLeadership();
        if (!session) {
          await this.sleep(5 * POLL_MS);
          continue;
        }
        await this.drain(session);
      } catch (error) {
        this.failing.warn('outbox relay: batch failed, retrying', error);
        await this.dropListener();
      }
      await this.sleep(POLL_MS);
    }
    await this.dropListener();
  }

  /** A session that LISTENs for new rows and holds the relay lock while it lives; undefined while another relay leads. */
  private async holdLeadership(): Promise<Client | undefined> {
    if (this.listener) return this.listener;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'koryu-outbox-relay' });
    client.on('error', () => void this.dropListener());
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK]);
    if (!rows[0].locked) {
      await client.end();
      return undefined;
    }
    client.on('notification', () => this.wake());
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
    return client;
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

  private async relayBatch(session: Client): Promise<number> {
    const { rows } = await session.query<OutboxRow>({
      name: 'outbox-unsent',
      text: `SELECT id, event_id, case_id, type, payload, created_at FROM outbox WHERE sent_at IS NULL AND NOT (id = ANY ($2::bigint[])) ORDER BY id LIMIT $1`,
      values: [BATCH_SIZE, [...this.marking.values()].flat()],
    });
    if (rows.length === 0) return 0;
    const events = rows.map((row): DomainEvent => ({ eventId: row.event_id, type: row.type, caseId: row.case_id, occurredAt: row.created_at.toISOString(), payload: row.payload }));
    const jobs: { name: string; data: EventBatch; opts: { jobId: string } }[] = [];
    for (let i = 0; i < events.length; i += EVENTS_PER_JOB) {
      const batch = events.slice(i, i + EVENTS_PER_JOB);
      // The same rows published again (a crash before marking them sent) get the same job id.
      jobs.push({ name: 'events', data: { events: batch }, opts: { jobId: `${batch[0].eventId}+${batch.length}` } });
    }
    await this.events.addBulk(jobs);
    this.faults.afterPublish?.();
    this.markSent(rows.map((row) => row.id));
    return rows.length;
  }

  /**
   * Marks published rows sent on another connection (preparedQuery) while the leader's session
   * reads the next batch, which skips them meanwhile. Should marking fail, they stay unsent and are published
   * again (at least once), so it is only logged. The mark commits without waiting for its WAL
   * flush (synchronous_commit off for this statement's transaction): if PostgreSQL crashes in the
   * next moment and loses it, the rows are published again, which the consumers' event ids absorb,
   * and a flush per batch is saved.
   */
  private markSent(ids: string[]): void {
    const marked: Promise<void> = preparedQuery(
      this.dataSource,
      `WITH async AS (SELECT set_config('synchronous_commit', 'off', true)) UPDATE outbox SET sent_at = now() FROM async WHERE id = ANY($1::bigint[])`,
      [ids],
    )
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn(`outbox relay: published rows not marked sent, they will be published again: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => this.marking.delete(marked));
    this.marking.set(marked, ids);
  }
}

/**
 * Calls `batch` until it answers 0 (nothing left), each call beginning at least `spacingMs` after
 * the one before it began: at once when the last took that long, and without waiting once `going`
 * answers false (shutting down).
 */
export async function drainSpaced(batch: () => Promise<number>, spacingMs: number, going: () => boolean): Promise<void> {
  for (;;) {
    const began = performance.now();
    if ((await batch()) === 0) return;
    const lingering = began + spacingMs - performance.now();
    if (lingering > 0 && going()) await delay(lingering);
  }
}
