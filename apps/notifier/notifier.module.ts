import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { KoryuConfig } from '@koryu/config';
import { PlatformModule, QUEUE_CANARY, QueueCanaryModule } from '@koryu/platform';
import { QUEUE_PREFIX, QUEUES, type QueueCanary, workerConnection } from '@koryu/queues';
import { MailDispatcher } from './mail-dispatcher';
import { MailTransport } from './mail-transport';
import { NotificationsProcessor } from './notifications.processor';

@Module({ providers: [MailTransport], exports: [MailTransport] })
class MailModule {}

/** Delivers notifications by mail (SMTP) and in-app. */
@Module({})
export class NotifierModule {
  static forRoot(config: KoryuConfig): DynamicModule {
    const canary = QueueCanaryModule.forQueue(QUEUES.notifications);
    return {
      module: NotifierModule,
      imports: [
        PlatformModule.forRoot({
          config,
          readiness: {
            imports: [canary, MailModule],
            inject: [QUEUE_CANARY, MailTransport],
            useFactory: ((c: QueueCanary, mail: MailTransport) => [
              { name: 'queue', check: () => c.check() },
              { name: 'smtp', check: () => mail.verify() },
            ]) as never,
          },
        }),
        BullModule.forRoot({ connection: workerConnection(config.redisUrl), prefix: QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QUEUES.notifications }),
        canary,
        MailModule,
      ],
      providers: [NotificationsProcessor, MailDispatcher],
      exports: [MailDispatcher],
    };
  }
}
