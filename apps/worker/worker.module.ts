import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { CaseworkModule, type CaseworkOptions } from '@koryu/casework';
import type { KoryuConfig } from '@koryu/config';
import { canaryChecks, PlatformModule, QUEUE_CANARIES, QueueCanaryModule, queueErrorLogging } from '@koryu/platform';
import { CONSUMERS, QUEUE_PREFIX, QUEUES, type QueueCanaries, workerConnection } from '@koryu/queues';
import { discoverConsumers, type EventConsumer } from './events/event-consumer';
import { EVENT_CONSUMERS, EventDispatcher } from './events/event-dispatcher';
import { EventsProcessor } from './events/events.processor';
import { EventRecordPruner } from './outbox/event-record-pruner';
import { OutboxRelay } from './outbox/outbox-relay';
import { SystemProcessor } from './system.processor';
import { ReminderScheduler } from './timers/reminder-scheduler';
import { ReminderSender } from './timers/reminder-sender';
import { QueueDepthMetrics } from './timers/timer-metrics';
import { TimersProcessor } from './timers/timers.processor';

export interface WorkerOptions extends CaseworkOptions {
  /** Consumers beyond those in events/consumers/ (tests). */
  extraConsumers?: Type<EventConsumer>[];
}

/** Relays the outbox and consumes domain events, timers and operational jobs. Runs as any number of replicas. */
@Module({})
export class WorkerModule {
  static forRoot(config: KoryuConfig, options: WorkerOptions = {}): DynamicModule {
    const canary = QueueCanaryModule.forQueues(CONSUMERS.worker);
    // A test's extra consumer may also be registered by its decorator: each class once.
    const consumers = [...new Set([...discoverConsumers(), ...(options.extraConsumers ?? [])])];
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({
          config,
          readiness: { imports: [canary], inject: [QUEUE_CANARIES], useFactory: ((c: QueueCanaries) => canaryChecks(c)) as never },
        }),
        BullModule.forRoot({ connection: workerConnection(config.redisUrl), prefix: QUEUE_PREFIX }),
        BullModule.registerQueue(
          { name: QUEUES.system },
          {
            name: QUEUES.timers,
            // Failed timer jobs stay a month for /admin/queues; the handler's checks make retries safe.
            defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } },
          },
          {
            name: QUEUES.events,
            // Failed events stay for inspection in /admin/queues; completed ones a day, so a
            // republished event id is still recognised by BullMQ itself.
            defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } },
          },
        ),
        canary,
        // The engine's host: timer transitions go through the same engine and writes as people's actions.
        CaseworkModule.forRoot(options),
      ],
      providers: [
        queueErrorLogging([QUEUES.system, QUEUES.timers, QUEUES.events]),
        SystemProcessor,
        TimersProcessor,
        ReminderSender,
        ReminderScheduler,
        QueueDepthMetrics,
        OutboxRelay,
        EventRecordPruner,
        EventDispatcher,
        EventsProcessor,
        ...consumers,
        { provide: EVENT_CONSUMERS, inject: consumers, useFactory: (...instances: EventConsumer[]) => instances },
      ],
      exports: [OutboxRelay, ReminderScheduler],
    };
  }
}
