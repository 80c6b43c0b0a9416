import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { isBusinessDay } from '@koryu/calendar';
import { CasesService, PROGRAM_REGISTRY } from '@koryu/casework';
import type { ProgramDefinition, ProgramRegistry } from '@koryu/workflow';
import { QUEUES, type QueueCanaries } from '@koryu/queues';
import { KoryuWorkerHost, QUEUE_CANARIES } from '@koryu/platform';
import { type ReminderJob, ReminderSender } from './reminder-sender';
import { timerLateness } from './timer-metrics';

interface TimerJob {
  timerId: string;
  generation: number;
}

/**
 * Runs the `timers` queue: reminders (ReminderSender re-checks each in PostgreSQL and sends it
 * once), timer transitions and the managers' daily digest.
 */
@Processor(QUEUES.timers, { concurrency: 16 })
export class TimersProcessor extends KoryuWorkerHost {
  private readonly logger = new Logger(TimersProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly reminders: ReminderSender,
    @Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry,
    @Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries,
  ) {
    super();
  }

  async handle(job: Job): Promise<void> {
    if (this.canaries.of(QUEUES.timers).seen(job)) return;
    // Lateness against the job's own due time (its creation plus its delay), at its first start.
    if (job.attemptsStarted <= 1) timerLateness.observe({ kind: job.name }, Math.max(0, Date.now() - (job.timestamp + (job.delay ?? 0))) / 1000);
    if (job.name === 'reminder') return this.reminders.remind(job.data as ReminderJob);
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
    const { moved, stillApplies } = await this.cases.trySystemAction(timer.caseId, timer.action);
    const outcome = moved || !stillApplies ? 'done' : 'blocked';
    // Ended at the case's version as it is now (the deadlines consumer revives it only from a later one).
    await this.dataSource.query(`UPDATE case_timer SET state = $2, outcome = $3, ended_version = (SELECT version FROM workflow_case WHERE id = case_id), updated_at = now() WHERE id = $1`, [timerId, outcome, moved ? `moved to ${moved.state}` : outcome === 'blocked' ? 'refused by a rule' : 'the case had moved on']);
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
}
