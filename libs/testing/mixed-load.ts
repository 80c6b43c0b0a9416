import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { QUEUE_PREFIX, QUEUES } from '@koryu/queues';
import { completeVisit } from './fixtures';
import { HttpClient, type HttpResult } from './http-client';

export interface MixedLoadOptions {
  /** The API's base URL. */
  base: string;
  /** Tokens of a staff member and a manager of one organisation. */
  tokens: { staff: string; manager: string };
  seconds: number;
  /** Requests in flight at most; an operation due while all are busy is skipped (and counted). */
  concurrency?: number;
  /** Called about every second with the milliseconds since the start (memory samples). */
  onTick?: (elapsedMs: number) => void | Promise<void>;
}

export interface MixedLoadResult {
  /** Answers by kind of request and status. */
  answers: Record<string, Record<number, number>>;
  /** Every answer that was not 2xx (the first 20, with their bodies). */
  unexpected: { kind: string; status: number; text: string }[];
  unexpectedCount: number;
  /** Operations skipped because `concurrency` requests were already in flight. */
  skipped: number;
  /** The titles of the sparse milestones the load added, whose reminders fire during the run. */
  timers: string[];
}

/** How many requests of these kinds were answered, whatever the status. */
export function answered(result: MixedLoadResult, ...kinds: string[]): number {
  return kinds.reduce((sum, kind) => sum + Object.values(result.answers[kind] ?? {}).reduce((a, n) => a + n, 0), 0);
}

/** Transitions per second (research T18: about 5), and the sparse timers' interval. */
const TRANSITION_EVERY_MS = 200;
const READ_EVERY_MS = 100;
const WRITE_EVERY_MS = 2_000;
const EXPORT_EVERY_MS = 10_000;
const TIMER_EVERY_MS = 20_000;
/** A sparse timer's reminder fires this long after it is added, PT5S before its milestone. */
const TIMER_FIRES_AFTER_MS = 20_000;
const CASES = 24;

interface Moving {
  id: string;
  version: number;
  state: string;
  busy: boolean;
}

/**
 * Ten minutes of mixed load, shortened as needed (QUALITY.md R8, research T18): about five
 * transitions a second (submit, return with a comment, now and then an approval, after which a
 * new case takes the place of the approved one), ten reads a second (lists, details, histories,
 * the inbox, notifications), a new case and an edit every two seconds, a CSV export and a
 * notification marked read every ten, and a sparse timer every twenty seconds: a milestone whose
 * PT5S reminder fires twenty seconds later. One request at a time per case, so every answer
 * should be 2xx; each other answer is counted as unexpected.
 */
export async function runMixedLoad(options: MixedLoadOptions): Promise<MixedLoadResult> {
  const http = new HttpClient(options.base);
  const { staff, manager } = options.tokens;
  const concurrency = options.concurrency ?? 16;
  const result: MixedLoadResult = { answers: {}, unexpected: [], unexpectedCount: 0, skipped: 0, timers: [] };
  const record = <T>(kind: string, answer: HttpResult<T>): HttpResult<T> => {
    const byStatus = (result.answers[kind] ??= {});
    byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    if (answer.status >= 300) {
      result.unexpectedCount += 1;
      if (result.unexpected.length < 20) result.unexpected.push({ kind, status: answer.status, text: answer.text.slice(0, 300) });
    }
    return answer;
  };

  const cases: Moving[] = [];
  const newCase = async () => {
    const answer = record('create', await http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff }));
    if (answer.status !== 201) return;
    cases.push({ id: answer.body.id, version: answer.body.version, state: answer.body.state, busy: false });
  };
  for (let i = 0; i < CASES; i += 1) await newCase();

  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const launch = (work: () => Promise<void>) => {
    if (inFlight >= concurrency) {
      result.skipped += 1;
      return;
    }
    inFlight += 1;
    const running: Promise<void> = work()
      .catch((error: unknown) => {
        result.unexpectedCount += 1;
        if (result.unexpected.length < 20) result.unexpected.push({ kind: 'network', status: 0, text: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        inFlight -= 1;
        pending.delete(running);
      });
    pending.add(running);
  };
  /** A case no request is working on, in one of `states`, taken for the duration of `work`. */
  const withCase = (states: string[], work: (c: Moving) => Promise<void>) => {
    const idle = cases.filter((c) => !c.busy && states.includes(c.state));
    if (idle.length === 0) return;
    const c = idle[Math.floor(Math.random() * idle.length)];
    c.busy = true;
    launch(() => work(c).finally(() => (c.busy = false)));
  };
  const moved = (c: Moving, answer: HttpResult) => {
    if (answer.status === 200) Object.assign(c, { version: answer.body.version, state: answer.body.state });
  };

  let transitions = 0;
  const transition = () =>
    withCase(['draft', 'internal-review'], async (c) => {
      transitions += 1;
      if (c.state === 'draft') return moved(c, record('submit', await http.post(`/api/v1/cases/${c.id}/actions/submit`, { version: c.version }, { token: staff })));
      if (transitions % 10 === 0) {
        const approved = record('approve', await http.post(`/api/v1/cases/${c.id}/actions/approve`, { version: c.version }, { token: manager }));
        moved(c, approved);
        if (approved.status === 200) await newCase();
        return;
      }
      moved(c, record('return', await http.post(`/api/v1/cases/${c.id}/actions/return`, { version: c.version, comment: '日程案を再確認してください' }, { token: manager })));
    });

  const reads = [
    () => launch(async () => void record('list', await http.get('/api/v1/cases?program=ambassador-visit&pageSize=20', { token: staff }))),
    () => launch(async () => void record('list-by-state', await http.get('/api/v1/cases?state=internal-review', { token: manager }))),
    () => launch(async () => void record('detail', await http.get(`/api/v1/cases/${cases[Math.floor(Math.random() * cases.length)].id}`, { token: staff }))),
    () => launch(async () => void record('history', await http.get(`/api/v1/cases/${cases[Math.floor(Math.random() * cases.length)].id}/history`, { token: manager }))),
    () => launch(async () => void record('inbox', await http.get('/api/v1/inbox', { token: manager }))),
    () => launch(async () => void record('notifications', await http.get('/api/v1/notifications', { token: staff }))),
  ];
  let readTurn = 0;

  const edit = () =>
    withCase(['draft'], async (c) => {
      const answer = record('edit', await http.patch(`/api/v1/cases/${c.id}`, { version: c.version, data: completeVisit({ expectedParticipants: 20 + (c.version % 50) }) }, { token: staff }));
      moved(c, answer);
    });
  const exportAndRead = () => {
    launch(async () => void record('csv', await http.get('/api/v1/cases.csv?program=ambassador-visit', { token: manager })));
    launch(async () => {
      const list = record('notifications', await http.get<{ items: { id: string; readAt: string | null }[] }>('/api/v1/notifications', { token: manager }));
      const unread = list.body?.items?.find((n) => !n.readAt);
      if (unread) record('mark-read', await http.post(`/api/v1/notifications/${unread.id}/read`, undefined, { token: manager }));
    });
  };
  const sparseTimer = () =>
    withCase(['draft', 'internal-review', 'approved'], async (c) => {
      const title = `会場下見 ${result.timers.length + 1}`;
      const dueAt = new Date(Date.now() + TIMER_FIRES_AFTER_MS + 5_000);
      const answer = record('milestone', await http.post(`/api/v1/cases/${c.id}/deadlines`, { title, dueAt: dueAt.toISOString(), remindBefore: ['PT5S'] }, { token: staff }));
      if (answer.status === 201) result.timers.push(title);
    });

  const start = Date.now();
  const end = start + options.seconds * 1000;
  const next = { transition: start, read: start, write: start, export: start, timer: start, tick: start };
  // Sparse timers stop early enough to fire before the run ends.
  const lastTimerAt = end - TIMER_FIRES_AFTER_MS - 2_000;
  while (Date.now() < end) {
    const now = Date.now();
    for (; next.transition <= now; next.transition += TRANSITION_EVERY_MS) transition();
    for (; next.read <= now; next.read += READ_EVERY_MS) reads[readTurn++ % reads.length]();
    for (; next.write <= now; next.write += WRITE_EVERY_MS) {
      launch(newCase);
      edit();
    }
    for (; next.export <= now; next.export += EXPORT_EVERY_MS) exportAndRead();
    for (; next.timer <= now; next.timer += TIMER_EVERY_MS) if (now < lastTimerAt) sparseTimer();
    if (next.tick <= now) {
      next.tick += 1_000;
      await options.onTick?.(now - start);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(pending);
  return result;
}

export interface Backlog {
  /** Outbox rows not yet published. */
  unsent: number;
  /** Events published but not yet handled by every consumer (jobs waiting, active or retrying). */
  events: number;
  /** Timer jobs due (waiting or active), not counting those delayed until later. */
  timersDue: number;
  /** Reminders whose time has come and that are not sent. */
  remindersDue: number;
  failed: number;
}

export interface BacklogReader {
  read(): Promise<Backlog>;
  close(): Promise<void>;
}

/**
 * Reads what is still to be done after a load (every part should come back to zero), on one Redis
 * connection held until `close`, as it is read over and over while the work drains.
 */
export function backlogReader(sql: Client, redisUrl: string): BacklogReader {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const events = new Queue(QUEUES.events, { connection, prefix: QUEUE_PREFIX });
  const timers = new Queue(QUEUES.timers, { connection, prefix: QUEUE_PREFIX });
  return {
    read: async () => {
      const [e, t, { rows }] = await Promise.all([
        events.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
        timers.getJobCounts('waiting', 'active', 'prioritized', 'failed'),
        sql.query<{ unsent: number; reminders: number }>(
          `SELECT (SELECT count(*)::int FROM outbox WHERE sent_at IS NULL) AS unsent,
                  (SELECT count(*)::int FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id AND d.generation = r.generation AND d.state = 'open'
                    WHERE r.sent_at IS NULL AND r.fire_at < now() - interval '2 seconds') AS reminders`,
        ),
      ]);
      return {
        unsent: rows[0].unsent,
        events: e.waiting + e.active + e.delayed + e.prioritized,
        timersDue: t.waiting + t.active + t.prioritized,
        remindersDue: rows[0].reminders,
        failed: e.failed + t.failed,
      };
    },
    close: async () => {
      await events.close();
      await timers.close();
      connection.disconnect();
    },
  };
}

/**
 * Each custom milestone's reminder (the load's sparse timers): its title, how many notifications
 * it sent, and how late the last of them was after the reminder's time.
 */
export async function sparseTimersSent(sql: Client): Promise<{ title: string; sent: number; lateMs: number }[]> {
  const { rows } = await sql.query<{ title: string; sent: number; lateMs: number }>(
    `SELECT d.title->>'ja' AS title, count(n.id)::int AS sent, max(extract(epoch FROM n.created_at - r.fire_at) * 1000)::int AS "lateMs"
       FROM case_deadline d JOIN deadline_reminder r ON r.deadline_id = d.id
       LEFT JOIN notification n ON n.idempotency_key LIKE 'reminder:' || r.id || ':%'
      WHERE d.kind = 'custom' GROUP BY d.title->>'ja', r.id ORDER BY 1`,
  );
  return rows;
}

export const isQuiet = (b: Backlog) => b.unsent === 0 && b.events === 0 && b.timersDue === 0 && b.remindersDue === 0;
