/**
 * Every BullMQ queue of Koryu. All share the `{koryu}` prefix: the braces are a Redis Cluster
 * hash tag, so each queue's keys land in one slot (BullMQ docs, patterns/redis-cluster).
 */
export const QUEUE_PREFIX = '{koryu}';

export const QUEUES = {
  /** Domain events relayed from the PostgreSQL outbox; consumed by the worker. */
  events: 'events',
  /** Delayed jobs for deadlines, reminders, escalations and timer transitions; consumed by the worker. */
  timers: 'timers',
  /** Mail and in-app deliveries; consumed by the notifier. */
  notifications: 'notifications',
  /** Operational jobs (canaries); consumed by the worker. */
  system: 'system',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUES);

/** Which service consumes which queue: each queue has exactly one consuming service. */
export const CONSUMERS: Record<'worker' | 'notifier', readonly QueueName[]> = {
  worker: [QUEUES.events, QUEUES.timers, QUEUES.system],
  notifier: [QUEUES.notifications],
};
