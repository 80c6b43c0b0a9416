/**
 * Domain events as they travel from the outbox through the `events` queue to the worker's
 * consumers. Small and self-describing; consumers read anything else from PostgreSQL.
 */
export interface DomainEvent {
  /** The outbox row's event id: the BullMQ job id and the consumers' idempotency key. */
  eventId: string;
  type: DomainEventType;
  caseId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export const DOMAIN_EVENT_TYPES = ['case.created', 'case.transitioned', 'case.updated'] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** Notified (LISTEN/NOTIFY) after every commit that wrote outbox rows (OutboxWaker), so the relay wakes at once. */
export const OUTBOX_CHANNEL = 'koryu_outbox';
