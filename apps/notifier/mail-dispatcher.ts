import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import escapeHtml from 'escape-html';
import type { DataSource } from 'typeorm';
import type { KoryuConfig } from '@koryu/config';
import { faultPoint, KORYU_CONFIG, PeriodicTask } from '@koryu/platform';
import { MailTransport } from './mail-transport';

const INTERVAL_MS = 500;
/** Mails sent at once, each in its own transaction holding its notification's row lock. */
const LANES = 4;
/** Sends of one mail at most; after them it stays in-app only. */
export const MAX_MAIL_ATTEMPTS = 8;
/**
 * A notifier stopped mid-send (frozen, cut off) loses its transaction after this, so the row lock
 * it holds is released and another notifier takes the mail; longer than the SMTP timeouts below.
 */
const LOCK_TIMEOUT = '90s';

interface Pending {
  id: string;
  email: string;
  name: string;
  locale: 'ja' | 'en';
  title: { ja: string; en: string };
  body: { ja: string; en: string };
  caseId: string | null;
  attempts: number;
}

const FROM = 'Koryu <no-reply@koryu.example>';

/**
 * Sends every notification by mail, in the recipient's language, as text and HTML (user text
 * escaped) with a link to the case. PostgreSQL decides who sends what: each send runs in its own
 * transaction that locks the notification's row (FOR UPDATE SKIP LOCKED, so replicas never send
 * the same one), sends, marks it mailed and commits. A notifier killed mid-send drops its
 * connection and with it the lock, so the mail is taken again at once (QUALITY.md R1). The only
 * window for a second copy is a crash between the SMTP server's acceptance and the commit; that
 * copy carries the same Message-ID (the notification's id), which is as far as SMTP lets anyone go.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDispatcher.name);
  private readonly periodic = new PeriodicTask(() => this.dispatch(), { everyMs: INTERVAL_MS, logger: this.logger, failure: 'mail dispatch failed, retrying' });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mail: MailTransport,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  /** Sends what is waiting, LANES at a time; answers how many were sent. */
  async dispatch(): Promise<number> {
    let sent = 0;
    const lane = async () => {
      for (;;) {
        if (this.periodic.stopping) return;
        const outcome = await this.sendOne();
        if (outcome === 'none') return;
        if (outcome === 'sent') sent += 1;
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return sent;
  }

  /** Locks one waiting notification, mails it and marks it mailed, in one transaction. */
  private async sendOne(): Promise<'sent' | 'failed' | 'none'> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '${LOCK_TIMEOUT}'`);
      const [notification]: Pending[] = await runner.query(
        `SELECT n.id, u.email, u.name, u.locale, n.title, n.body, n.case_id AS "caseId", n.mail_attempts AS attempts
           FROM notification n JOIN app_user u ON u.id = n.user_id
          WHERE n.mailed_at IS NULL AND n.mail_attempts < ${MAX_MAIL_ATTEMPTS} AND (n.mail_retry_at IS NULL OR n.mail_retry_at <= now())
          ORDER BY n.created_at LIMIT 1
          FOR UPDATE OF n SKIP LOCKED`,
      );
      if (!notification) {
        await runner.commitTransaction();
        return 'none';
      }
      try {
        await this.mail.transporter.sendMail(this.compose(notification));
      } catch (error) {
        // Tried again later with backoff (2 s, 4 s, … ); after MAX_MAIL_ATTEMPTS it stays in-app only.
        const message = error instanceof Error ? error.message : String(error);
        await runner.query(
          `UPDATE notification SET mail_attempts = mail_attempts + 1, mail_error = $2, mail_retry_at = now() + make_interval(secs => 2 ^ (mail_attempts + 1)) WHERE id = $1`,
          [notification.id, message],
        );
        await runner.commitTransaction();
        this.logger.warn(`mail of notification ${notification.id} failed (attempt ${notification.attempts + 1}): ${message}`);
        return 'failed';
      }
      faultPoint('after-smtp-accept-before-commit');
      await runner.query('UPDATE notification SET mailed_at = now(), mail_attempts = mail_attempts + 1, mail_error = NULL WHERE id = $1', [notification.id]);
      await runner.commitTransaction();
      return 'sent';
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
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
