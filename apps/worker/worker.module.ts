import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { KoryuConfig } from '@koryu/config';
import { PlatformModule, QUEUE_CANARY, QueueCanaryModule } from '@koryu/platform';
import { QUEUE_PREFIX, QUEUES, type QueueCanary, workerConnection } from '@koryu/queues';
import { SystemProcessor } from './system.processor';

/** Consumes domain events, timers and operational jobs. Runs as any number of replicas. */
@Module({})
export class WorkerModule {
  static forRoot(config: KoryuConfig): DynamicModule {
    const canary = QueueCanaryModule.forQueue(QUEUES.system);
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({
          config,
          readiness: { imports: [canary], inject: [QUEUE_CANARY], useFactory: ((c: QueueCanary) => [{ name: 'queue', check: () => c.check() }]) as never },
        }),
        BullModule.forRoot({ connection: workerConnection(config.redisUrl), prefix: QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QUEUES.system }),
        canary,
      ],
      providers: [SystemProcessor],
    };
  }
}
