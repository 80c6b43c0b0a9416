import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@koryu/queues';
import { type ActionDefinition, type Localized, PROGRAMS, type ProgramDefinition, ProgramRegistry } from '@koryu/workflow';
import { EventConsumerClass, type EventConsumer } from '../event-consumer';

const registry = new ProgramRegistry(PROGRAMS);

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
  readonly name = 'notifications';

  accepts(event: DomainEvent): boolean {
    return event.type === 'case.transitioned' && event.caseId !== null;
  }

  async handle(event: DomainEvent, tx: EntityManager): Promise<void> {
    const payload = event.payload as unknown as TransitionPayload;
    const [row]: CaseRow[] = await tx.query(
      `SELECT id, organisation_id AS "organisationId", program, program_version AS "programVersion", title, created_by AS "createdBy" FROM workflow_case WHERE id = $1`,
      [event.caseId],
    );
    const def = row && registry.version(row.program, row.programVersion);
    const action = def?.actions.find((a) => a.key === payload.action);
    if (!row || !def || !action) return;

    // The steps that move the case on: not withdrawing or cancelling it, not a timer's.
    const abandoned = new Set(def.states.filter((s) => s.abandoned).map((s) => s.key));
    const next = def.actions.filter((a) => a.from.includes(payload.to) && !abandoned.has(a.to) && a.roles.some((r) => r !== 'system'));
    const roles = new Set(next.flatMap((a) => a.roles));
    // Who must act next, and the actor (for the name in a decision), in one query.
    const users: { id: string; name: string; mustAct: boolean }[] = await tx.query(
      `SELECT * FROM (
         SELECT id, name, (organisation_id = $1 AND disabled_at IS NULL AND (roles && $2::text[] OR ($3::boolean AND id = $4::uuid))) AS "mustAct"
           FROM app_user WHERE organisation_id = $1 OR id = $5::uuid) AS u
        WHERE "mustAct" OR id = $5::uuid`,
      [row.organisationId, ['manager', 'admin'].filter((r) => roles.has(r as never)), roles.has('staff'), row.createdBy, payload.actorUserId],
    );

    const messages: Message[] = [];
    const decided = payload.actorUserId !== null && row.createdBy !== null && payload.actorUserId !== row.createdBy;
    if (decided) messages.push(decision(def, row, action, payload, users.find((u) => u.id === payload.actorUserId)?.name ?? ''));
    const told = new Set([payload.actorUserId, ...messages.map((m) => m.userId)]);
    for (const recipient of users) {
      if (!recipient.mustAct || told.has(recipient.id)) continue;
      messages.push({ userId: recipient.id, kind: 'action-needed', ...actionNeeded(def, row, payload.to, next) });
    }

    if (messages.length === 0) return;
    await tx.query(
      `INSERT INTO notification (user_id, kind, case_id, title, body, idempotency_key)
       SELECT m."userId", m.kind, $1, m.title, m.body, m.kind || ':' || $2 || ':' || m."userId"
         FROM jsonb_to_recordset($3::jsonb) AS m ("userId" uuid, kind text, title jsonb, body jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [row.id, event.eventId, JSON.stringify(messages)],
    );
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
