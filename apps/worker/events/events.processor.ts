import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { QUEUE_CANARIES, QuietWorkerHost } from '@koryu/platform';
import { type DomainEvent, QUEUES, type QueueCanaries } from '@koryu/queues';
import type { EventConsumer } from './event-consumer';

export const EVENT_CONSUMERS = Symbol('EVENT_CONSUMERS');

/**
 * Hands every domain event to every consumer that accepts it. On first delivery all of them run in
 * one transaction: one statement takes the case's transaction-scoped advisory lock (the events of
 * one case wait for each other, so consumers never race on a case's rows) and records (consumer,
 * event id) for each; a consumer whose record was already there is skipped. Should that fail, the
 * retries give each consumer its own transaction, so one that keeps failing does not hold back
 * the others. Several events are handled at once. A consumer must not depend on the order events
 * arrive in: it reads the case as it is now (the deadlines) or acts on the event alone (the
 * notifications).
 */
@Processor(QUEUES.events, { concurrency: 8 })
export class EventsProcessor extends QuietWorkerHost {
  private readonly logger = new Logger(EventsProcessor.name);

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

  async process(job: Job<DomainEvent>): Promise<void> {
    if (this.canaries.of(QUEUES.events).seen(job)) return;
    const event = job.data;
    const consumers = this.consumers.filter((consumer) => !consumer.accepts || consumer.accepts(event));
    const together = job.attemptsMade === 0;
    for (const group of together ? [consumers] : consumers.map((consumer) => [consumer])) {
      if (group.length === 0) continue;
      await this.dataSource.transaction(async (tx) => {
        const fresh = await claim(tx, event, group);
        for (const consumer of group) if (fresh.has(consumer.name)) await consumer.handle(event, tx);
      });
    }
    this.logger.debug({ eventId: event.eventId, type: event.type }, 'event consumed');
  }
}

/**
 * Takes the case's advisory lock (none for an event without a case) and records the event for
 * each consumer in one statement; answers the consumers that had not handled it yet.
 */
async function claim(tx: EntityManager, event: DomainEvent, consumers: EventConsumer[]): Promise<Set<string>> {
  const rows: { consumer: string }[] = await tx.query(
    `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended('case-events:' || $1::text, 0)))
     INSERT INTO processed_event (consumer, event_id)
     SELECT consumer, $2::uuid FROM unnest($3::text[]) AS consumer, locked
     ON CONFLICT DO NOTHING RETURNING consumer`,
    [event.caseId, event.eventId, consumers.map((consumer) => consumer.name)],
  );
  return new Set(rows.map((row) => row.consumer));
}
