import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { isBusinessDay } from '@koryu/calendar';
import { CasesService, PROGRAM_REGISTRY } from '@koryu/casework';
import type { ProgramDefinition, ProgramRegistry } from '@koryu/workflow';
import { QUEUES, type QueueCanaries } from '@koryu/queues';
import { QUEUE_CANARIES, QuietWorkerHost } from '@koryu/platform';
import { timerLateness } from './timer-metrics';

interface TimerJob {
  timerId: string;
  generation: number;
}

interface ReminderJob {
  reminderId: string;
  generation: number;
}

/**
 * Runs the `timers` queue. A reminder job locks its row and re-checks in PostgreSQL that it is
 * still pending, of the deadline's current generation and that the deadline is open: a job left
 * from an old date or a closed deadline does nothing (QUALITY.md R6), and a retry after a crash
 * or a second replica's copy finds it sent (R1, R7). Notifications carry an idempotency key.
 */
@Processor(QUEUES.timers, { concurrency: 16 })
export class TimersProcessor extends QuietWorkerHost {
  private readonly logger = new Logger(TimersProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    @Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry,
    @Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries,
  ) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (this.canaries.of(QUEUES.timers).seen(job)) return;
    // Lateness against the job's own due time: its creation plus its delay.
    timerLateness.observe({ kind: job.name }, Math.max(0, Date.now() - (job.timestamp + (job.delay ?? 0))) / 1000);
    if (job.name === 'reminder') return this.remind(job.data as ReminderJob);
    if (job.name === 'timer') return this.transition(job.data as TimerJob);
    if (job.name === 'digest') return this.digest((job.data as { date: string }).date);
    throw new UnrecoverableError(`unknown timer job ${job.name}`);
  }

  /**
   * A timer transition (`visit-ended`, `begin-secondment`, …): the same engine, transaction and
   * history as a person's action, with actor `system`. A timer whose case already moved, or whose
   * time changed since the job was made, does nothing; one the rules refuse (e.g. no postName to
   * begin the overseas posting) is recorded as blocked and waits for a person.
   */
  private async transition({ timerId, generation }: TimerJob): Promise<void> {
    const [timer] = await this.dataSource.query(`SELECT id, case_id AS "caseId", action, generation, state FROM case_timer WHERE id = $1`, [timerId]);
    if (!timer || timer.state !== 'pending' || timer.generation !== generation) return;
    const moved = await this.cases.actAsSystem(timer.caseId, timer.action);
    const outcome = moved ? 'done' : (await this.cases.systemCanTake(timer.caseId, timer.action)) ? 'blocked' : 'done';
    await this.dataSource.query(`UPDATE case_timer SET state = $2, outcome = $3, updated_at = now() WHERE id = $1`, [timerId, outcome, moved ? `moved to ${moved.state}` : outcome === 'blocked' ? 'refused by a rule' : 'the case had moved on']);
    this.logger.log(`timer ${timer.action} of case ${timer.caseId}: ${outcome}`);
  }

  /**
   * The managers' daily digest: to every active manager with something waiting (cases of their
   * organisation in a state only a manager moves on), one notification a day, whatever the retries.
   */
  async digest(date: string): Promise<void> {
    if (!isBusinessDay(date)) return;
    // Waiting for a manager: a step only a manager takes (approve, sign, confirm…), not one staff
    // or a timer could take too (withdraw, cancel, a manager's early end).
    const managerStep = (def: ProgramDefinition, state: string) =>
      def.actions.some((a) => a.from.includes(state) && a.roles.includes('manager') && !a.roles.includes('staff') && !a.roles.includes('system'));
    const waiting = this.programs.all().flatMap((def) => def.states.filter((s) => managerStep(def, s.key)).map((s) => ({ key: `${def.key}:${s.key}`, program: def.title, state: s.title })));
    const rows: { userId: string; caseId: string; title: string; key: string }[] = await this.dataSource.query(
      `SELECT u.id AS "userId", c.id AS "caseId", c.title, c.program || ':' || c.state AS key
         FROM app_user u JOIN workflow_case c ON c.organisation_id = u.organisation_id
        WHERE 'manager' = ANY (u.roles) AND u.disabled_at IS NULL AND c.program || ':' || c.state = ANY ($1)
        ORDER BY u.id, c.updated_at`,
      [waiting.map((w) => w.key)],
    );
    const byUser = new Map<string, typeof rows>();
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
    for (const [userId, cases] of byUser) {
      const line = (c: (typeof rows)[number], locale: 'ja' | 'en') => {
        const where = waiting.find((w) => w.key === c.key);
        return `・${c.title || '-'}（${where?.program[locale] ?? ''} / ${where?.state[locale] ?? ''}）`;
      };
      await this.dataSource.query(
        `INSERT INTO notification (user_id, kind, title, body, idempotency_key) VALUES ($1, 'action-needed', $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          userId,
          JSON.stringify({ ja: `本日の決裁待ち ${cases.length} 件（${date}）`, en: `${cases.length} waiting for you today (${date})` }),
          JSON.stringify({ ja: cases.map((c) => line(c, 'ja')).join('\n'), en: cases.map((c) => line(c, 'en')).join('\n') }),
          `digest:${date}:${userId}`,
        ],
      );
    }
    this.logger.log(`digest of ${date}: ${byUser.size} managers`);
  }

  private async remind({ reminderId, generation }: ReminderJob): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [row]: ReminderRow[] = await tx.query(
        `SELECT r.id, r.before, r.generation, r.sent_at AS "sentAt", d.generation AS "deadlineGeneration", d.state, d.kind, d.audience, d.notify, d.created_by AS "createdBy",
                d.title, d.due_at AS "dueAt", c.id AS "caseId", c.title AS "caseTitle", c.organisation_id AS "organisationId", c.created_by AS "caseCreatedBy"
           FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id JOIN workflow_case c ON c.id = d.case_id
          WHERE r.id = $1 FOR UPDATE OF r`,
        [reminderId],
      );
      if (!row || row.sentAt || row.generation !== generation || row.deadlineGeneration !== generation || row.state !== 'open') return;
      const reminder = REMINDERS[reminderKind(row)];
      const recipients = reminder.recipients(row);
      const first = recipients.params.length + 1;
      // The notifications of every recipient and the reminder's "sent" in one statement.
      await tx.query(
        `WITH recipients AS (${recipients.sql}),
              notified AS (
                INSERT INTO notification (user_id, kind, case_id, title, body, idempotency_key)
                SELECT id, $${first}, $${first + 1}::uuid, $${first + 2}::jsonb, $${first + 3}::jsonb, $${first + 4} || ':' || id FROM recipients
                ON CONFLICT (idempotency_key) DO NOTHING)
         UPDATE deadline_reminder SET sent_at = now() WHERE id = $${first + 5}`,
        [...recipients.params, reminder.kind, row.caseId, JSON.stringify(reminder.title(row)), JSON.stringify(reminder.body(row)), `reminder:${row.id}:${generation}`, row.id],
      );
    });
  }
}

interface ReminderRow {
  id: string;
  before: string;
  generation: number;
  sentAt: Date | null;
  deadlineGeneration: number;
  state: string;
  kind: 'program' | 'custom' | 'sla';
  audience: 'manager' | 'admin' | 'pending-invitees' | null;
  notify: string[];
  createdBy: string | null;
  title: { ja: string; en: string };
  dueAt: Date;
  caseId: string;
  caseTitle: string;
  organisationId: string;
  caseCreatedBy: string;
}

type Text = { ja: string; en: string };

interface ReminderKind {
  kind: 'reminder' | 'escalation';
  /** Who hears of it, read when it fires (not when it was scheduled). */
  recipients(row: ReminderRow): { sql: string; params: unknown[] };
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
  recipients: (row) => ({ sql: `SELECT id FROM app_user WHERE organisation_id = $1 AND disabled_at IS NULL AND $2 = ANY (roles)`, params: [row.organisationId, escalation ? 'admin' : 'manager'] }),
  title: (row) => ({ ja: `${escalation ? '【エスカレーション】' : '【催促】'}決裁待ち：${row.caseTitle}`, en: `${escalation ? '[Escalation]' : '[Reminder]'} Approval waiting: ${row.caseTitle}` }),
  body: (row) => ({ ja: `「${row.caseTitle}」が${escalation ? 5 : 3}営業日以上、決裁を待っています。`, en: `"${row.caseTitle}" has waited ${escalation ? 5 : 3} business days or more for approval.` }),
});

/** What each kind of reminder says and to whom (DOMAIN.md Notifications, deadlines per program). */
const REMINDERS: Record<'custom' | 'program' | 'survey' | 'sla-manager' | 'sla-admin', ReminderKind> = {
  /** A custom milestone: its creator and the users it names. */
  custom: {
    kind: 'reminder',
    recipients: (row) => ({ sql: `SELECT id FROM app_user WHERE (id = $1 OR id = ANY ($2::uuid[])) AND disabled_at IS NULL`, params: [row.createdBy, row.notify] }),
    title: (row) => ({ ja: `期限のお知らせ：${row.title.ja}`, en: `Reminder: ${row.title.en}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の「${row.title.ja}」の期限が近づいています。`, en: `"${row.title.en}" of "${row.caseTitle}" is coming up.` }),
  },
  /** A program deadline: the organisation's staff and whoever started the case. */
  program: {
    kind: 'reminder',
    recipients: (row) => ({ sql: `SELECT id FROM app_user WHERE organisation_id = $1 AND disabled_at IS NULL AND ('staff' = ANY (roles) OR id = $2)`, params: [row.organisationId, row.caseCreatedBy] }),
    title: (row) => ({ ja: `期限のお知らせ：${row.title.ja}`, en: `Reminder: ${row.title.en}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の「${row.title.ja}」の期限が近づいています。`, en: `"${row.title.en}" of "${row.caseTitle}" is coming up.` }),
  },
  /** The survey deadline: staff of the invited organisations that have not answered yet. */
  survey: {
    kind: 'reminder',
    recipients: (row) => ({
      sql: `SELECT u.id FROM survey_response s JOIN app_user u ON u.organisation_id = s.organisation_id
             WHERE s.case_id = $1 AND s.status = 'pending' AND u.disabled_at IS NULL AND 'staff' = ANY (u.roles)`,
      params: [row.caseId],
    }),
    title: (row) => ({ ja: `【回答のお願い】${row.title.ja}：${row.caseTitle}`, en: `[Please answer] ${row.title.en}: ${row.caseTitle}` }),
    body: (row) => ({ ja: `「${row.caseTitle}」の参加意向調査にまだ回答がありません。期限までにご回答ください。`, en: `Your organisation has not yet answered the survey of "${row.caseTitle}". Please answer before the deadline.` }),
  },
  /** The approval SLA: the organisation's managers after 3 business days in review… */
  'sla-manager': slaReminder(false),
  /** …and its admins after 5. */
  'sla-admin': slaReminder(true),
};
