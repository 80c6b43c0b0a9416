import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type KoryuConfig } from '@koryu/config';
import { QueueCanaries, type QueueName } from '@koryu/queues';
import type { ReadinessCheck } from './health';
import { KORYU_CONFIG } from './platform.module';

export const QUEUE_CANARIES = Symbol('QUEUE_CANARIES');

@Injectable()
class CanaryLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries) {}

  onApplicationBootstrap(): void {
    this.canaries.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.canaries.close();
  }
}

/** A consuming service's canaries, one on each queue it consumes; their checks join its readiness. */
@Module({})
export class QueueCanaryModule {
  static forQueues(queues: readonly QueueName[]): DynamicModule {
    return {
      module: QueueCanaryModule,
      providers: [
        { provide: QUEUE_CANARIES, inject: [KORYU_CONFIG], useFactory: (config: KoryuConfig) => new QueueCanaries(config.redisUrl, queues, config.service) },
        CanaryLifecycle,
      ],
      exports: [QUEUE_CANARIES],
    };
  }
}

/** Readiness checks named `queue:<name>`, one per canary. */
export function canaryChecks(canaries: QueueCanaries): ReadinessCheck[] {
  return canaries.all().map((canary) => ({ name: `queue:${canary.queueName}`, check: () => canary.check() }));
}
