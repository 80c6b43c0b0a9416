import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQueries } from '@koryu/persistence';
import type { DomainEvent } from '@koryu/queues';
import { PROGRAM_REGISTRY } from '@koryu/casework';
import type { ActionDefinition, Localized, ProgramDefinition, ProgramRegistry } from '@koryu/workflow';
import { EventConsumerClass, type EventConsumer } from '../event-consumer';


interface TransitionPayload {
  action: string;
  to: string;
  actorUserId: string | null;
  comment?: string | null;
}

interface CaseRow {
  id: string;
  organisationId: string;
  program: string;
  programVersion: number;
  title: string;
  createdBy: string | null;
}

interface UserRow {
  id: string;
  name: string;
  organisationId: string;
  roles: string[];
  active: boolean;
}

interface Message {
  userId: string;
  kind: 'action-needed' | 'decision';
  title: Localized;
  body: Localized;
}

/**
 * The notifications a transition causes (DOMAIN.md Notifications):
 * - **decision**: a person other than the case's author moved it (approved, returned, adopted…):
 *   the author hears what was done, by whom, and the comment;
 * - **action needed**: the case entered a state where someone must move it on (withdrawing,
 *   cancelling and timers do not count). Steps of managers and
 *   admins go to every active manager or admin of the case's organisation; steps of staff go to
 *   the case's author only (not to every colleague). Nobody is told about their own action, and
 *   the author told of a decision is not told twice.
 * Rows are written in the consumer's transaction with an idempotency key per event and user; the
 * notifier mails them.
 */
@EventConsumerClass()
export class NotificationsConsumer implements EventConsumer {
  constructor(@Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry) {}

  readonly name = 'notifications';

  accepts(event: DomainEvent): boolean {
    return event.type === 'case.transitioned' && event.caseId !== null;
  }

  handle(event: DomainEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /** The cases and the users concerned read in one statement, every message written in a second. */
  async handleBatch(events: DomainEvent[], tx: EntityManager): Promise<void> {
    const actors = events.map((event) => (event.payload as unknown as TransitionPayload).actorUserId).filter((id): id is string => id !== null);
    // The cases, their organisations' users (who may have to act next) and the actors (for the name in a decision).
    const query = preparedQueries(tx);
    const [{ cases, users }] = await query<{ cases: CaseRow[]; users: UserRow[] }>(
      `WITH cases AS (
         SELECT id, organisation_id AS "organisationId", program, program_version AS "programVersion", title, created_by AS "createdBy"
           FROM workflow_case WHERE id = ANY ($1))
       SELECT (SELECT coalesce(jsonb_agg(c), '[]') FROM cases c) AS cases,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name, 'organisationId', u.organisation_id, 'roles', u.roles, 'active', u.disabled_at IS NULL)), '[]')
                 FROM app_user u WHERE u.organisation_id IN (SELECT "organisationId" FROM cases) OR u.id = ANY ($2::uuid[])) AS users`,
      [[...new Set(events.map((event) => event.caseId))], [...new Set(actors)]],
    );
    const caseById = new Map(cases.map((row) => [row.id, row]));
    const messages = events.flatMap((event) => {
      const row = caseById.get(event.caseId as string);
      return row ? this.messagesOf(event, row, users).map((message) => ({ ...message, caseId: row.id, key: `${message.kind}:${event.eventId}:${message.userId}` })) : [];
    });
    if (messages.length === 0) return;
    await query(
      `INSERT INTO notification (user_id, kind, case_id, title, body, idempotency_key)
       SELECT m."userId", m.kind, m."caseId", m.title, m.body, m.key
         FROM jsonb_to_recordset($1::jsonb) AS m ("userId" uuid, kind text, "caseId" uuid, title jsonb, body jsonb, key text)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [JSON.stringify(messages)],
    );
  }

  private messagesOf(event: DomainEvent, row: CaseRow, users: UserRow[]): Message[] {
    const payload = event.payload as unknown as TransitionPayload;
    const def = this.programs.version(row.program, row.programVersion);
    const action = def?.actions.find((a) => a.key === payload.action);
    if (!def || !action) return [];

    // The steps that move the case on: not withdrawing or cancelling it, not a timer's.
    const abandoned = new Set(def.states.filter((s) => s.abandoned).map((s) => s.key));
    const next = def.actions.filter((a) => a.from.includes(payload.to) && !abandoned.has(a.to) && a.roles.some((r) => r !== 'system'));
    const roles = new Set(next.flatMap((a) => a.roles));
    // Steps of managers and admins: every active one of the organisation; steps of staff: the author.
    const mustAct = (user: UserRow) =>
      user.organisationId === row.organisationId &&
      user.active &&
      (user.roles.some((role) => (role === 'manager' || role === 'admin') && roles.has(role)) || (roles.has('staff') && user.id === row.createdBy));

    const messages: Message[] = [];
    const decided = payload.actorUserId !== null && row.createdBy !== null && payload.actorUserId !== row.createdBy;
    if (decided) messages.push(decision(def, row, action, payload, users.find((u) => u.id === payload.actorUserId)?.name ?? ''));
    const told = new Set([payload.actorUserId, ...messages.map((m) => m.userId)]);
    for (const user of users) {
      if (!mustAct(user) || told.has(user.id)) continue;
      messages.push({ userId: user.id, kind: 'action-needed', ...actionNeeded(def, row, payload.to, next) });
    }
    return messages;
  }
}

function decision(def: ProgramDefinition, row: CaseRow, action: ActionDefinition, payload: TransitionPayload, who: string): Message {
  const state = def.states.find((s) => s.key === payload.to)?.title ?? { ja: payload.to, en: payload.to };
  const comment = payload.comment ? { ja: `\n\nコメント: ${payload.comment}`, en: `\n\nComment: ${payload.comment}` } : { ja: '', en: '' };
  return {
    userId: row.createdBy as string,
    kind: 'decision',
    title: { ja: `【${action.title.ja}】${row.title}`, en: `[${action.title.en}] ${row.title}` },
    body: {
      ja: `${who}さんが「${row.title}」を${action.title.ja}しました。現在の状態: ${state.ja}${comment.ja}`,
      en: `${who} took "${action.title.en}" on "${row.title}". It is now: ${state.en}.${comment.en}`,
    },
  };
}

function actionNeeded(def: ProgramDefinition, row: CaseRow, to: string, next: ActionDefinition[]): Pick<Message, 'title' | 'body'> {
  const state = def.states.find((s) => s.key === to)?.title ?? { ja: to, en: to };
  return {
    title: { ja: `【対応依頼】${row.title}`, en: `[Action needed] ${row.title}` },
    body: {
      ja: `「${row.title}」が「${state.ja}」になりました。次の対応: ${next.map((a) => a.title.ja).join('・')}`,
      en: `"${row.title}" is now at "${state.en}". Next steps: ${next.map((a) => a.title.en).join(', ')}.`,
    },
  };
}
