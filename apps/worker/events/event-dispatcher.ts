import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQueries } from '@koryu/persistence';
import { Coalescer, RepeatingWarning } from '@koryu/platform';
import type { DomainEvent } from '@koryu/queues';
import type { EventConsumer } from './event-consumer';

export const EVENT_CONSUMERS = Symbol('EVENT_CONSUMERS');

/** What a delivery left undone: the events some consumer failed on (each tried again on its own), and the first error. */
export interface Undelivered {
  events: DomainEvent[];
  error?: unknown;
}

/**
 * Hands every domain event to every consumer that accepts it, in this process. The outbox relay
 * hands it the batches it reads; the `events` queue's processor the jobs that carry events it
 * could not deliver. Each consumer gathers its first deliveries into batches of its own (see
 * Coalescer: one at a time per consumer and process; the events that arrive while it runs, or
 * within the consumer's `lingerMs`, form the next), and a batch is one transaction of that
 * consumer alone, so consumers run side by side and a quick one (the in-app notifications) never
 * waits for a slower one (the deadlines and their reminders). The transaction's first statement
 * takes the consumer's transaction-scoped advisory lock of each case (in case order, so batches
 * never deadlock; a consumer handles the events of a case one batch at a time and never races
 * itself on a case's rows) and records (consumer, event id) for every event; events already
 * recorded are skipped. Consumers take the batch's events at once (`handleBatch`) or one by one.
 * Should a batch fail, each of its events is handled again on its own, in its own transaction, and
 * so are retries (the events already handled are skipped by their records), so one event that
 * keeps failing holds back nothing else. A consumer must not depend on the order events arrive in:
 * it reads the case as it is now (the deadlines) or acts on the event alone (the notifications).
 */
@Injectable()
export class EventDispatcher {
  private readonly logger = new Logger(EventDispatcher.name);
  /** Each consumer with the batches it gathers its first deliveries into. */
  private readonly lanes: { consumer: EventConsumer; batches: Coalescer<DomainEvent> }[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_CONSUMERS) consumers: EventConsumer[],
  ) {
    const names = consumers.map((consumer) => consumer.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length > 0) throw new Error(`two event consumers are named ${twice.join(', ')}: a name is the idempotency key, so each must be unique`);
    this.lanes = consumers.map((consumer) => {
      // While PostgreSQL is away every batch fails: one line per half minute and consumer.
      const failing = new RepeatingWarning(this.logger);
      return { consumer, batches: new Coalescer<DomainEvent>((events) => this.handleTogether(consumer, events, failing), { lingerMs: consumer.lingerMs }) };
    });
  }

  /**
   * Delivers the events to every consumer that wants them, in the consumers' batches, or with
   * `apart` each in a transaction of its own (a retry). Never rejects: answers what is left undone.
   */
  async deliver(events: DomainEvent[], { apart = false } = {}): Promise<Undelivered> {
    const deliveries = this.lanes.flatMap(({ consumer, batches }) => events.filter((event) => wants(consumer, event)).map((event) => ({ consumer, event, batches })));
    if (apart) return this.handleEachApart(deliveries);
    const outcomes = await Promise.allSettled(deliveries.map(({ event, batches }) => batches.submit(event)));
    // The events of a failed batch (logged once by handleTogether) again, each on its own.
    return this.handleEachApart(deliveries.filter((_, i) => outcomes[i].status === 'rejected'));
  }

  /** A batch of one consumer's events in one transaction. */
  private async handleTogether(consumer: EventConsumer, delivered: DomainEvent[], failing: RepeatingWarning): Promise<void> {
    // The same event delivered twice at once is handled once.
    const events = [...new Map(delivered.map((event) => [event.eventId, event])).values()];
    try {
      await this.dataSource.transaction(async (tx) => {
        const fresh = await claim(tx, events, consumer);
        const mine = events.filter((event) => fresh.has(event.eventId));
        if (mine.length === 0) return;
        if (consumer.handleBatch) await consumer.handleBatch(mine, tx);
        else for (const event of mine) await consumer.handle(event, tx);
      });
    } catch (error) {
      failing.warn(`a batch of ${events.length} events failed in consumer ${consumer.name}, each is handled again on its own`, error);
      throw error;
    }
    this.logger.debug({ consumer: consumer.name, events: events.length }, 'events consumed');
  }

  /** Each delivery in its own transaction; every one is tried. */
  private async handleEachApart(deliveries: { consumer: EventConsumer; event: DomainEvent }[]): Promise<Undelivered> {
    const failed = new Map<string, DomainEvent>();
    let error: unknown;
    for (const { consumer, event } of deliveries) {
      await this.dataSource
        .transaction(async (tx) => {
          const fresh = await claim(tx, [event], consumer);
          if (fresh.size > 0) await consumer.handle(event, tx);
        })
        .catch((failure: unknown) => {
          error ??= failure;
          failed.set(event.eventId, event);
        });
    }
    return { events: [...failed.values()], error };
  }
}

const wants = (consumer: EventConsumer, event: DomainEvent) => !consumer.accepts || consumer.accepts(event);

/**
 * Takes the consumer's advisory lock of every case of the events, in case order, and records each
 * event for the consumer, in one statement; answers the ids of the events it had not handled
 * before. `processed_at` is when the record was written, once the locks are held: when handling
 * begins (the transaction's start may be earlier, waiting for another batch's locks).
 */
async function claim(tx: EntityManager, events: DomainEvent[], consumer: EventConsumer): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await preparedQueries(tx)<{ eventId: string }>(
    `WITH locked AS (
       SELECT pg_advisory_xact_lock(hashtextextended('case-events:' || $1::text || ':' || c, 0))
         FROM (SELECT DISTINCT c FROM unnest($2::text[]) AS c WHERE c IS NOT NULL ORDER BY c) AS cases)
     INSERT INTO processed_event (consumer, event_id, processed_at)
     SELECT $1::text, e.event_id, clock_timestamp() FROM unnest($3::uuid[]) AS e (event_id)
      WHERE (SELECT count(*) FROM locked) >= 0 -- always true: makes every lock come before the first row
     ON CONFLICT DO NOTHING RETURNING event_id AS "eventId"`,
    [consumer.name, events.map((event) => event.caseId), events.map((event) => event.eventId)],
  );
  return new Set(rows.map((row) => row.eventId));
}
