import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { QUEUE_CANARIES, QuietWorkerHost } from '@koryu/platform';
import { type DomainEvent, QUEUES, type QueueCanaries } from '@koryu/queues';
import type { EventConsumer } from './event-consumer';

export const EVENT_CONSUMERS = Symbol('EVENT_CONSUMERS');

/**
 * Hands every domain event to every consumer, each in its own transaction with its idempotency
 * record. Several events are handled at once; the events of one case wait for each other under a
 * transaction-scoped advisory lock of the case, so consumers never race on a case's rows. A
 * consumer must not depend on the order events arrive in: it reads the case as it is now (the
 * deadlines) or acts on the event alone (the notifications).
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
  }

  async process(job: Job<DomainEvent>): Promise<void> {
    if (this.canaries.of(QUEUES.events).seen(job)) return;
    const event = job.data;
    for (const consumer of this.consumers) {
      if (consumer.accepts && !consumer.accepts(event)) continue;
      await this.dataSource.transaction(async (tx) => {
        if (event.caseId) await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`case-events:${event.caseId}`]);
        const fresh = await tx.query(
          'INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
          [consumer.name, event.eventId],
        );
        if (fresh.length === 0) return;
        await consumer.handle(event, tx);
      });
    }
    this.logger.debug({ eventId: event.eventId, type: event.type }, 'event consumed');
  }
}
