import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQueries } from '@koryu/persistence';
import { Coalescer } from '@koryu/platform';

/** What a reminder's delayed job carries: ids only (PostgreSQL holds the rest). */
export interface ReminderJob {
  reminderId: string;
  generation: number;
}

/** At most this many due reminders are claimed by one transaction. */
const CLAIM_LIMIT = 500;
/** How long this process remembers the reminders it sent, to answer their late or repeated jobs without a query. */
const REMEMBER_MS = 15 * 60 * 1000;

/**
 * Sends reminders when their delayed jobs fire. A job is a trigger: the jobs that arrive together
 * are served by one transaction (one at a time per process, see Coalescer), which claims their own
 * reminders and every other reminder already due — `FOR UPDATE SKIP LOCKED`, so replicas take
 * disjoint rows — re-checks each in PostgreSQL (not sent, of its deadline's current generation,
 * deadline open; a job of an old generation sends nothing: QUALITY.md R6), and writes the
 * notifications of every recipient and the reminders' `sent_at` in one statement. Notifications
 * carry an idempotency key, so a retry after a crash or a second replica's copy sends nothing
 * twice (R1, R7). A job completes only once its own reminder is committed as sent or found not to
 * be due any more; a job's reminder that another replica held locked is re-checked, waiting for
 * that replica's commit.
 */
@Injectable()
export class ReminderSender {
  /** `id:generation` of reminders this process sent, with when. */
  private readonly sent = new Map<string, number>();
  private readonly coalescer = new Coalescer<ReminderJob>((jobs) => this.serve(jobs));

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Resolves once the job's reminder is sent (by this call, an earlier batch or another replica) or is no longer due. */
  async remind(job: ReminderJob): Promise<void> {
    if (this.sent.has(sentKey(job))) return;
    await this.coalescer.submit(job);
  }

  private async serve(jobs: ReminderJob[]): Promise<void> {
    this.forgetOld();
    const open = jobs.filter((job) => !this.sent.has(sentKey(job)));
    if (open.length === 0) return;
    await this.sendClaimed(open, { alsoDue: true });
    // Not sent by that batch: sent earlier (by another process), of an old generation, or locked
    // by another replica's batch. Checked again waiting for those locks, so none is left behind.
    const unsettled = open.filter((job) => !this.sent.has(sentKey(job)));
    if (unsettled.length > 0) await this.sendClaimed(unsettled, { alsoDue: false });
  }

  /**
   * One transaction: claims the jobs' own reminders (at their job's generation) and, with
   * `alsoDue`, up to CLAIM_LIMIT others already due, skipping rows another transaction holds;
   * without it, only the jobs' own, waiting for such locks. Then notifies and marks them sent.
   */
  private async sendClaimed(jobs: ReminderJob[], { alsoDue }: { alsoDue: boolean }): Promise<void> {
    const sentNow = await this.dataSource.transaction(async (tx) => {
      const rows = await preparedQueries(tx)<ReminderRow>(
        `SELECT r.id, r.generation, r.fire_at <= now() AS due, d.kind, d.audience, d.notify, d.created_by AS "createdBy", d.title,
                c.id AS "caseId", c.title AS "caseTitle", c.organisation_id AS "organisationId", c.created_by AS "caseCreatedBy"
           FROM deadline_reminder r
           JOIN case_deadline d ON d.id = r.deadline_id AND d.generation = r.generation AND d.state = 'open'
           JOIN workflow_case c ON c.id = d.case_id
          WHERE r.sent_at IS NULL
            AND (r.id, r.generation) IN (
                  SELECT * FROM unnest($1::uuid[], $2::int[])
                  ${alsoDue ? `UNION ALL (SELECT id, generation FROM deadline_reminder WHERE sent_at IS NULL AND fire_at <= now() ORDER BY fire_at LIMIT ${CLAIM_LIMIT})` : ''})
          ORDER BY r.id
          FOR UPDATE OF r ${alsoDue ? 'SKIP LOCKED' : ''}`,
        [jobs.map((job) => job.reminderId), jobs.map((job) => job.generation)],
      );
      // Checked again on the row as locked: a job's own reminder at its generation, any other only once due.
      const own = new Set(jobs.map(sentKey));
      const claimed = rows.filter((row) => row.due || own.has(sentKey({ reminderId: row.id, generation: row.generation })));
      if (claimed.length > 0) await this.notify(tx, claimed);
      return claimed;
    });
    const now = Date.now();
    for (const row of sentNow) this.sent.set(sentKey({ reminderId: row.id, generation: row.generation }), now);
    // A job whose reminder was not claimed without SKIP LOCKED is settled: sent already or not due any more.
    if (!alsoDue) for (const job of jobs) this.sent.set(sentKey(job), now);
  }

  /** The notifications of every recipient of every reminder, and the reminders' `sent_at`, in one statement. */
  private async notify(tx: EntityManager, rows: ReminderRow[]): Promise<void> {
    const batch = rows.map((row) => {
      const key = reminderKind(row);
      const reminder = REMINDERS[key];
      const { id, generation, caseId, organisationId, createdBy, caseCreatedBy, notify } = row;
      return { id, generation, reminder: key, notice: reminder.kind, title: reminder.title(row), body: reminder.body(row), caseId, organisationId, createdBy, caseCreatedBy, notify };
    });
    const recipients = Object.entries(REMINDERS)
      .map(([key, reminder]) => `SELECT b.id AS reminder_id, u.id AS user_id ${reminder.recipients} WHERE b.reminder = '${key}' AND u.disabled_at IS NULL`)
      .join('\n UNION ALL ');
    await preparedQueries(tx)(
      `WITH batch AS (
              SELECT * FROM jsonb_to_recordset($1::jsonb) AS b (id uuid, generation integer, reminder text, notice text, title jsonb, body jsonb, "caseId" uuid,
                                                               "organisationId" uuid, "createdBy" uuid, "caseCreatedBy" uuid, notify uuid[])),
            recipients AS (${recipients}),
            notified AS (
              INSERT INTO notification (user_id, kind, case_id, title, body, idempotency_key)
              SELECT r.user_id, b.notice, b."caseId", b.title, b.body, 'reminder:' || b.id || ':' || b.generation || ':' || r.user_id
                FROM recipients r JOIN batch b ON b.id = r.reminder_id
              ON CONFLICT (idempotency_key) DO NOTHING)
       UPDATE deadline_reminder SET sent_at = now() WHERE id IN (SELECT id FROM batch)`,
      [JSON.stringify(batch)],
    );
  }

  private forgetOld(): void {
    const before = Date.now() - REMEMBER_MS;
    for (const [key, at] of this.sent) {
      if (at >= before) break; // insertion order is time order
      this.sent.delete(key);
    }
  }
}

const sentKey = (job: ReminderJob) => `${job.reminderId}:${job.generation}`;

interface ReminderRow {
  id: string;
  generation: number;
  /** fire_at has come, by PostgreSQL's clock. */
  due: boolean;
  kind: 'program' | 'custom' | 'sla';
  audience: 'manager' | 'admin' | 'pending-invitees' | null;
  notify: string[];
  createdBy: string | null;
  title: { ja: string; en: string };
  caseId: string;
  caseTitle: string;
  organisationId: string;
  caseCreatedBy: string;
}

type Text = { ja: string; en: string };

interface ReminderKind {
  kind: 'reminder' | 'escalation';
  /**
   * Who hears of it, read when it fires (not when it was scheduled): the FROM and WHERE of a
   * query over `batch b` (one row per reminder) joined to `app_user u`.
   */
  recipients: string;
  title(row: ReminderRow): Text;
  body(row: ReminderRow): Text;
}

function reminderKind(row: ReminderRow): keyof typeof REMINDERS {
  if (row.kind === 'custom') return 'custom';
  if (row.kind === 'sla') return row.audience === 'admin' ? 'sla-admin' : 'sla-manager';
  return row.audience === 'pending-invitees' ? 'survey' : 'program';
}

const slaReminder = (escalation: boolean): ReminderKind => ({
  kind: escalation ? 'escalation' : 'reminder',
  recipients: `FROM batch b JOIN app_user u ON u.organisation_id = b."organisationId" AND '${escalation ? 'admin' : 'manager'}' = ANY (u.roles)`,
  title: (row) => ({ ja: `${escalation ? '【エスカレーション】' : '【催促】'}決裁待ち：${row.caseTitle}`, en: `${escalation ? '[Escalation]' : '[Reminder]'} Approval waiting: ${row.caseTitle}` }),
  body: (row) => ({ ja: `「${row.caseTitle}」が${escalation ? 5 : 3}営業日以上、決裁を待っています。`, en: `"${row.caseTitle}" has waited ${escalation ? 5 : 3} business days or more for approval.` }),
});

/** What each kind of reminder says and to whom (DOMAIN.md Notifications, deadlines per program). */
const REMINDERS: Record<'custom' | 'program' | 'survey' | 'sla-manager' | 'sla-admin', ReminderKind> = {
  /**
   * A custom milestone: the case's creator and the users it names (API.md), and whoever set it,
   * who asked for the reminder; each of them once.
   */
  custom: {
    kind: 'reminder',
    recipients: `FROM batch b JOIN app_user u ON (u.id = b."caseCreatedBy" OR u.id = b."createdBy" OR u.id = ANY (b.notify))`,
    title: (row) => ({ ja: `期限のお知らせ：${row.title.ja}`, en: `Reminder: ${row.title.en}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の「${row.title.ja}」の期限が近づいています。`, en: `"${row.title.en}" of "${row.caseTitle}" is coming up.` }),
  },
  /** A program deadline: the organisation's staff and whoever started the case. */
  program: {
    kind: 'reminder',
    recipients: `FROM batch b JOIN app_user u ON u.organisation_id = b."organisationId" AND ('staff' = ANY (u.roles) OR u.id = b."caseCreatedBy")`,
    title: (row) => ({ ja: `期限のお知らせ：${row.title.ja}`, en: `Reminder: ${row.title.en}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の「${row.title.ja}」の期限が近づいています。`, en: `"${row.title.en}" of "${row.caseTitle}" is coming up.` }),
  },
  /** The survey deadline: staff of the invited organisations that have not answered yet. */
  survey: {
    kind: 'reminder',
    recipients: `FROM batch b JOIN survey_response s ON s.case_id = b."caseId" AND s.status = 'pending' JOIN app_user u ON u.organisation_id = s.organisation_id AND 'staff' = ANY (u.roles)`,
    title: (row) => ({ ja: `【回答のお願い】${row.title.ja}：${row.caseTitle}`, en: `[Please answer] ${row.title.en}: ${row.caseTitle}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の参加意向調査にまだ回答がありません。期限までにご回答ください。`, en: `Your organisation has not yet answered the survey of "${row.caseTitle}". Please answer before the deadline.` }),
  },
  /** The approval SLA: the organisation's managers after 3 business days in review… */
  'sla-manager': slaReminder(false),
  /** …and its admins after 5. */
  'sla-admin': slaReminder(true),
};
