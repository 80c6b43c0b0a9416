import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@koryu/platform';
import { QUEUES } from '@koryu/queues';

/** How late a reminder, escalation, digest or timer transition ran after its due time (QUALITY.md P3). */
export const timerLateness = new Histogram({
  name: 'koryu_timer_lateness_seconds',
  help: 'Seconds between a timer job’s due time and the start of its handling, by job kind',
  labelNames: ['kind'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300],
  registers: [metricsRegistry],
});

/** The queues of this process's workers (tests run several in one process). */
const tracked = new Set<Queue>();

new Gauge({
  name: 'koryu_queue_jobs',
  help: 'Jobs in a BullMQ queue by state (waiting, delayed, active, failed)',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    for (const queue of tracked) {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
      for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
    }
  },
});

/** Jobs in the worker's queues by state, read from Redis when /metrics is scraped. */
@Injectable()
export class QueueDepthMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(
    @InjectQueue(QUEUES.timers) private readonly timers: Queue,
    @InjectQueue(QUEUES.events) private readonly events: Queue,
  ) {}

  onModuleInit(): void {
    tracked.add(this.timers).add(this.events);
  }

  onModuleDestroy(): void {
    tracked.delete(this.timers);
    tracked.delete(this.events);
  }
}
