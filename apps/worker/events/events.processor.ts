import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQueries } from '@koryu/persistence';
import { Coalescer, QUEUE_CANARIES, QuietWorkerHost } from '@koryu/platform';
import { type DomainEvent, type EventBatch, QUEUES, type QueueCanaries } from '@koryu/queues';
import type { EventConsumer } from './event-consumer';

export const EVENT_CONSUMERS = Symbol('EVENT_CONSUMERS');

/**
 * Hands every domain event to every consumer that accepts it. A job carries the events of one
 * relay batch (EventBatch). First deliveries are gathered into batches (see Coalescer: one at a
 * time per process; the events that arrive while it runs form the next), and a batch is one
 * transaction. Its first statement takes the transaction-scoped advisory lock of each case (in
 * case order, so batches never deadlock; the events of a case wait for each other and consumers
 * never race on a case's rows) and records (consumer, event id) for every pair; pairs already
 * recorded are skipped. Consumers take the batch's events at once (`handleBatch`) or one by one.
 * Should a batch fail, each of its events is handled again on its own, each consumer in its own
 * transaction, and so are retries (the events already handled are skipped by their records), so
 * one consumer or event that keeps failing holds back nothing else. A consumer must not depend on
 * the order events arrive in: it reads the case as it is now (the deadlines) or acts on the event
 * alone (the notifications).
 */
@Processor(QUEUES.events, { concurrency: 64 })
export class EventsProcessor extends QuietWorkerHost {
  private readonly logger = new Logger(EventsProcessor.name);
  private readonly batches = new Coalescer<DomainEvent>((events) => this.handleTogether(events));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_CONSUMERS) private readonly consumers: EventConsumer[],
    @Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries,
  ) {
    super();
    const names = consumers.map((consumer) => consumer.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length > 0) throw new Error(`two event consumers are named ${twice.join(', ')}: a name is the idempotency key, so each must be unique`);
  }

  async process(job: Job<EventBatch | DomainEvent>): Promise<void> {
    if (this.canaries.of(QUEUES.events).seen(job)) return;
    // Jobs published before events travelled in batches carry one event each.
    const events = 'events' in job.data ? job.data.events : [job.data];
    if (job.attemptsMade > 0) return this.handleEachApart(events);
    const outcomes = await Promise.allSettled(events.map((event) => this.batches.submit(event)));
    // The events of a failed batch (logged once by handleTogether) again, each on its own.
    await this.handleEachApart(events.filter((_, i) => outcomes[i].status === 'rejected'));
  }

  /** Every event of the batch and every consumer in one transaction. */
  private async handleTogether(delivered: DomainEvent[]): Promise<void> {
    // The same event delivered twice at once is handled once.
    const events = [...new Map(delivered.map((event) => [event.eventId, event])).values()];
    try {
      await this.dataSource.transaction(async (tx) => {
        const fresh = await claim(tx, events, this.consumers);
        for (const consumer of this.consumers) {
          const mine = events.filter((event) => fresh.has(pairKey(consumer.name, event.eventId)));
          if (mine.length === 0) continue;
          if (consumer.handleBatch) await consumer.handleBatch(mine, tx);
          else for (const event of mine) await consumer.handle(event, tx);
        }
      });
    } catch (error) {
      this.logger.warn(`a batch of ${events.length} events failed (${error instanceof Error ? error.message : String(error)}); each is handled again on its own`);
      throw error;
    }
    this.logger.debug({ events: events.length }, 'events consumed');
  }

  /** Each event on its own, each consumer in its own transaction; every one is tried, then the first failure is thrown (the job is retried). */
  private async handleEachApart(events: DomainEvent[]): Promise<void> {
    const failures: unknown[] = [];
    for (const event of events) {
      for (const consumer of this.consumers.filter((c) => wants(c, event))) {
        await this.dataSource
          .transaction(async (tx) => {
            const fresh = await claim(tx, [event], [consumer]);
            if (fresh.size > 0) await consumer.handle(event, tx);
          })
          .catch((error: unknown) => failures.push(error));
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

const pairKey = (consumer: string, eventId: string) => `${consumer}:${eventId}`;
const wants = (consumer: EventConsumer, event: DomainEvent) => !consumer.accepts || consumer.accepts(event);

/**
 * Takes the advisory lock of every case of the events, in case order, and records each event for
 * each consumer that accepts it, in one statement; answers the (consumer, event) pairs not handled
 * before. `processed_at` is when the record was written, once the locks are held: when handling
 * begins (the transaction's start may be earlier, waiting for another batch's locks).
 */
async function claim(tx: EntityManager, events: DomainEvent[], consumers: EventConsumer[]): Promise<Set<string>> {
  const pairs = events.flatMap((event) => consumers.filter((consumer) => wants(consumer, event)).map((consumer) => ({ consumer: consumer.name, eventId: event.eventId })));
  if (pairs.length === 0) return new Set();
  const rows = await preparedQueries(tx)<{ consumer: string; eventId: string }>(
    `WITH locked AS (
       SELECT pg_advisory_xact_lock(hashtextextended('case-events:' || c, 0))
         FROM (SELECT DISTINCT c FROM unnest($1::text[]) AS c WHERE c IS NOT NULL ORDER BY c) AS cases)
     INSERT INTO processed_event (consumer, event_id, processed_at)
     SELECT p.consumer, p.event_id, clock_timestamp() FROM unnest($2::text[], $3::uuid[]) AS p (consumer, event_id)
      WHERE (SELECT count(*) FROM locked) >= 0 -- always true: makes every lock come before the first row
     ON CONFLICT DO NOTHING RETURNING consumer, event_id AS "eventId"`,
    [events.map((event) => event.caseId), pairs.map((p) => p.consumer), pairs.map((p) => p.eventId)],
  );
  return new Set(rows.map((row) => pairKey(row.consumer, row.eventId)));
}
