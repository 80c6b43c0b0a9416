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
    // As many connections as the dispatcher's lanes; timeouts well inside its lock timeout, so a
    // hung SMTP server fails the send rather than the transaction.
    this.transporter = createTransport(config.smtpUrl!, { pool: true, maxConnections: 4, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 } as never);
  }

  async verify(): Promise<void> {
    await this.transporter.verify();
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
