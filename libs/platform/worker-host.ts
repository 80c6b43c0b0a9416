import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { waitingOutDatabaseOutages } from './database-outage';
import { RepeatingWarning } from './repeating-warning';

/**
 * What every Koryu BullMQ processor extends. It runs each job's `handle` so that a job which finds
 * PostgreSQL unreachable waits the outage out without using up an attempt
 * (waitingOutDatabaseOutages), and it logs the worker's connection errors like the queues' (once per
 * half minute) instead of BullMQ printing each failed reconnect.
 */
export abstract class KoryuWorkerHost extends WorkerHost {
  private readonly failing = new RepeatingWarning(new Logger(this.constructor.name));

  /** The job's work. */
  abstract handle(job: Job): Promise<unknown>;

  process(job: Job, token?: string): Promise<unknown> {
    return waitingOutDatabaseOutages(job, token, () => this.handle(job));
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.failing.warn('worker, reconnecting', error);
  }
}
