import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import escapeHtml from 'escape-html';
import type { DataSource } from 'typeorm';
import type { KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG } from '@koryu/platform';
import { MailTransport } from './mail-transport';

const INTERVAL_MS = 500;
const BATCH = 50;
/** A claim older than this belonged to a notifier that died mid-send: the notification is taken again. */
const CLAIM_EXPIRES = '2 minutes';
const MAX_ATTEMPTS = 8;

interface Pending {
  id: string;
  email: string;
  name: string;
  locale: 'ja' | 'en';
  title: { ja: string; en: string };
  body: { ja: string; en: string };
  caseId: string | null;
}

const FROM = 'Koryu <no-reply@koryu.example>';

/**
 * Sends every notification by mail once, in the recipient's language, as text and HTML (user
 * text escaped) with a link to the case. PostgreSQL decides who sends what: a notifier claims a
 * batch with FOR UPDATE SKIP LOCKED, sends, and marks each mailed at once; the Message-ID is the
 * notification's id, so a mail sent again after a crash between the SMTP answer and the mark is
 * recognisable as the same one.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDispatcher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mail: MailTransport,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.dispatch()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`mail dispatch failed, retrying: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, INTERVAL_MS);
        });
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Sends what is waiting, batch by batch; answers how many were sent. */
  async dispatch(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch: Pending[] = await this.dataSource.query(
        `WITH claimed AS (
           UPDATE notification SET mail_claimed_at = now(), mail_attempts = mail_attempts + 1
            WHERE id IN (SELECT id FROM notification
                          WHERE mailed_at IS NULL AND mail_attempts < ${MAX_ATTEMPTS}
                            AND (mail_claimed_at IS NULL OR mail_claimed_at < now() - interval '${CLAIM_EXPIRES}')
                          ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
            RETURNING id, user_id, title, body, case_id
         )
         SELECT c.id, u.email, u.name, u.locale, c.title, c.body, c.case_id AS "caseId" FROM claimed c JOIN app_user u ON u.id = c.user_id`,
      );
      if (batch.length === 0) return sent;
      for (const notification of batch) {
        try {
          await this.mail.transporter.sendMail(this.compose(notification));
          await this.dataSource.query('UPDATE notification SET mailed_at = now(), mail_error = NULL WHERE id = $1', [notification.id]);
          sent += 1;
        } catch (error) {
          // Released for a later try (the claim is cleared); after MAX_ATTEMPTS it stays in-app only.
          await this.dataSource.query('UPDATE notification SET mail_claimed_at = NULL, mail_error = $2 WHERE id = $1', [notification.id, error instanceof Error ? error.message : String(error)]);
          this.logger.warn(`mail of notification ${notification.id} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }

  private compose(n: Pending) {
    const locale = n.locale === 'en' ? 'en' : 'ja';
    const title = n.title[locale];
    const body = n.body[locale];
    const link = n.caseId ? `${this.config.appBaseUrl}/cases/${n.caseId}` : this.config.appBaseUrl;
    const open = locale === 'ja' ? '案件を開く' : 'Open the case';
    const footer = locale === 'ja' ? 'このメールは Koryu から自動送信されています。' : 'This message was sent automatically by Koryu.';
    return {
      from: FROM,
      to: { name: n.name, address: n.email },
      subject: title,
      messageId: `<${n.id}@notifications.koryu>`,
      headers: { 'X-Koryu-Notification': n.id },
      text: `${body}\n\n${open}: ${link}\n\n--\n${footer}\n`,
      html: `<!doctype html><html lang="${locale}"><body><p>${escapeHtml(body)}</p><p><a href="${escapeHtml(link)}">${open}</a></p><hr><p style="color:#666;font-size:small">${footer}</p></body></html>`,
    };
  }
}
