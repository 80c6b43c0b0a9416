import { Queue, type Job } from 'bullmq';
import { producerConnection } from './connection';
import { QUEUE_PREFIX, type QueueName } from './queue-names';

export const CANARY_JOB = 'canary';
export const CANARY_INTERVAL_MS = 15_000;
/** A consumer whose last canary is older than this is reported not ready. */
export const CANARY_STALE_MS = 3 * CANARY_INTERVAL_MS;

/**
 * A liveness probe that goes through the queue itself. BullMQ workers can stop consuming silently
 * after a Redis restart (bullmq #2466, #2964) while a PING still answers, so readiness asks
 * "did a job I queued recently come out the other end?".
 */
export class QueueCanary {
  private queue: Queue;
  private timer?: NodeJS.Timeout;
  private lastProcessedAt = 0;
  private readonly startedAt = Date.now();

  constructor(redisUrl: string, private readonly queueName: QueueName, private readonly service: string) {
    this.queue = new Queue(queueName, { connection: producerConnection(redisUrl), prefix: QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  start(): void {
    const send = () => {
      this.queue
        .add(CANARY_JOB, { service: this.service }, { removeOnComplete: true, removeOnFail: 100, attempts: 1 })
        .catch(() => undefined);
    };
    send();
    this.timer = setInterval(send, CANARY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Called by the consumer for every job it processes; true when the job was a canary (nothing else to do). */
  seen(job: Job): boolean {
    this.lastProcessedAt = Date.now();
    return job.name === CANARY_JOB;
  }

  /**
   * Throws when this consumer processed nothing recently although jobs are waiting. With several
   * replicas another one may take every canary; an empty queue then shows the consumers keep up.
   */
  async check(): Promise<{ lastJobMsAgo: number | null }> {
    const now = Date.now();
    const reference = this.lastProcessedAt || this.startedAt;
    if (now - reference > CANARY_STALE_MS && (await this.queue.getWaitingCount()) > 0) {
      throw new Error(`queue ${this.queueName}: jobs are waiting but none was processed here for ${Math.round((now - reference) / 1000)} s`);
    }
    return { lastJobMsAgo: this.lastProcessedAt ? now - this.lastProcessedAt : null };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue.close().catch(() => undefined);
  }
}
