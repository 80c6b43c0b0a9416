import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { producerConnection } from './connection';
import { QUEUE_PREFIX, QUEUES, type QueueName } from './queue-names';

export const CANARY_JOB = 'canary';
export const CANARY_INTERVAL_MS = 15_000;
/** A canary still in its queue this long after it was sent means nobody consumes the queue. */
export const CANARY_STALE_MS = 3 * CANARY_INTERVAL_MS;
/**
 * The `timers` queue's canary is a delayed job: what stops after a Redis restart there is the
 * promotion of delayed jobs (bullmq #2466), which an immediate job would not exercise.
 */
const CANARY_DELAY_MS: Partial<Record<QueueName, number>> = { [QUEUES.timers]: 500 };

/**
 * A liveness probe that goes through the queue itself. BullMQ workers can stop consuming silently
 * after a Redis restart (bullmq #2466, #2964) while a PING still answers, so readiness asks "did
 * the jobs I queued come out the other end?". Each canary has its own id; completed canaries are
 * removed, so a canary still found in the queue long after it was sent has not been consumed.
 */
export class QueueCanary {
  private readonly queue: Queue;
  private timer?: NodeJS.Timeout;
  private lastProcessedAt = 0;
  private readonly startedAt = Date.now();
  /** Canaries sent and not yet seen gone, by id, with the time they were sent. */
  private readonly sent = new Map<string, number>();

  constructor(
    redisUrl: string,
    readonly queueName: QueueName,
    private readonly service: string,
    private readonly staleMs = CANARY_STALE_MS,
  ) {
    this.queue = new Queue(queueName, { connection: producerConnection(redisUrl), prefix: QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  start(): void {
    const send = () => void this.send().catch(() => undefined);
    send();
    this.timer = setInterval(send, CANARY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Queues one canary; answers its id. */
  async send(): Promise<string> {
    const id = `canary-${this.service}-${randomUUID()}`;
    await this.queue.add(CANARY_JOB, { service: this.service }, { jobId: id, delay: CANARY_DELAY_MS[this.queueName] ?? 0, removeOnComplete: true, removeOnFail: 100, attempts: 1 });
    this.sent.set(id, Date.now());
    return id;
  }

  /** Called by the consumer for every job it processes; true when the job was a canary (nothing else to do). */
  seen(job: Job): boolean {
    this.lastProcessedAt = Date.now();
    if (job.name !== CANARY_JOB) return false;
    this.sent.delete(job.id as string);
    return true;
  }

  /**
   * Throws when a canary sent long ago is still in the queue (nobody consumes it: this replica or
   * any other), or when jobs are waiting and this consumer processed nothing recently.
   */
  async check(): Promise<{ lastJobMsAgo: number | null }> {
    const now = Date.now();
    for (const [id, at] of this.sent) {
      if (now - at < this.staleMs) continue;
      const state = await this.queue.getJobState(id);
      if (state === 'unknown' || state === 'completed') {
        this.sent.delete(id); // another replica consumed it
        continue;
      }
      throw new Error(`queue ${this.queueName}: a canary sent ${Math.round((now - at) / 1000)} s ago is still ${state}`);
    }
    const reference = this.lastProcessedAt || this.startedAt;
    if (now - reference > this.staleMs && (await this.queue.getWaitingCount()) > 0) {
      throw new Error(`queue ${this.queueName}: jobs are waiting but none was processed here for ${Math.round((now - reference) / 1000)} s`);
    }
    return { lastJobMsAgo: this.lastProcessedAt ? now - this.lastProcessedAt : null };
  }

  /** Sends a canary (as soon as Redis takes it) and waits until a consumer took it; throws after `timeoutMs`. */
  async probe(timeoutMs = 5_000): Promise<number> {
    const started = Date.now();
    let id: string | undefined;
    while (!id) {
      try {
        id = await this.send();
      } catch (error) {
        // Redis not (yet) reachable again: the producer connection does not queue commands offline.
        if (Date.now() - started > timeoutMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    while (Date.now() - started < timeoutMs) {
      const state = await this.queue.getJobState(id);
      if (state === 'unknown' || state === 'completed') {
        this.sent.delete(id);
        return Date.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`queue ${this.queueName}: a canary was not consumed within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue.close().catch(() => undefined);
  }
}

/** One canary per queue a service consumes. */
export class QueueCanaries {
  private readonly byQueue: Map<QueueName, QueueCanary>;

  constructor(redisUrl: string, queues: readonly QueueName[], service: string) {
    this.byQueue = new Map(queues.map((queue) => [queue, new QueueCanary(redisUrl, queue, service)]));
  }

  of(queue: QueueName): QueueCanary {
    const canary = this.byQueue.get(queue);
    if (!canary) throw new Error(`no canary on queue ${queue}`);
    return canary;
  }

  all(): QueueCanary[] {
    return [...this.byQueue.values()];
  }

  start(): void {
    for (const canary of this.all()) canary.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((canary) => canary.close()));
  }
}
