import { getQueueToken } from '@nestjs/bullmq';
import { Logger, type Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { QueueName } from '@koryu/queues';
import { RepeatingWarning } from './repeating-warning';

/**
 * Connection errors of the registered queues, logged once per half minute and queue. Without a
 * listener BullMQ prints every failed reconnect to stderr while Redis is away; the queues reconnect
 * by themselves, and readiness (the canaries) says whether they consume again.
 */
export function queueErrorLogging(queues: readonly QueueName[]): Provider {
  return {
    provide: Symbol('QUEUE_ERROR_LOGGING'),
    inject: queues.map((name) => getQueueToken(name)),
    useFactory: (...instances: Queue[]) => {
      const logger = new Logger('Queues');
      for (const queue of instances) {
        const failing = new RepeatingWarning(logger);
        queue.on('error', (error: Error) => failing.warn(`queue ${queue.name}, reconnecting`, error));
      }
      return true;
    },
  };
}
