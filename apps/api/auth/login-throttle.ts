import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** API.md "Login throttling". */
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES_PER_EMAIL = 10;
export const MAX_FAILURES_PER_IP = 50;

/**
 * Counts recent failed logins from the audit log, which every API replica shares, so the limit
 * holds across replicas and restarts. An e-mail's count starts again after a successful login.
 * Returns the seconds to wait, or 0 when the attempt may go ahead. The answer is the same whether
 * or not the account exists, since it depends only on the attempts made.
 */
@Injectable()
export class LoginThrottle {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async secondsToWait(email: string, ip: string | undefined): Promise<number> {
    const [row] = await this.dataSource.query(
      `WITH window_start AS (SELECT now() - make_interval(secs => $3) AS at),
       email_failures AS (
         SELECT a.at FROM audit_log a, window_start w
          WHERE a.action = 'auth.login' AND a.subject = $1 AND a.at > w.at AND a.outcome = 'failure'
            AND a.at > COALESCE((SELECT max(s.at) FROM audit_log s WHERE s.action = 'auth.login' AND s.subject = $1 AND s.outcome = 'success' AND s.at > w.at), '-infinity')
          ORDER BY a.at DESC LIMIT $4
       ),
       ip_failures AS (
         SELECT a.at FROM audit_log a, window_start w
          WHERE a.action = 'auth.login' AND a.outcome = 'failure' AND a.ip = $2 AND a.at > w.at
          ORDER BY a.at DESC LIMIT $5
       )
       SELECT
         (SELECT count(*) FROM email_failures)::int AS "emailCount",
         (SELECT min(at) FROM email_failures) AS "emailOldest",
         (SELECT count(*) FROM ip_failures)::int AS "ipCount",
         (SELECT min(at) FROM ip_failures) AS "ipOldest"`,
      [email, ip ?? null, LOGIN_WINDOW_SECONDS, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP + 1],
    );
    const waits: number[] = [];
    // The window slides: the wait ends when the oldest counted failure leaves it.
    if (row.emailCount >= MAX_FAILURES_PER_EMAIL) waits.push(this.secondsUntilExpiry(row.emailOldest));
    if (row.ipCount > MAX_FAILURES_PER_IP) waits.push(this.secondsUntilExpiry(row.ipOldest));
    return waits.length ? Math.max(...waits) : 0;
  }

  private secondsUntilExpiry(oldest: Date): number {
    return Math.max(1, Math.ceil((new Date(oldest).getTime() + LOGIN_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
  }
}
