/**
 * Domain events as they travel from the outbox through the `events` queue to the worker's
 * consumers. Small and self-describing; consumers read anything else from PostgreSQL.
 */
export interface DomainEvent {
  /** The outbox row's event id: the consumers' idempotency key. */
  eventId: string;
  type: DomainEventType;
  caseId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/**
 * One job of the `events` queue: events the outbox relay did not deliver in its own process (at
 * most EVENTS_PER_JOB), in outbox order. One job per batch rather than per event: the worker
 * fetches and finishes jobs one Redis round trip at a time, which made a burst of events queue
 * behind each other's pick-up.
 */
export interface EventBatch {
  events: DomainEvent[];
}

export const EVENTS_PER_JOB = 100;

/** The name of a job whose events some consumer already failed on in the relay's process: each is retried on its own. */
export const RETRY_EVENTS_JOB = 'retry';

export const DOMAIN_EVENT_TYPES = ['case.created', 'case.transitioned', 'case.updated'] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** Notified (LISTEN/NOTIFY) after every commit that wrote outbox rows (OutboxWaker), so the relay wakes at once. */
export const OUTBOX_CHANNEL = 'koryu_outbox';

/**
 * While rows keep coming, the outbox relay starts its batches this far apart, so the rows that
 * commit meanwhile travel together: one read, one addBulk, one job and one transaction per consumer
 * for many events instead of each few (P2 at 1,000 transitions/s: the worker's and its PostgreSQL's
 * CPU per event a third less, and events reached their consumers sooner, as less waited for the
 * CPU). The first row after a quiet spell goes at once. Each process NOTIFYs at most this often.
 */
export const OUTBOX_LINGER_MS = 20;
