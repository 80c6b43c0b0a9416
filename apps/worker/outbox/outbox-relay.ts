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
import { type DomainEvent, type DomainEventType, type EventBatch, EVENTS_PER_JOB, OUTBOX_CHANNEL, OUTBOX_LINGER_MS, QUEUES, RETRY_EVENTS_JOB } from '@koryu/queues';
import { EventDispatcher } from '../events/event-dispatcher';

const BATCH_SIZE = 500;
const POLL_MS = 1000;
/** One relay publishes at a time (per-case order); other replicas stand by on this lock. */
const RELAY_LOCK = 47112027;
/**
 * The most rows the relay's own consumers have in hand at once: beyond, batches go to the `events`
 * queue, for every replica's consumers (a backlog, or consumers slower than the traffic).
 */
export const MAX_IN_HAND = 2_000;
/** Rows whose batch could not be delivered, published or marked sent are read again after this long. */
const HOLD_BACK_MS = 1_000;
/** Events a consumer failed on (already tried again one by one) are retried from the `events` queue after this long, then with backoff. */
const RETRY_DELAY_MS = 1_000;

interface OutboxRow {
  id: string;
  event_id: string;
  case_id: string | null;
  type: DomainEventType;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Failure points for the R5 reliability test: a crash after the consumers acted, before the rows are marked sent. */
export interface RelayFaults {
  beforeMarking?: () => void;
}

/**
 * Delivers committed outbox rows to the consumers. One relay runs at a time: the one whose session
 * holds the relay lock, and it relays on that session. A batch reads the unsent rows in id order
 * (every committed one, each time: a "last id seen" cursor would skip rows whose transaction
 * commits late) and hands their events to the consumers in its own process (EventDispatcher);
 * once they have committed, it marks the rows sent, on another connection, while the next batches
 * are read (which skip the rows in hand): no transaction, as nothing else relays. So an event
 * travels from the outbox to its consumers through PostgreSQL alone, and keeps travelling while
 * Redis is away. Through the `events` queue go only the events a consumer failed on (retried with
 * backoff, kept for inspection) and, while the consumers here have MAX_IN_HAND rows in hand, whole
 * batches, for any replica's consumers. A crash before marking delivers the rows again: delivery
 * is at least once, and the consumers are idempotent by event id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  /** A relay that cannot reach PostgreSQL or Redis fails every second: one line per half minute. */
  private readonly failing = new RepeatingWarning(this.logger);
  private readonly retrying = new RepeatingWarning(this.logger);
  private readonly relayingAgain = new RepeatingWarning(this.logger);
  private listener?: Client;
  private running = false;
  private wakeSleeper?: () => void;
  private woken = false;
  private loop?: Promise<void>;
  /** Each batch in hand (being delivered or published, then marked sent) with the ids of its rows: the next reads skip them. */
  private readonly inHand = new Map<Promise<void>, string[]>();
  /** How many rows the consumers in this process have in hand. */
  private delivering = 0;
  /** Rows in hand beyond which batches are published to the `events` queue (MAX_IN_HAND; tests lower it). */
  maxInHand = MAX_IN_HAND;
  faults: RelayFaults = {};

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.events) private readonly events: Queue,
    private readonly dispatcher: EventDispatcher,
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
    await Promise.all(this.inHand.keys());
  }

  /**
   * Relays unsent rows, read on the leader's session, until a read finds none: while transitions keep
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
      values: [BATCH_SIZE, [...this.inHand.values()].flat()],
    });
    if (rows.length === 0) return 0;
    const events = rows.map((row): DomainEvent => ({ eventId: row.event_id, type: row.type, caseId: row.case_id, occurredAt: row.created_at.toISOString(), payload: row.payload }));
    const ids = rows.map((row) => row.id);
    const handed = this.delivering + rows.length <= this.maxInHand ? this.deliverHere(events) : this.publish(events);
    this.keepInHand(
      ids,
      handed.then(() => {
        this.faults.beforeMarking?.();
        return this.markSent(ids);
      }),
    );
    return rows.length;
  }

  /** Hands the events to the consumers in this process; those a consumer failed on go to the `events` queue, to be retried there. */
  private async deliverHere(events: DomainEvent[]): Promise<void> {
    this.delivering += events.length;
    try {
      const undelivered = await this.dispatcher.deliver(events);
      if (undelivered.events.length === 0) return;
      this.retrying.warn(`outbox relay: a consumer failed on ${undelivered.events.length} events, they are retried from the events queue`, undelivered.error);
      await this.publish(undelivered.events, { retry: true });
    } finally {
      this.delivering -= events.length;
    }
  }

  /** Publishes events to the `events` queue with one addBulk, as jobs of up to EVENTS_PER_JOB events (EventBatch). */
  private async publish(events: DomainEvent[], { retry = false } = {}): Promise<void> {
    const jobs: { name: string; data: EventBatch; opts: { jobId: string; delay?: number } }[] = [];
    for (let i = 0; i < events.length; i += EVENTS_PER_JOB) {
      const batch = events.slice(i, i + EVENTS_PER_JOB);
      // The same rows published again (a crash before marking them sent) get the same job id.
      const jobId = `${retry ? 'retry-' : ''}${batch[0].eventId}+${batch.length}`;
      jobs.push(retry ? { name: RETRY_EVENTS_JOB, data: { events: batch }, opts: { jobId, delay: RETRY_DELAY_MS } } : { name: 'events', data: { events: batch }, opts: { jobId } });
    }
    await this.events.addBulk(jobs);
  }

  /**
   * Keeps the rows out of the next reads until `work` (delivering or publishing them, then marking
   * them sent) is done; should it fail, for HOLD_BACK_MS more, after which they are read and
   * relayed again (at least once), so a failure is only logged.
   */
  private keepInHand(ids: string[], work: Promise<void>): void {
    const done: Promise<void> = work.then(
      () => void this.inHand.delete(done),
      (error: unknown) => {
        this.relayingAgain.warn(`outbox relay: ${ids.length} rows not delivered or not marked sent, they will be relayed again`, error);
        setTimeout(() => this.inHand.delete(done), HOLD_BACK_MS).unref();
      },
    );
    this.inHand.set(done, ids);
  }

  /**
   * Marks relayed rows sent (preparedQuery: a pooled connection, not the leader's session). The
   * mark commits without waiting for its WAL flush (synchronous_commit off for this statement's
   * transaction): if PostgreSQL crashes in the next moment and loses it, the rows are relayed
   * again, which the consumers' event ids absorb, and a flush per batch is saved.
   */
  private async markSent(ids: string[]): Promise<void> {
    await preparedQuery(
      this.dataSource,
      `WITH async AS (SELECT set_config('synchronous_commit', 'off', true)) UPDATE outbox SET sent_at = now() FROM async WHERE id = ANY($1::bigint[])`,
      [ids],
    );
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
