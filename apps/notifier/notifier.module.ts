import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { KoryuConfig } from '@koryu/config';
import { canaryChecks, PlatformModule, QUEUE_CANARIES, QueueCanaryModule, queueErrorLogging } from '@koryu/platform';
import { CONSUMERS, QUEUE_PREFIX, QUEUES, type QueueCanaries, workerConnection } from '@koryu/queues';
import { MailDispatcher } from './mail-dispatcher';
import { MailTransport } from './mail-transport';
import { NotificationsProcessor } from './notifications.processor';

@Module({ providers: [MailTransport], exports: [MailTransport] })
class MailModule {}

/** Delivers notifications by mail (SMTP) and in-app. */
@Module({})
export class NotifierModule {
  static forRoot(config: KoryuConfig): DynamicModule {
    const canary = QueueCanaryModule.forQueues(CONSUMERS.notifier);
    return {
      module: NotifierModule,
      imports: [
        PlatformModule.forRoot({
          config,
          readiness: {
            imports: [canary, MailModule],
            inject: [QUEUE_CANARIES, MailTransport],
            useFactory: ((c: QueueCanaries, mail: MailTransport) => [
              ...canaryChecks(c),
              { name: 'smtp', check: () => mail.verify() },
            ]) as never,
          },
        }),
        BullModule.forRoot({ connection: workerConnection(config.redisUrl), prefix: QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QUEUES.notifications }),
        canary,
        MailModule,
      ],
      providers: [queueErrorLogging([QUEUES.notifications]), NotificationsProcessor, MailDispatcher],
      exports: [MailDispatcher],
    };
  }
}
