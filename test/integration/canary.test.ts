/**
 * The queue canary's readiness verdict (research T4/T6): a canary nobody consumes makes the check
 * fail with the queue's name and how long the canary has waited; once a worker consumes the
 * queue, the check passes again.
 */
import { Worker } from 'bullmq';
import { QUEUE_PREFIX, QUEUES, QueueCanary, workerConnection } from '@koryu/queues';
import { testRedisUrl } from '@koryu/testing';

it('fails readiness while a canary waits unconsumed, and recovers when a consumer takes it', async () => {
  const canary = new QueueCanary(testRedisUrl(), QUEUES.system, 'test', 300);
  let worker: Worker | undefined;
  try {
    await canary.send();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(canary.check()).rejects.toThrow(/^queue system: a canary sent 0 s ago is still waiting$/);

    worker = new Worker(QUEUES.system, async (job) => void canary.seen(job), { connection: workerConnection(testRedisUrl()), prefix: QUEUE_PREFIX });
    await expect(canary.probe(5_000)).resolves.toBeLessThan(5_000);
    await expect(canary.check()).resolves.toEqual({ lastJobMsAgo: expect.any(Number) });
  } finally {
    await worker?.close();
    await canary.close();
  }
});
