import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG } from '@koryu/platform';

/** The SMTP connection (pooled). Readiness checks that the server greets us. */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  readonly transporter: Transporter;

  constructor(@Inject(KORYU_CONFIG) config: KoryuConfig) {
    // loadConfig guarantees SMTP_URL for the notifier.
    this.transporter = createTransport(config.smtpUrl!, { pool: true, maxConnections: 2 } as never);
  }

  async verify(): Promise<void> {
    await this.transporter.verify();
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
