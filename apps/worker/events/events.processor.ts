import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { KoryuWorkerHost, QUEUE_CANARIES } from '@koryu/platform';
import { type DomainEvent, type EventBatch, QUEUES, type QueueCanaries, RETRY_EVENTS_JOB } from '@koryu/queues';
import { EventDispatcher } from './event-dispatcher';

/**
 * The `events` queue, on every replica: the events the outbox relay did not deliver in its own
 * process (those a consumer failed on, retried with backoff and kept for inspection in
 * /admin/queues, and those beyond what its consumers had in hand). A job's events go to the
 * consumers' batches on its first attempt, or each on its own in a retry (and in a job of events
 * that already failed in the relay); the job fails, and is retried, while any consumer fails on
 * one of them.
 */
@Processor(QUEUES.events, { concurrency: 64 })
export class EventsProcessor extends KoryuWorkerHost {
  constructor(
    private readonly dispatcher: EventDispatcher,
    @Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries,
  ) {
    super();
  }

  async handle(job: Job<EventBatch | DomainEvent>): Promise<void> {
    if (this.canaries.of(QUEUES.events).seen(job)) return;
    // Jobs published before events travelled in batches carry one event each.
    const events = 'events' in job.data ? job.data.events : [job.data];
    const undelivered = await this.dispatcher.deliver(events, { apart: job.attemptsMade > 0 || job.name === RETRY_EVENTS_JOB });
    if (undelivered.events.length > 0) throw undelivered.error;
  }
}
