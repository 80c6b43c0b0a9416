import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type KoryuConfig } from '@koryu/config';
import { QueueCanary, type QueueName } from '@koryu/queues';
import { KORYU_CONFIG } from './platform.module';

export const QUEUE_CANARY = Symbol('QUEUE_CANARY');

@Injectable()
class CanaryLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(QUEUE_CANARY) private readonly canary: QueueCanary) {}

  onApplicationBootstrap(): void {
    this.canary.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.canary.close();
  }
}

/** A consuming service's canary on its own queue; its check joins the service's readiness. */
@Module({})
export class QueueCanaryModule {
  static forQueue(queue: QueueName): DynamicModule {
    return {
      module: QueueCanaryModule,
      providers: [
        { provide: QUEUE_CANARY, inject: [KORYU_CONFIG], useFactory: (config: KoryuConfig) => new QueueCanary(config.redisUrl, queue, config.service) },
        CanaryLifecycle,
      ],
      exports: [QUEUE_CANARY],
    };
  }
}
